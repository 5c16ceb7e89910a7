import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBulkhead } from './bulkhead/bulkhead.js';
import { createCircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import { decorate } from './decorate.js';
import { createRateLimiter } from './rate-limiter/rate-limiter.js';
import { createResilienceRegistry } from './registry.js';
import { createRetry } from './retry/retry.js';
import { createTimeLimiter } from './time-limiter/time-limiter.js';

test('composes as Spring Boot’s aspects: Retry ( CircuitBreaker ( RateLimiter ( TimeLimiter ( Bulkhead ( fn ) ) ) ) )', async () => {
  const order: string[] = [];
  const retry = createRetry('r', { maxAttempts: 1 });
  const circuitBreaker = createCircuitBreaker('cb');
  const rateLimiter = createRateLimiter('rl', { timeoutDurationMs: 0 });
  const timeLimiter = createTimeLimiter('tl');
  const bulkhead = createBulkhead('bh');
  const note = (name: string) => () => order.push(name);
  circuitBreaker.onEvent((e) => e.type === 'SUCCESS' && note('circuitBreaker')());
  rateLimiter.onEvent(note('rateLimiter'));
  timeLimiter.onEvent(note('timeLimiter'));
  bulkhead.onEvent((e) => e.type === 'CALL_FINISHED' && note('bulkhead')());
  const call = decorate(async () => 'ok', {
    retry,
    circuitBreaker,
    rateLimiter,
    timeLimiter,
    bulkhead,
  });
  assert.equal(await call(), 'ok');
  // Outer layers see the call go in first and come back last.
  assert.deepEqual(order, ['rateLimiter', 'bulkhead', 'timeLimiter', 'circuitBreaker']);
});

test('a full bulkhead is a failure the breaker records, and the retry outside retries it', async () => {
  const circuitBreaker = createCircuitBreaker('cb', {
    slidingWindowSize: 10,
    minimumNumberOfCalls: 10,
  });
  const bulkhead = createBulkhead('bh', { maxConcurrentCalls: 0 });
  const retry = createRetry('r', { maxAttempts: 3, waitDurationMs: 0 });
  await assert.rejects(decorate(async () => 'never', { retry, circuitBreaker, bulkhead })(), {
    code: 'RES_ERR_BULKHEAD_FULL',
  });
  assert.equal(circuitBreaker.metrics.numberOfFailedCalls, 3);
  assert.equal(retry.metrics.numberOfFailedCallsWithRetryAttempt, 1);
});

test('the aspect order comes from resilience4j.<kind>.<kind>-aspect-order', async (t) => {
  const registry = createResilienceRegistry({
    properties: {
      'resilience4j.retry.retry-aspect-order': 2_147_483_646,
      'resilience4j.bulkhead.bulkhead-aspect-order': 2_147_483_641,
      'resilience4j.bulkhead.instances.bh.max-concurrent-calls': 0,
      'resilience4j.retry.instances.r.max-attempts': 3,
      'resilience4j.retry.instances.r.wait-duration': 0,
    },
  });
  t.after(() => registry.close());
  // Bulkhead outermost now: a full bulkhead is not retried.
  let attempts = 0;
  registry.onEvent((e) => e.kind === 'bulkhead' && e.type === 'CALL_REJECTED' && attempts++);
  await assert.rejects(registry.decorate(async () => 'never', { retry: 'r', bulkhead: 'bh' })(), {
    code: 'RES_ERR_BULKHEAD_FULL',
  });
  assert.equal(attempts, 1);
  assert.equal(registry.aspectOrder.bulkhead, 2_147_483_641);
});
