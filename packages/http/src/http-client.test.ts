import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createRoundRobinLoadBalancer,
  createStaticDiscovery,
  type LoadBalancer,
} from '@stratus/discovery';
import { createHttpClient, type HttpClientOptions } from './index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Upstream {
  readonly uri: string;
  /** `METHOD path` of every request that reached this upstream. */
  readonly seen: string[];
}

async function listen(t: TestContext, handler: Handler): Promise<Upstream> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** The uri of a port nothing listens on any more: connections to it are refused. */
async function refusingUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const answer =
  (body: unknown, status = 200): Handler =>
  (req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
  };

const reset: Handler = (req) => req.socket.destroy();

/** A real round-robin balancer over `uris` (ids svc-0, svc-1, …) that records what it is told. */
function balancerOver(uris: string[]): LoadBalancer & { reports: string[] } {
  const inner = createRoundRobinLoadBalancer(
    createStaticDiscovery({ instances: { svc: uris.map((uri) => ({ uri })) } }),
  );
  const reports: string[] = [];
  return {
    reports,
    choose: (id, choice) => inner.choose(id, choice),
    markFailed: (id, instanceId) => {
      reports.push(`failed ${instanceId}`);
      inner.markFailed(id, instanceId);
    },
    markSucceeded: (id, instanceId) => {
      reports.push(`ok ${instanceId}`);
      inner.markSucceeded?.(id, instanceId);
    },
  };
}

function client(t: TestContext, options: HttpClientOptions) {
  const http = createHttpClient(options);
  t.after(() => http.close());
  return http;
}

test('resolves lb:// through the balancer and decodes JSON', async (t) => {
  const upstream = await listen(t, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
  });
  const http = client(t, { loadBalancer: balancerOver([upstream.uri]) });
  const { body } = await http.json<{ path: string; auth: string }>('lb://svc/u1/orders?x=1', {
    headers: { authorization: 'Bearer t' },
  });
  assert.deepEqual(body, { path: '/u1/orders?x=1', auth: 'Bearer t' });
  await assert.rejects(http.json('lb://nobody/x'), {
    code: 'HTTP_ERR_NO_INSTANCE',
    httpStatus: 503,
  });
});

test('a path starting with // stays a path on the chosen instance', async (t) => {
  const upstream = await listen(t, answer({ ok: true }));
  const http = client(t, { loadBalancer: balancerOver([upstream.uri]) });
  await http.json('lb://svc//evil.example/x');
  assert.deepEqual(upstream.seen, ['GET //evil.example/x']);
});

test('a GET refused by one instance is retried on the other, which alone gets traffic after', async (t) => {
  const alive = await listen(t, answer([1]));
  const balancer = balancerOver([await refusingUri(), alive.uri]);
  const http = client(t, { loadBalancer: balancer });
  for (let i = 0; i < 4; i++) assert.deepEqual((await http.json<number[]>('lb://svc/x')).body, [1]);
  assert.equal(alive.seen.length, 4);
  assert.deepEqual(balancer.reports, [
    'failed svc-0',
    'ok svc-1',
    'ok svc-1',
    'ok svc-1',
    'ok svc-1',
  ]);
});

test('a GET whose connection is reset is retried on another instance', async (t) => {
  const broken = await listen(t, reset);
  const alive = await listen(t, answer({ from: 'alive' }));
  const balancer = balancerOver([broken.uri, alive.uri]);
  const http = client(t, { loadBalancer: balancer });
  assert.deepEqual((await http.json('lb://svc/x')).body, { from: 'alive' });
  assert.deepEqual(broken.seen, ['GET /x']);
  assert.deepEqual(balancer.reports, ['failed svc-0', 'ok svc-1']);
});

test('a POST whose connection is reset is not repeated: it may have been executed', async (t) => {
  const broken = await listen(t, reset);
  const alive = await listen(t, answer({}, 201));
  const balancer = balancerOver([broken.uri, alive.uri]);
  const http = client(t, { loadBalancer: balancer });
  await assert.rejects(http.json('lb://svc/orders', { method: 'POST', json: { qty: 1 } }), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
  assert.deepEqual(broken.seen, ['POST /orders']);
  assert.deepEqual(alive.seen, []);
  assert.deepEqual(balancer.reports, ['failed svc-0']);
});

test('a POST refused before connecting is sent to another instance exactly once', async (t) => {
  const alive = await listen(t, answer({ created: true }, 201));
  const http = client(t, { loadBalancer: balancerOver([await refusingUri(), alive.uri]) });
  const { status } = await http.json('lb://svc/orders', { method: 'POST', json: { qty: 1 } });
  assert.equal(status, 201);
  assert.deepEqual(alive.seen, ['POST /orders']);
});

test('a POST with an idempotency key is repeated after a reset, with the key', async (t) => {
  const keys: Array<string | undefined> = [];
  const broken = await listen(t, (req) => {
    keys.push(req.headers['idempotency-key'] as string | undefined);
    req.socket.destroy();
  });
  const alive = await listen(t, (req, res) => {
    keys.push(req.headers['idempotency-key'] as string | undefined);
    answer({}, 201)(req, res);
  });
  const http = client(t, { loadBalancer: balancerOver([broken.uri, alive.uri]) });
  const { status } = await http.json('lb://svc/orders', {
    method: 'POST',
    json: { qty: 1 },
    idempotencyKey: 'order-42',
  });
  assert.equal(status, 201);
  assert.deepEqual(keys, ['order-42', 'order-42']);
  await assert.rejects(http.json('lb://svc/x', { idempotencyKey: 'bad\r\nkey' }), {
    code: 'HTTP_ERR_INVALID_REQUEST',
  });
});

test('a 503 from an instance marks it failed; a GET is retried elsewhere, a POST is not', async (t) => {
  const unavailable = await listen(t, answer({ secret: 'internal detail' }, 503));
  const alive = await listen(t, answer({ ok: true }));
  const balancer = balancerOver([unavailable.uri, alive.uri]);
  const http = client(t, { loadBalancer: balancer });
  assert.deepEqual((await http.json('lb://svc/x')).body, { ok: true });
  assert.deepEqual(balancer.reports, ['failed svc-0', 'ok svc-1']);

  const posting = client(t, { loadBalancer: balancerOver([unavailable.uri, alive.uri]) });
  await assert.rejects(
    posting.json('lb://svc/orders', { method: 'POST', json: {} }),
    (error: Error & { code: string; httpStatus: number }) => {
      assert.equal(error.code, 'HTTP_ERR_STATUS');
      assert.equal(error.httpStatus, 502);
      assert.doesNotMatch(error.message, /internal detail/);
      return true;
    },
  );
  assert.deepEqual(alive.seen, ['GET /x'], 'the POST went to one instance only');
});

test('a retry runs within the call budget, and a timeout is neither retried nor marks the instance', async (t) => {
  const slowReset = await listen(t, (req) => setTimeout(() => req.socket.destroy(), 150).unref());
  const slow = await listen(t, (req, res) => setTimeout(() => answer({})(req, res), 1_000).unref());
  const balancer = balancerOver([slowReset.uri, slow.uri]);
  const http = client(t, { loadBalancer: balancer, timeoutMs: 400 });
  const started = performance.now();
  await assert.rejects(http.json('lb://svc/x'), { code: 'HTTP_ERR_TIMEOUT', httpStatus: 504 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 390 && elapsed < 900, `gave up after ${Math.round(elapsed)} ms, not 1150`);
  assert.deepEqual(balancer.reports, ['failed svc-0'], 'only the reset marks an instance');
  assert.deepEqual(slow.seen, ['GET /x']);
});

test('plain URLs map timeouts, refusals and error statuses to coded errors without echoing bodies', async (t) => {
  const upstream = await listen(t, (req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('{}'), 500).unref();
    else answer({ secret: 'internal detail' }, 500)(req, res);
  });
  const http = client(t, { timeoutMs: 100 });
  await assert.rejects(http.json(`${upstream.uri}/slow`), {
    code: 'HTTP_ERR_TIMEOUT',
    httpStatus: 504,
  });
  await assert.rejects(
    http.json(`${upstream.uri}/boom`),
    (error: Error & { code: string; httpStatus: number }) => {
      assert.equal(error.code, 'HTTP_ERR_STATUS');
      assert.equal(error.httpStatus, 502);
      assert.doesNotMatch(error.message, /internal detail/);
      return true;
    },
  );
  await assert.rejects(http.json(`${await refusingUri()}/x`), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
});
