import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from './index.js';

async function listen(
  t: TestContext,
  handler: Parameters<typeof createServer>[1],
): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('resolves lb:// through the balancer and decodes JSON', async (t) => {
  const uri = await listen(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
  });
  const http = createHttpClient({
    loadBalancer: { choose: (id) => (id === 'order-service' ? { uri } : null) },
  });
  t.after(() => http.close());
  const { body } = await http.json<{ path: string; auth: string }>(
    'lb://order-service/u1/orders?x=1',
    { headers: { authorization: 'Bearer t' } },
  );
  assert.deepEqual(body, { path: '/u1/orders?x=1', auth: 'Bearer t' });
  await assert.rejects(http.json('lb://nobody/x'), {
    code: 'HTTP_ERR_NO_INSTANCE',
    httpStatus: 503,
  });
});

test('a GET is retried on another instance when the first refuses connections', async (t) => {
  const good = await listen(t, (_req, res) => res.end('[1]'));
  const picks = ['http://127.0.0.1:1', good];
  const http = createHttpClient({
    loadBalancer: { choose: () => ({ uri: picks.shift() ?? good }) },
  });
  t.after(() => http.close());
  const { body } = await http.json<number[]>('lb://svc/x');
  assert.deepEqual(body, [1]);
});

test('timeouts, refused connections and error statuses map to coded errors without echoing bodies', async (t) => {
  const slow = await listen(t, (req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('{}'), 500).unref();
    else {
      res.statusCode = 500;
      res.end('{"secret":"internal detail"}');
    }
  });
  const http = createHttpClient({ timeoutMs: 100 });
  t.after(() => http.close());
  await assert.rejects(http.json(`${slow}/slow`), { code: 'HTTP_ERR_TIMEOUT', httpStatus: 504 });
  await assert.rejects(
    http.json(`${slow}/boom`),
    (error: Error & { code: string; httpStatus: number }) => {
      assert.equal(error.code, 'HTTP_ERR_STATUS');
      assert.equal(error.httpStatus, 502);
      assert.doesNotMatch(error.message, /internal detail/);
      return true;
    },
  );
  await assert.rejects(http.json('http://127.0.0.1:1/x'), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
});

test('a refused connection marks that instance failed so the balancer can skip it', async (t) => {
  const good = await listen(t, (_req, res) => res.end('{"ok":true}'));
  const failed: string[] = [];
  const picks = [
    { uri: 'http://127.0.0.1:1', instanceId: 'dead' },
    { uri: good, instanceId: 'alive' },
  ];
  const http = createHttpClient({
    loadBalancer: {
      choose: () => picks.shift() ?? { uri: good, instanceId: 'alive' },
      markFailed: (service, id) => failed.push(`${service}/${id}`),
    },
  });
  t.after(() => http.close());
  await http.json('lb://svc/x');
  assert.deepEqual(failed, ['svc/dead']);
});
