import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCircuitBreakerFactory, createResilienceRegistry } from '@stratus/resilience';
import {
  createClientFactory,
  defineClient,
  endpoint,
  jsonBody,
  type ClientFactoryOptions,
} from '@stratus/http';
import {
  answer,
  balancerOver,
  environmentOf,
  hang,
  listen,
  percentile,
  refusingUri,
  reset,
  until,
} from './http-client-support.js';

const toList = (value: unknown): unknown[] => {
  if (!Array.isArray(value)) throw new TypeError('expected a list');
  return value;
};

const Inventory = defineClient({
  name: 'inventory',
  endpoints: {
    getStock: endpoint({ method: 'GET', path: '/stock/{productId}', response: toList }),
    getPrices: endpoint({ method: 'GET', path: '/prices', response: toList }),
    reserve: endpoint({ method: 'POST', path: '/reservations', body: jsonBody<{ qty: number }>() }),
  },
});

// A small breaker so that four failed calls open it; no time limiter unless a test sets one.
const BREAKER_YAML = `
spring:
  cloud:
    openfeign:
      circuitbreaker:
        enabled: true
    circuitbreaker:
      resilience4j:
        disable-time-limiter: true
resilience4j:
  circuitbreaker:
    configs:
      default:
        slidingWindowSize: 4
        minimumNumberOfCalls: 4
        failureRateThreshold: 50
        waitDurationInOpenState: 60s
`;

function factory(t: TestContext, options: ClientFactoryOptions) {
  const clients = createClientFactory(options);
  t.after(() => clients.close());
  return clients;
}

test('while the breaker is OPEN, calls fail fast with HTTP_ERR_CIRCUIT_OPEN and the upstream sees none', async (t) => {
  const upstream = await listen(t, answer({ title: 'boom' }, 500));
  const clients = factory(t, {
    properties: environmentOf(BREAKER_YAML),
    loadBalancer: balancerOver('inventory', [upstream.uri]),
  });
  const inventory = clients.create(Inventory);
  for (let i = 0; i < 4; i++)
    await assert.rejects(inventory.getStock({ productId: 'p1' }), { code: 'HTTP_ERR_STATUS' });
  const reached = upstream.seen.length;
  assert.equal(reached, 4);
  // The first refusals also pay for compiling the path; measure the steady state after them.
  for (let i = 0; i < 50; i++) await assert.rejects(inventory.getStock({ productId: 'p1' }));
  // On a shared, loaded machine wall time includes waits for a CPU, which only ever add. So the
  // 200 refusals run in 20 rounds of 10: the quietest round's slowest call bounds what a refusal
  // itself costs, and the median of all 200 shows the typical one.
  const wallMs: number[] = [];
  const roundMaxMs: number[] = [];
  for (let round = 0; round < 20; round++) {
    let slowest = 0;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await assert.rejects(inventory.getStock({ productId: 'p1' }), {
        code: 'HTTP_ERR_CIRCUIT_OPEN',
        httpStatus: 503,
        retryable: false,
      });
      const elapsed = performance.now() - started;
      wallMs.push(elapsed);
      slowest = Math.max(slowest, elapsed);
    }
    roundMaxMs.push(slowest);
  }
  const quietest = Math.min(...roundMaxMs);
  t.diagnostic(
    `refused while OPEN: p50 ${percentile(wallMs, 50).toFixed(3)} ms, p99 ${percentile(wallMs, 99).toFixed(3)} ms, slowest call of the quietest round ${quietest.toFixed(3)} ms`,
  );
  assert.ok(percentile(wallMs, 50) < 2, `median ${percentile(wallMs, 50).toFixed(3)} ms`);
  assert.ok(quietest < 2, `even the quietest round had a call of ${quietest.toFixed(3)} ms`);
  assert.equal(upstream.seen.length, reached, 'no call reached the upstream while OPEN');
});

test('breakers are per method by default; circuitBreakerName can make one per client', async (t) => {
  const upstream = await listen(t, (req, res) =>
    req.url?.startsWith('/stock/') ? answer({}, 503)(req, res) : answer([1])(req, res),
  );
  const options = {
    properties: environmentOf(BREAKER_YAML),
    loadBalancer: balancerOver('inventory', [upstream.uri]),
  };
  const perMethod = factory(t, options).create(Inventory);
  for (let i = 0; i < 4; i++) await assert.rejects(perMethod.getStock({ productId: 'p' }));
  await assert.rejects(perMethod.getStock({ productId: 'p' }), { code: 'HTTP_ERR_CIRCUIT_OPEN' });
  assert.deepEqual(
    await perMethod.getPrices(),
    [1],
    "getStock's open breaker leaves getPrices alone",
  );

  const perClient = factory(t, options).create({
    ...Inventory,
    circuitBreakerName: (client) => client,
  });
  for (let i = 0; i < 4; i++) await assert.rejects(perClient.getStock({ productId: 'p' }));
  await assert.rejects(perClient.getPrices(), { code: 'HTTP_ERR_CIRCUIT_OPEN' });
});

test('a fallback receives the cause: the decoded error while CLOSED, the open breaker after', async (t) => {
  const upstream = await listen(t, answer({}, 500));
  const causes: string[] = [];
  const clients = factory(t, {
    properties: environmentOf(BREAKER_YAML),
    loadBalancer: balancerOver('inventory', [upstream.uri]),
  });
  const inventory = clients.create({
    ...Inventory,
    fallback: {
      getStock: (cause: Error, args) => {
        causes.push(`${(cause as Error & { code: string }).code} ${args.productId}`);
        return ['fallback'];
      },
      getPrices: [],
    },
  });
  for (let i = 0; i < 5; i++)
    assert.deepEqual(await inventory.getStock({ productId: 'p7' }), ['fallback']);
  assert.deepEqual(causes, [
    'HTTP_ERR_STATUS p7',
    'HTTP_ERR_STATUS p7',
    'HTTP_ERR_STATUS p7',
    'HTTP_ERR_STATUS p7',
    'HTTP_ERR_CIRCUIT_OPEN p7',
  ]);
  const first = await inventory.getPrices();
  first.push('changed by the caller');
  assert.deepEqual(await inventory.getPrices(), [], 'a fallback value is a fresh copy every time');
});

test("Spring Cloud CircuitBreaker's run(call, fallback) wraps a client call as the course does", async (t) => {
  const clients = factory(t, { loadBalancer: balancerOver('inventory', [await refusingUri()]) });
  const inventory = clients.create(Inventory);
  const registry = createResilienceRegistry({
    properties: environmentOf(BREAKER_YAML.replace('enabled: true', 'enabled: false')),
  });
  t.after(() => registry.close());
  const circuitBreakerFactory = createCircuitBreakerFactory(registry);
  let cause: unknown;
  const stock = await circuitBreakerFactory.create('circuitbreaker').run(
    () => inventory.getStock({ productId: 'p1' }),
    (error) => {
      cause = error;
      return [];
    },
  );
  assert.deepEqual(stock, []);
  assert.equal((cause as { code?: string }).code, 'HTTP_ERR_UPSTREAM_UNAVAILABLE');
});

test('retries never multiply POSTs: reset, 503 and timeout each reach the upstream once', async (t) => {
  const resetting = await listen(t, reset);
  const unavailable = await listen(t, answer({}, 503));
  const slow = await listen(t, hang);
  const yaml = `
spring:
  cloud:
    openfeign:
      client:
        config:
          default:
            retryer: feign.Retryer.Default
            readTimeout: 200
`;
  for (const upstream of [resetting, unavailable, slow]) {
    const other = await listen(t, reset);
    const clients = factory(t, {
      properties: environmentOf(yaml),
      loadBalancer: balancerOver('inventory', [upstream.uri, other.uri]),
    });
    await assert.rejects(clients.create(Inventory).reserve({ body: { qty: 1 } }));
    const posts = [...upstream.seen, ...other.seen].filter((line) => line.startsWith('POST'));
    assert.equal(
      posts.length,
      1,
      `one POST reached ${upstream === slow ? 'the slow' : 'an'} upstream`,
    );
  }
  // The same configuration does retry a GET, and a POST that carries an idempotency key.
  const flaky = await listen(t, reset);
  const clients = factory(t, {
    properties: environmentOf(yaml),
    loadBalancer: balancerOver('inventory', [flaky.uri]),
  });
  const inventory = clients.create(Inventory);
  await assert.rejects(inventory.getStock({ productId: 'p' }), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
  assert.equal(flaky.seen.length, 5, "Feign's Retryer.Default makes 5 attempts");
  await assert.rejects(
    inventory.reserve({ body: { qty: 1 } }, { idempotencyKey: 'reservation-1' }),
  );
  assert.equal(flaky.seen.filter((line) => line.startsWith('POST')).length, 5);
});

test("the bulkhead's 11th concurrent call is rejected at once and never sent", async (t) => {
  const held: Array<() => void> = [];
  const upstream = await listen(t, (req, res) => held.push(() => answer([1])(req, res)));
  const clients = factory(t, {
    properties: environmentOf(`${BREAKER_YAML}
  bulkhead:
    instances:
      inventory:
        maxConcurrentCalls: 10
        maxWaitDuration: 0
spring.cloud.openfeign.circuitbreaker.group.enabled: true
`),
    loadBalancer: balancerOver('inventory', [upstream.uri]),
  });
  const inventory = clients.create(Inventory);
  const running = Array.from({ length: 10 }, () => inventory.getPrices());
  await until(() => upstream.seen.length === 10, 5000, '10 calls in flight');
  const started = performance.now();
  await assert.rejects(inventory.getPrices(), { code: 'HTTP_ERR_BULKHEAD_FULL', httpStatus: 503 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 50, `rejected after ${elapsed.toFixed(1)} ms`);
  assert.equal(upstream.seen.length, 10);
  for (const release of held) release();
  assert.deepEqual(
    await Promise.all(running),
    Array.from({ length: 10 }, () => [1]),
  );
});

test("the breaker's time limiter aborts a slow call and closes its socket", async (t) => {
  const upstream = await listen(t, hang);
  const clients = factory(t, {
    properties: environmentOf(
      `${BREAKER_YAML.replace('disable-time-limiter: true', 'disable-time-limiter: false')}
  timelimiter:
    configs:
      default:
        timeoutDuration: 200ms
`,
    ),
    loadBalancer: balancerOver('inventory', [upstream.uri]),
  });
  const inventory = clients.create(Inventory);
  const started = performance.now();
  await assert.rejects(inventory.getPrices(), { code: 'HTTP_ERR_TIMEOUT', httpStatus: 504 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 190 && elapsed < 1500, `gave up after ${elapsed.toFixed(0)} ms`);
  await until(() => upstream.openSockets() === 0, 2000, 'the upstream socket closed');
});
