import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { client, startGateway, startUpstream } from '../internal/test-servers.js';

/** An upstream answering the statuses in turn (then 200), counting requests and their bodies. */
async function flaky(t: TestContext, statuses: number[]) {
  const bodies: string[] = [];
  const paths: string[] = [];
  const upstream = await startUpstream(t, async (request, reply) => {
    let body = '';
    for await (const chunk of request.raw) body += String(chunk);
    bodies.push(body);
    paths.push(request.url);
    return reply.code(statuses.shift() ?? 200).send({ attempt: bodies.length });
  });
  return { upstream, bodies, paths };
}

test('Retry=3,INTERNAL_SERVER_ERROR,GET retries a 500 GET until it succeeds, from the unmutated exchange', async (t) => {
  const { upstream, paths } = await flaky(t, [500, 500]);
  const { url } = await startGateway(t, {
    routes: [
      {
        id: 'r',
        uri: upstream.origin,
        predicates: ['Path=/api/**'],
        filters: ['Retry=3,INTERNAL_SERVER_ERROR,GET', 'StripPrefix=1'],
      },
    ],
  });
  const response = await client(t)(`${url}/api/items`);
  assert.equal(response.statusCode, 200);
  assert.deepEqual(await response.body.json(), { attempt: 3 });
  assert.deepEqual(
    paths,
    ['/items', '/items', '/items'],
    'StripPrefix ran once per attempt on the original path',
  );
});

test('retries stop after `retries` and the last answer is returned; POST is not retried by default', async (t) => {
  const { upstream, bodies } = await flaky(t, [503, 503, 503, 503, 503, 503]);
  const { url } = await startGateway(t, {
    routes: [{ id: 'r', uri: upstream.origin, filters: ['Retry=2'] }],
  });
  const request = client(t);
  const get = await request(`${url}/x`);
  assert.equal(get.statusCode, 503);
  await get.body.dump();
  assert.equal(bodies.length, 3, 'one call and two retries');
  const post = await request(`${url}/x`, { method: 'POST', body: 'once' });
  assert.equal(post.statusCode, 503);
  await post.body.dump();
  assert.equal(bodies.length, 4, 'the POST was sent once');
});

test('with methods POST the body is kept and sent whole again', async (t) => {
  const { upstream, bodies } = await flaky(t, [502]);
  const { url } = await startGateway(t, {
    routes: [
      {
        id: 'r',
        uri: upstream.origin,
        filters: [
          {
            name: 'Retry',
            args: { retries: '2', 'statuses.0': 'BAD_GATEWAY', 'methods.0': 'POST', series: '' },
          },
        ],
      },
    ],
  });
  const response = await client(t)(`${url}/x`, { method: 'POST', body: 'payload-123' });
  assert.equal(response.statusCode, 200);
  await response.body.dump();
  assert.deepEqual(bodies, ['payload-123', 'payload-123']);
});

test('an exponential backoff waits between attempts', async (t) => {
  const { upstream } = await flaky(t, [500, 500]);
  const { url } = await startGateway(t, {
    routes: [
      {
        id: 'r',
        uri: upstream.origin,
        filters: [
          {
            name: 'Retry',
            args: {
              retries: '3',
              backoff: {
                firstBackoff: '100ms',
                maxBackoff: '500ms',
                factor: '2',
                basedOnPreviousValue: 'false',
              },
            },
          },
        ],
      },
    ],
  });
  const started = Date.now();
  const response = await client(t)(`${url}/x`);
  assert.equal(response.statusCode, 200);
  await response.body.dump();
  assert.ok(Date.now() - started >= 300, 'waited 100 ms then 200 ms');
});

test('a connection failure is an IOException and is retried; exceptions can be narrowed to timeouts', async (t) => {
  const { upstream } = await flaky(t, []);
  const reset = await startUpstream(t, async (request) => {
    request.raw.socket.destroy();
  });
  const { url } = await startGateway(t, {
    routes: [
      { id: 'io', uri: reset.origin, predicates: ['Path=/io'], filters: ['Retry=2'] },
      {
        id: 'ok',
        uri: upstream.origin,
        predicates: ['Path=/ok'],
        filters: [
          { name: 'Retry', args: { 'exceptions.0': 'java.util.concurrent.TimeoutException' } },
        ],
      },
    ],
  });
  const request = client(t);
  const failed = await request(`${url}/io`);
  assert.equal(failed.statusCode, 502);
  await failed.body.dump();
  const ok = await request(`${url}/ok`);
  assert.equal(ok.statusCode, 200);
  await ok.body.dump();
});

test('invalid Retry settings are refused at load', async () => {
  const { validateDefinitions } = await import('../internal/test-units.js');
  for (const args of [
    { retries: '0' },
    { 'series.0': 'SOMETIMES' },
    { 'jitter.randomFactor': '2' },
  ]) {
    assert.throws(
      () =>
        validateDefinitions({
          routes: [{ id: 'r', uri: 'http://127.0.0.1:9', filters: [{ name: 'Retry', args }] }],
        }),
      /Retry:/,
      JSON.stringify(args),
    );
  }
});
