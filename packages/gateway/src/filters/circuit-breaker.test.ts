import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { createResilienceRegistry } from '@stratus/resilience';
import { client, startGateway, startUpstream, type SeenRequest } from '../internal/test-servers.js';

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const resilience = (name: string, timeout = '2s') =>
  createResilienceRegistry({
    properties: {
      resilience4j: {
        circuitbreaker: {
          instances: {
            [name]: {
              slidingWindowSize: 2,
              minimumNumberOfCalls: 2,
              failureRateThreshold: 50,
              waitDurationInOpenState: '1m',
            },
          },
        },
        timelimiter: { instances: { [name]: { timeoutDuration: timeout } } },
      },
    },
  });

test('a refused upstream goes to the fallbackUri with FallbackHeaders describing the failure', async (t) => {
  const fallback = await startUpstream(t);
  const port = await closedPort();
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'orders',
          uri: `http://127.0.0.1:${port}`,
          predicates: ['Path=/orders/**'],
          filters: [
            {
              name: 'CircuitBreaker',
              args: { name: 'ordersCb', fallbackUri: 'forward:/fallback/orders' },
            },
          ],
        },
        {
          id: 'fallback',
          uri: fallback.origin,
          predicates: ['Path=/fallback/**'],
          filters: ['FallbackHeaders'],
        },
      ],
    },
    { resilience: resilience('ordersCb') },
  );
  const response = await client(t)(`${url}/orders/1?x=1`, { headers: { 'x-client': 'c' } });
  assert.equal(response.statusCode, 200);
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.url, '/fallback/orders?x=1');
  assert.equal(seen.headers['x-client'], 'c');
  assert.equal(seen.headers['execution-exception-type'], 'java.net.ConnectException');
  assert.match(String(seen.headers['root-cause-exception-type']), /ECONNREFUSED/);
  assert.equal(
    seen.headers['x-stratus-internal-forward'],
    undefined,
    'the marker never leaves the gateway',
  );
});

test('statusCodes count as failures and forward to a local handler of the gateway with the body', async (t) => {
  const upstream = await startUpstream(t, async (request, reply, seen) => {
    for await (const chunk of request.raw) void chunk;
    seen.push({ method: request.method, url: request.url, headers: request.headers, bodyBytes: 0 });
    return reply.code(500).send({ error: 'boom' });
  });
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'orders',
          uri: upstream.origin,
          predicates: ['Path=/orders/**'],
          filters: [
            {
              name: 'CircuitBreaker',
              args: {
                name: 'statusCb',
                fallbackUri: 'forward:/inCaseOfFailure',
                'statusCodes.0': '500',
                'statusCodes.1': 'BAD_GATEWAY',
              },
            },
          ],
        },
      ],
    },
    { resilience: resilience('statusCb') },
    (app) => {
      app.post('/inCaseOfFailure', async (request) => ({ fallback: true, got: request.body }));
    },
  );
  const response = await client(t)(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"item":1}',
  });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(await response.body.json(), { fallback: true, got: { item: 1 } });
  assert.equal(upstream.seen.length, 1);
});

test('without a fallback: the time limiter answers 504, then an open circuit answers 503 without calling the upstream', async (t) => {
  let calls = 0;
  const slow = await startUpstream(t, async (_request, reply) => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return reply.send('late');
  });
  const { url } = await startGateway(
    t,
    { routes: [{ id: 'slow', uri: slow.origin, filters: ['CircuitBreaker=slowCb'] }] },
    { resilience: resilience('slowCb', '150ms') },
  );
  const request = client(t);
  for (let i = 0; i < 2; i++) {
    const response = await request(`${url}/x`);
    assert.equal(response.statusCode, 504);
    assert.equal(
      ((await response.body.json()) as { code: string }).code,
      'GW_ERR_UPSTREAM_TIMEOUT',
    );
  }
  const open = await request(`${url}/x`);
  assert.equal(open.statusCode, 503);
  assert.equal(((await open.body.json()) as { code: string }).code, 'GW_ERR_CIRCUIT_OPEN');
  assert.equal(calls, 2);
});

test('a fallbackUri other than forward: is refused at load', async () => {
  const { validateDefinitions } = await import('../internal/test-units.js');
  assert.throws(
    () =>
      validateDefinitions({
        routes: [
          {
            id: 'r',
            uri: 'http://127.0.0.1:9',
            filters: [
              { name: 'CircuitBreaker', args: { name: 'a', fallbackUri: 'http://evil.example/' } },
            ],
          },
        ],
      }),
    /fallbackUri must be 'forward:\/path'/,
  );
});
