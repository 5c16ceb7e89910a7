import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { bindResilienceMetrics } from './metrics.js';
import { createResilienceRegistry } from './registry.js';
import { createCircuitBreakerFactory } from './spring-cloud-circuit-breaker.js';

test('publishes resilience4j-micrometer’s meter names and tags for every kind', async (t) => {
  const registry = createResilienceRegistry({
    properties: {
      'resilience4j.circuitbreaker.instances.backendA.sliding-window-size': 2,
      'resilience4j.circuitbreaker.instances.backendA.minimum-number-of-calls': 2,
      'resilience4j.retry.instances.backendA.wait-duration': 0,
      'resilience4j.bulkhead.instances.backendA.max-concurrent-calls': 7,
      'resilience4j.ratelimiter.instances.backendA.limit-for-period': 5,
      'resilience4j.ratelimiter.instances.backendA.timeout-duration': 0,
      'resilience4j.ratelimiter.instances.backendA.limit-refresh-period': '1h',
      'resilience4j.timelimiter.instances.backendA.timeout-duration': '1s',
    },
  });
  t.after(() => registry.close());
  const prometheus = new Registry();
  const binding = bindResilienceMetrics(registry, prometheus);
  t.after(() => binding.close());
  const call = registry.decorate(
    async () => {
      throw new Error('down');
    },
    {
      retry: 'backendA',
      circuitBreaker: 'backendA',
      rateLimiter: 'backendA',
      timeLimiter: 'backendA',
      bulkhead: 'backendA',
    },
  );
  await call().catch(() => {});
  await call().catch(() => {});
  await createCircuitBreakerFactory(registry)
    .create('orders', 'order-service')
    .run(async () => 'ok');
  const text = await prometheus.metrics();
  const expected = [
    'resilience4j_circuitbreaker_state{name="backendA",state="open"} 1',
    'resilience4j_circuitbreaker_state{name="backendA",state="closed"} 0',
    'resilience4j_circuitbreaker_failure_rate{name="backendA"} 100',
    'resilience4j_circuitbreaker_slow_call_rate{name="backendA"} 0',
    'resilience4j_circuitbreaker_buffered_calls{name="backendA",kind="failed"} 2',
    'resilience4j_circuitbreaker_slow_calls{name="backendA",kind="successful"} 0',
    'resilience4j_circuitbreaker_calls_seconds_count{name="backendA",kind="failed"} 2',
    'resilience4j_circuitbreaker_not_permitted_calls_total{name="backendA",kind="not_permitted"} 4',
    'resilience4j_circuitbreaker_calls_seconds_count{name="orders",kind="successful",group="order-service"} 1',
    'resilience4j_retry_calls_total{name="backendA",kind="failed_with_retry"} 2',
    'resilience4j_retry_calls_total{name="backendA",kind="successful_without_retry"} 0',
    'resilience4j_bulkhead_available_concurrent_calls{name="backendA"} 7',
    'resilience4j_bulkhead_max_allowed_concurrent_calls{name="backendA"} 7',
    'resilience4j_ratelimiter_available_permissions{name="backendA"} 3',
    'resilience4j_ratelimiter_waiting_threads{name="backendA"} 0',
    'resilience4j_timelimiter_calls_total{name="backendA",kind="failed"} 2',
  ];
  for (const line of expected) assert.ok(text.includes(line), `missing: ${line}\n${text}`);
  assert.match(
    text,
    /resilience4j_circuitbreaker_calls_seconds_max\{name="backendA",kind="failed"\}/,
  );
  binding.close();
  assert.equal((await prometheus.metrics()).trim(), '');
});
