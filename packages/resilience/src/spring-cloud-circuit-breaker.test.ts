import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResilienceRegistry } from './registry.js';
import { createCircuitBreakerFactory } from './spring-cloud-circuit-breaker.js';

test('the course’s shape: create("circuitbreaker").run(call, fallback) returns the fallback on failure and when OPEN', async (t) => {
  const registry = createResilienceRegistry();
  t.after(() => registry.close());
  const factory = createCircuitBreakerFactory(registry);
  // Resilience4jConfiguration's global customizer from the course.
  factory.configureDefault(() => ({
    circuitBreakerConfig: {
      failureRateThreshold: 50,
      waitDurationInOpenStateMs: 60_000,
      slidingWindowType: 'COUNT_BASED',
      slidingWindowSize: 100,
    },
    timeLimiterConfig: { timeoutDurationMs: 1000 },
  }));
  const circuitBreaker = factory.create('circuitbreaker');
  let upstreamCalls = 0;
  const getOrders = async () => {
    upstreamCalls++;
    throw new Error('order-service is down');
  };
  assert.deepEqual(await circuitBreaker.run(getOrders, () => []), []);
  const cb = registry.circuitBreaker('circuitbreaker');
  assert.equal(cb.config.slidingWindowSize, 100);
  assert.equal(cb.tags.group, 'circuitbreaker');
  cb.transitionToOpenState();
  let cause: unknown;
  assert.deepEqual(await circuitBreaker.run(getOrders, (c) => ((cause = c), [])), []);
  assert.equal((cause as { code?: string }).code, 'RES_ERR_CALL_NOT_PERMITTED');
  assert.equal(upstreamCalls, 1);
  assert.equal(await factory.create('other').run(async () => 'orders'), 'orders');
});

test('the 1 s time limiter aborts a slow call and hands the timeout to the fallback', async (t) => {
  const registry = createResilienceRegistry({
    properties: { 'resilience4j.timelimiter.configs.default.timeout-duration': '50ms' },
  });
  t.after(() => registry.close());
  const factory = createCircuitBreakerFactory(registry);
  let aborted = false;
  const result = await factory.create('slow').run(
    (signal) =>
      new Promise<string>((_, reject) =>
        signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason))),
      ),
    (cause) => (cause as { code: string }).code,
  );
  assert.equal(result, 'RES_ERR_TIMEOUT');
  assert.equal(aborted, true);
  assert.equal(
    registry.circuitBreaker('slow').metrics.numberOfFailedCalls,
    1,
    'the timeout counts as a failure',
  );
});

test('looks settings up as Resilience4JCircuitBreakerFactory: instances.<id>, configs.<id>, configs.<group>, then the default', async (t) => {
  const registry = createResilienceRegistry({
    properties: {
      resilience4j: {
        circuitbreaker: {
          configs: {
            default: { slidingWindowSize: 11 },
            byId: { slidingWindowSize: 22 },
            byGroup: { slidingWindowSize: 33 },
          },
          instances: { listed: { slidingWindowSize: 44 } },
        },
      },
      spring: { cloud: { circuitbreaker: { resilience4j: { 'disable-time-limiter': true } } } },
    },
  });
  t.after(() => registry.close());
  const factory = createCircuitBreakerFactory(registry);
  const sizeOf = async (id: string, group?: string) => {
    await factory.create(id, group).run(async () => 'ok');
    return registry.circuitBreaker(id).config.slidingWindowSize;
  };
  assert.equal(await sizeOf('listed', 'byGroup'), 44);
  assert.equal(await sizeOf('byId', 'byGroup'), 22);
  assert.equal(await sizeOf('someId', 'byGroup'), 33);
  assert.equal(await sizeOf('plain'), 11);
  assert.equal(
    registry.find('timelimiter', 'plain'),
    undefined,
    'disable-time-limiter leaves calls unlimited',
  );
});
