import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import {
  bulkheadEventsEndpoint,
  bulkheadsEndpoint,
  circuitBreakerEventsEndpoint,
  circuitBreakersEndpoint,
  circuitBreakersHealth,
  rateLimitersEndpoint,
  retriesEndpoint,
  retryEventsEndpoint,
  timeLimitersEndpoint,
  updateCircuitBreakerState,
} from './actuator.js';
import { formatJavaFloat } from './internal/java-format.js';
import { createResilienceRegistry } from './registry.js';

function registryWithTraffic() {
  const clock = createManualClock(Date.parse('2025-03-01T12:00:00.250Z'));
  const registry = createResilienceRegistry({
    clock,
    properties: {
      resilience4j: {
        circuitbreaker: {
          instances: {
            backendB: {
              slidingWindowSize: 3,
              minimumNumberOfCalls: 3,
              registerHealthIndicator: true,
            },
            backendA: { registerHealthIndicator: true, allowHealthIndicatorToFail: true },
          },
        },
        retry: { instances: { backendA: { waitDuration: 0, maxAttempts: 2 } } },
        bulkhead: { instances: { backendA: {} } },
        ratelimiter: { instances: { backendA: {} } },
        timelimiter: { instances: { backendA: {} } },
      },
    },
  });
  const b = registry.circuitBreaker('backendB');
  b.onError(12.7, new TypeError('upstream said no'));
  clock.advance(1000);
  b.onSuccess(3);
  b.onSuccess(3);
  return { registry, clock };
}

test('/actuator/circuitbreakers lists every breaker by name with rates printed as Java floats', () => {
  const { registry } = registryWithTraffic();
  assert.deepEqual(circuitBreakersEndpoint(registry), {
    circuitBreakers: {
      backendA: {
        failureRate: '-1.0%',
        slowCallRate: '-1.0%',
        failureRateThreshold: '50.0%',
        slowCallRateThreshold: '100.0%',
        bufferedCalls: 0,
        failedCalls: 0,
        slowCalls: 0,
        slowFailedCalls: 0,
        notPermittedCalls: 0,
        state: 'CLOSED',
      },
      backendB: {
        failureRate: '33.333332%',
        slowCallRate: '0.0%',
        failureRateThreshold: '50.0%',
        slowCallRateThreshold: '100.0%',
        bufferedCalls: 3,
        failedCalls: 1,
        slowCalls: 0,
        slowFailedCalls: 0,
        notPermittedCalls: 0,
        state: 'CLOSED',
      },
    },
  });
  assert.deepEqual(Object.keys(circuitBreakersEndpoint(registry).circuitBreakers), [
    'backendA',
    'backendB',
  ]);
});

test('/actuator/circuitbreakerevents renders Resilience4j’s event DTOs, filtered by name and type', () => {
  const { registry } = registryWithTraffic();
  registry.circuitBreaker('backendB').transitionToForcedOpenState();
  const all = circuitBreakerEventsEndpoint(registry, { name: 'backendB' }).circuitBreakerEvents;
  assert.deepEqual(all[0], {
    circuitBreakerName: 'backendB',
    type: 'ERROR',
    creationTime: '2025-03-01T12:00:00.250Z',
    errorMessage: 'TypeError: upstream said no',
    durationInMs: 12,
  });
  assert.deepEqual(all.at(-1), {
    circuitBreakerName: 'backendB',
    type: 'STATE_TRANSITION',
    creationTime: '2025-03-01T12:00:01.250Z',
    stateTransition: 'CLOSED_TO_FORCED_OPEN',
  });
  assert.equal(
    circuitBreakerEventsEndpoint(registry, { name: 'backendB', eventType: 'success' })
      .circuitBreakerEvents.length,
    2,
  );
  assert.deepEqual(circuitBreakerEventsEndpoint(registry, { name: 'nobody' }), {
    circuitBreakerEvents: [],
  });
});

test('POST /actuator/circuitbreakers/{name} forces, closes and disables a breaker', () => {
  const { registry } = registryWithTraffic();
  assert.deepEqual(updateCircuitBreakerState(registry, 'backendA', 'FORCE_OPEN'), {
    circuitBreakerName: 'backendA',
    currentState: 'FORCED_OPEN',
    message: 'backendA state has been changed successfully',
  });
  assert.equal(updateCircuitBreakerState(registry, 'backendA', 'DISABLE').currentState, 'DISABLED');
  assert.equal(updateCircuitBreakerState(registry, 'backendA', 'CLOSE').currentState, 'CLOSED');
  assert.match(updateCircuitBreakerState(registry, 'backendA', 'EXPLODE').message, /not supported/);
});

test('the other endpoints list names, and retry events carry the attempts', async () => {
  const { registry } = registryWithTraffic();
  await registry
    .retry('backendA')
    .execute(() => Promise.reject(new RangeError('nope')))
    .catch(() => {});
  assert.deepEqual(retriesEndpoint(registry), { retries: ['backendA'] });
  assert.deepEqual(bulkheadsEndpoint(registry), { bulkheads: ['backendA'] });
  assert.deepEqual(rateLimitersEndpoint(registry), { rateLimiters: ['backendA'] });
  assert.deepEqual(timeLimitersEndpoint(registry), { timeLimiters: ['backendA'] });
  assert.deepEqual(
    retryEventsEndpoint(registry).retryEvents.map((e) => [
      e.type,
      e.numberOfAttempts,
      e.errorMessage,
    ]),
    [
      ['RETRY', 1, 'RangeError: nope'],
      ['ERROR', 2, 'RangeError: nope'],
    ],
  );
  await registry.bulkhead('backendA').execute(() => 'ok');
  assert.deepEqual(
    bulkheadEventsEndpoint(registry).bulkheadEvents.map((e) => e.type),
    ['CALL_PERMITTED', 'CALL_FINISHED'],
  );
});

test('the circuitBreakers health contributor maps states to statuses as CircuitBreakersHealthIndicator', () => {
  const { registry } = registryWithTraffic();
  assert.equal(circuitBreakersHealth(registry).status, 'UP');
  registry.circuitBreaker('backendB').transitionToOpenState();
  const health = circuitBreakersHealth(registry);
  assert.equal((health.details.backendB as { status: string }).status, 'CIRCUIT_OPEN');
  assert.equal(health.status, 'UP', 'CIRCUIT_OPEN is not in the default status order');
  registry.circuitBreaker('backendA').transitionToOpenState();
  assert.equal(circuitBreakersHealth(registry).status, 'DOWN', 'allowHealthIndicatorToFail');
});

test('prints floats as Java’s Float.toString does', () => {
  assert.deepEqual([50, -1, 100 / 3, 200 / 3, 0, 12.5, 1e-4, 1e8].map(formatJavaFloat), [
    '50.0',
    '-1.0',
    '33.333332',
    '66.666664',
    '0.0',
    '12.5',
    '1.0E-4',
    '1.0E8',
  ]);
});
