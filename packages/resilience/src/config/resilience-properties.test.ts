import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock, StratusError } from '@stratus/core';
import { createResilienceRegistry } from '../registry.js';

// Resilience4j's Spring Boot demo application.yml, as the YAML parser hands it over.
const DEMO = {
  resilience4j: {
    circuitbreaker: {
      configs: {
        default: {
          registerHealthIndicator: true,
          slidingWindowSize: 10,
          minimumNumberOfCalls: 5,
          permittedNumberOfCallsInHalfOpenState: 3,
          automaticTransitionFromOpenToHalfOpenEnabled: true,
          waitDurationInOpenState: '5s',
          failureRateThreshold: 50,
          eventConsumerBufferSize: 10,
          recordExceptions: [
            'org.springframework.web.client.HttpServerErrorException',
            'java.util.concurrent.TimeoutException',
            'java.io.IOException',
          ],
          ignoreExceptions: ['io.github.robwin.exception.BusinessException'],
        },
        shared: {
          slidingWindowSize: 100,
          permittedNumberOfCallsInHalfOpenState: 30,
          waitDurationInOpenState: '1s',
          failureRateThreshold: 50,
        },
      },
      instances: {
        backendA: { baseConfig: 'default' },
        backendB: {
          registerHealthIndicator: true,
          slidingWindowSize: 10,
          minimumNumberOfCalls: 10,
          waitDurationInOpenState: '5s',
          failureRateThreshold: 50,
          recordFailurePredicate: 'io.github.robwin.exception.RecordFailurePredicate',
        },
        backendC: { baseConfig: 'shared', minimumNumberOfCalls: 7 },
      },
    },
    retry: {
      configs: {
        default: {
          maxAttempts: 3,
          waitDuration: 100,
          retryExceptions: ['java.io.IOException'],
          ignoreExceptions: ['io.github.robwin.exception.BusinessException'],
        },
      },
      instances: { backendA: { baseConfig: 'default' }, backendB: { maxAttempts: 5 } },
    },
    bulkhead: {
      configs: { default: { maxConcurrentCalls: 100 } },
      instances: {
        backendA: { maxConcurrentCalls: 10 },
        backendB: { maxWaitDuration: '10ms', maxConcurrentCalls: 20 },
      },
    },
    ratelimiter: {
      configs: {
        default: {
          registerHealthIndicator: false,
          limitForPeriod: 10,
          limitRefreshPeriod: '1s',
          timeoutDuration: 0,
        },
      },
      instances: {
        backendA: { baseConfig: 'default' },
        backendB: { limitForPeriod: 6, limitRefreshPeriod: '500ms', timeoutDuration: '3s' },
      },
    },
    timelimiter: {
      configs: { default: { cancelRunningFuture: false, timeoutDuration: '2s' } },
      instances: { backendA: { baseConfig: 'default' }, backendB: { baseConfig: 'default' } },
    },
  },
};

class BusinessException extends Error {
  override name = 'BusinessException';
}
const serverError = Object.assign(new Error('500 Internal Server Error'), {
  code: 'HTTP_ERR_STATUS',
  status: 500,
});

test('binds Resilience4j’s demo application.yml: defaults, baseConfig, durations and class-name lists', () => {
  const registry = createResilienceRegistry({
    properties: DEMO,
    functions: {
      'io.github.robwin.exception.RecordFailurePredicate': (e: unknown) =>
        (e as Error).message.includes('record me'),
    },
  });
  const a = registry.circuitBreaker('backendA').config;
  assert.equal(a.slidingWindowSize, 10);
  assert.equal(a.minimumNumberOfCalls, 5);
  assert.equal(a.waitDurationInOpenStateMs, 5000);
  assert.equal(a.automaticTransitionFromOpenToHalfOpenEnabled, true);
  assert.equal(
    a.recordException(serverError),
    true,
    'HttpServerErrorException ↔ an HTTP 5xx error',
  );
  assert.equal(
    a.recordException(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
    true,
    'IOException ↔ a network error',
  );
  assert.equal(a.recordException(new Error('plain')), false);
  assert.equal(a.ignoreException(new BusinessException('no stock')), true);
  const b = registry.circuitBreaker('backendB').config;
  assert.equal(b.recordException(new Error('please record me')), true);
  assert.equal(b.recordException(new Error('other')), false);
  assert.equal(registry.settings('circuitbreaker', 'backendB')?.registerHealthIndicator, true);
  assert.equal(registry.retry('backendA').config.maxAttempts, 3);
  assert.equal(registry.retry('backendA').config.intervalBiFunction(1, { result: 1 }), 100);
  assert.equal(
    registry.retry('backendB').config.maxAttempts,
    5,
    'configs.default sits under every retry',
  );
  assert.equal(
    registry.retry('backendB').config.retryOnException(new BusinessException('x')),
    false,
  );
  assert.deepEqual(registry.bulkhead('backendB').config, {
    maxConcurrentCalls: 20,
    maxWaitDurationMs: 10,
  });
  assert.equal(registry.rateLimiter('backendA').config.limitForPeriod, 10);
  assert.equal(registry.rateLimiter('backendB').config.timeoutDurationMs, 3000);
  assert.equal(registry.rateLimiter('backendB').config.limitRefreshPeriodMs, 500);
  assert.deepEqual(
    { ...registry.timeLimiter('backendB').config },
    { timeoutDurationMs: 2000, cancelRunningFuture: false },
  );
});

test('creates the listed instances at start-up and gives unlisted ones configs.default', () => {
  const registry = createResilienceRegistry({
    properties: DEMO,
    functions: { 'io.github.robwin.exception.RecordFailurePredicate': () => true },
  });
  assert.deepEqual(
    registry.all('circuitbreaker').map((cb) => cb.name),
    ['backendA', 'backendB', 'backendC'],
  );
  assert.equal(registry.circuitBreaker('unlisted').config.slidingWindowSize, 10);
  assert.equal(registry.bulkhead('unlisted').config.maxConcurrentCalls, 100);
});

test('a circuit breaker’s named base config does not sit on configs.default, as in Resilience4j', () => {
  const registry = createResilienceRegistry({
    properties: DEMO,
    functions: { 'io.github.robwin.exception.RecordFailurePredicate': () => true },
  });
  const c = registry.circuitBreaker('backendC').config;
  assert.equal(c.slidingWindowSize, 100);
  assert.equal(c.minimumNumberOfCalls, 7);
  assert.equal(c.automaticTransitionFromOpenToHalfOpenEnabled, false, 'not inherited from default');
  assert.equal(
    c.recordException(new Error('plain')),
    true,
    'default’s recordExceptions do not apply',
  );
});

test('binds flat, relaxed property names: kebab-case, list indices, comma lists and every duration form', () => {
  const registry = createResilienceRegistry({
    properties: {
      'resilience4j.circuitbreaker.instances.orders.sliding-window-size': '4',
      'resilience4j.circuitbreaker.instances.orders.sliding_window_type': 'time-based',
      'resilience4j.circuitbreaker.instances.orders.wait-duration-in-open-state': 'PT1S',
      'resilience4j.circuitbreaker.instances.orders.slow-call-duration-threshold': '1000ms',
      'resilience4j.circuitbreaker.instances.orders.record-exceptions[0]': 'java.io.IOException',
      'resilience4j.circuitbreaker.instances.orders.record-exceptions[1]': 'HTTP_ERR_STATUS',
      'resilience4j.circuitbreaker.instances.orders.ignore-exceptions':
        'BusinessException, java.lang.IllegalArgumentException',
      'resilience4j.retry.instances.orders.wait-duration': 250,
      'resilience4j.timelimiter.instances.orders.timeout-duration': '60s',
    },
  });
  const c = registry.circuitBreaker('orders').config;
  assert.equal(c.slidingWindowSize, 4);
  assert.equal(c.slidingWindowType, 'TIME_BASED');
  assert.equal(c.waitDurationInOpenStateMs, 1000);
  assert.equal(c.slowCallDurationThresholdMs, 1000);
  assert.equal(c.recordException(serverError), true);
  assert.equal(c.ignoreException(new BusinessException('x')), true);
  assert.equal(registry.retry('orders').config.intervalBiFunction(1, { result: 0 }), 250);
  assert.equal(registry.timeLimiter('orders').config.timeoutDurationMs, 60_000);
});

test('reads an environment through getObject(prefix) or through a key lister', () => {
  const flat: Record<string, unknown> = {
    'resilience4j.bulkhead.instances.inventory.max-concurrent-calls': 3,
  };
  const viaGetObject = createResilienceRegistry({
    properties: {
      getObject: (prefix: string) =>
        prefix === 'resilience4j'
          ? { bulkhead: { instances: { inventory: { maxConcurrentCalls: 3 } } } }
          : undefined,
    },
  });
  const viaKeys = createResilienceRegistry({
    properties: {
      keys: (prefix: string) => Object.keys(flat).filter((k) => k.startsWith(prefix)),
      get: (key: string) => flat[key],
    },
  });
  assert.equal(viaGetObject.bulkhead('inventory').config.maxConcurrentCalls, 3);
  assert.equal(viaKeys.bulkhead('inventory').config.maxConcurrentCalls, 3);
});

test('refuses a configuration that does not bind, listing every problem at once', () => {
  assert.throws(
    () =>
      createResilienceRegistry({
        properties: {
          resilience4j: {
            circuitbreaker: {
              instances: {
                a: {
                  failureRateThreshold: 0,
                  slidingWindowSize: 'ten',
                  waitDurationInOpenState: 'soon',
                },
                b: { baseConfig: 'missing' },
              },
            },
            retry: { instances: { c: { maxAttempts: 0 } } },
          },
        },
      }),
    (error: unknown) => {
      assert.ok(error instanceof StratusError);
      assert.equal(error.code, 'RES_ERR_INVALID_CONFIG');
      const problems = (error.details as { problems: string[] }).problems;
      assert.equal(problems.length, 5, problems.join('\n'));
      assert.ok(
        problems.some((p) =>
          p.startsWith('resilience4j.circuitbreaker.instances.a.failureRateThreshold'),
        ),
      );
      assert.ok(problems.some((p) => p.includes("baseConfig 'missing'")));
      return true;
    },
  );
});

test('on refresh a changed breaker is replaced and starts CLOSED, an unchanged one keeps its state, a bulkhead changes in place', async () => {
  const clock = createManualClock(0);
  const properties = (ordersWindow: number) => ({
    'resilience4j.circuitbreaker.instances.orders.sliding-window-size': ordersWindow,
    'resilience4j.circuitbreaker.instances.orders.minimum-number-of-calls': 1,
    'resilience4j.circuitbreaker.instances.users.minimum-number-of-calls': 1,
    'resilience4j.circuitbreaker.instances.users.sliding-window-size': 1,
    'resilience4j.bulkhead.instances.inventory.max-concurrent-calls': ordersWindow,
  });
  const registry = createResilienceRegistry({ properties: properties(1), clock });
  const call = registry.decorate(() => Promise.reject(new Error('down')), {
    circuitBreaker: 'orders',
  });
  await call().catch(() => {});
  registry.circuitBreaker('users').transitionToOpenState();
  const bulkhead = registry.bulkhead('inventory');
  assert.equal(registry.circuitBreaker('orders').state, 'OPEN');

  const changed = registry.reconfigure(properties(5));
  assert.deepEqual(changed.circuitbreaker, ['orders']);
  assert.equal(registry.circuitBreaker('orders').state, 'CLOSED');
  assert.equal(registry.circuitBreaker('orders').config.slidingWindowSize, 5);
  assert.equal(registry.circuitBreaker('users').state, 'OPEN');
  assert.equal(registry.bulkhead('inventory'), bulkhead);
  assert.equal(bulkhead.metrics.maxAllowedConcurrentCalls, 5);
  await call().catch(() => {});
  assert.equal(
    registry.circuitBreaker('orders').metrics.numberOfBufferedCalls,
    1,
    'the decorated call uses the new breaker',
  );

  assert.throws(
    () =>
      registry.reconfigure({
        'resilience4j.circuitbreaker.instances.orders.sliding-window-size': -1,
      }),
    { code: 'RES_ERR_INVALID_CONFIG' },
  );
  assert.equal(
    registry.circuitBreaker('orders').config.slidingWindowSize,
    5,
    'the old configuration stays',
  );
  await registry.close();
});

test('settings given in code apply only where no instances.<name> block exists', () => {
  const registry = createResilienceRegistry({
    properties: { 'resilience4j.circuitbreaker.instances.configured.sliding-window-size': 7 },
  });
  const fromCode = { slidingWindowSize: 3 };
  assert.equal(
    registry.circuitBreaker('configured', { config: fromCode }).config.slidingWindowSize,
    7,
  );
  assert.equal(registry.circuitBreaker('inCode', { config: fromCode }).config.slidingWindowSize, 3);
  assert.equal(
    registry.circuitBreaker('inCode').config.slidingWindowSize,
    3,
    'the first request creates it',
  );
});
