import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createManualTimers } from '../timers.js';
import { exponentialBackoff } from '../interval.js';
import { exceptionMatcher } from '../config/exception-matcher.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerConfigInput } from './config.js';

// The key cases of Resilience4j's CircuitBreakerStateMachineTest, on a manual clock.

function breakerWith(config: CircuitBreakerConfigInput) {
  const clock = createManualClock(1_700_000_000_000);
  const timers = createManualTimers(clock);
  const breaker = createCircuitBreaker('testName', config, { clock, timers });
  const events: string[] = [];
  breaker.onEvent((e) => events.push(e.type === 'STATE_TRANSITION' ? e.stateTransition! : e.type));
  return { breaker, clock, timers, events };
}

class RecordedError extends Error {
  override name = 'RecordedError';
}
class IgnoredError extends Error {
  override name = 'IgnoredError';
}

const fail = (breaker: ReturnType<typeof createCircuitBreaker>, times = 1) => {
  for (let i = 0; i < times; i++) {
    assert.equal(breaker.tryAcquirePermission(), true);
    breaker.onError(0, new RecordedError('boom'));
  }
};
const succeed = (breaker: ReturnType<typeof createCircuitBreaker>, times = 1, durationMs = 0) => {
  for (let i = 0; i < times; i++) {
    assert.equal(breaker.tryAcquirePermission(), true);
    breaker.onSuccess(durationMs);
  }
};

test('reports no failure rate and stays CLOSED until minimumNumberOfCalls calls are buffered', () => {
  const { breaker } = breakerWith({
    slidingWindowSize: 5,
    minimumNumberOfCalls: 3,
    failureRateThreshold: 50,
  });
  fail(breaker, 2);
  assert.equal(breaker.state, 'CLOSED');
  assert.equal(breaker.metrics.failureRate, -1);
  assert.equal(breaker.metrics.numberOfBufferedCalls, 2);
  fail(breaker);
  assert.equal(breaker.state, 'OPEN');
  assert.equal(breaker.metrics.failureRate, 100);
});

test('opens once the failure rate reaches the threshold after minimumNumberOfCalls', () => {
  const { breaker, events } = breakerWith({
    slidingWindowSize: 4,
    minimumNumberOfCalls: 4,
    failureRateThreshold: 50,
  });
  succeed(breaker, 2);
  fail(breaker);
  assert.equal(breaker.state, 'CLOSED');
  fail(breaker);
  assert.equal(breaker.state, 'OPEN');
  assert.equal(breaker.metrics.failureRate, 50);
  assert.deepEqual(events.slice(-3), ['ERROR', 'FAILURE_RATE_EXCEEDED', 'CLOSED_TO_OPEN']);
});

test('caps minimumNumberOfCalls at the size of a COUNT_BASED window', () => {
  const { breaker } = breakerWith({ slidingWindowSize: 2, minimumNumberOfCalls: 100 });
  fail(breaker, 2);
  assert.equal(breaker.state, 'OPEN');
});

test('opens when the slow-call rate reaches its threshold, calls slower than slowCallDurationThreshold being slow', () => {
  const { breaker, events } = breakerWith({
    slidingWindowSize: 4,
    minimumNumberOfCalls: 4,
    slowCallRateThreshold: 50,
    slowCallDurationThresholdMs: 100,
  });
  succeed(breaker, 2, 100); // exactly the threshold is not slow
  succeed(breaker, 1, 101);
  assert.equal(breaker.state, 'CLOSED');
  succeed(breaker, 1, 500);
  assert.equal(breaker.state, 'OPEN');
  assert.equal(breaker.metrics.slowCallRate, 50);
  assert.equal(breaker.metrics.numberOfSlowSuccessfulCalls, 2);
  assert.ok(events.includes('SLOW_CALL_RATE_EXCEEDED'));
});

test('stays OPEN until strictly after waitDurationInOpenState, then the next call moves it to HALF_OPEN with fresh metrics', () => {
  const { breaker, clock, events } = breakerWith({
    slidingWindowSize: 2,
    minimumNumberOfCalls: 2,
    waitDurationInOpenStateMs: 5000,
  });
  fail(breaker, 2);
  clock.advance(3000);
  assert.equal(breaker.tryAcquirePermission(), false);
  clock.advance(2000); // exactly 5 s: still OPEN, as Instant.isAfter
  assert.equal(breaker.tryAcquirePermission(), false);
  assert.equal(breaker.metrics.numberOfNotPermittedCalls, 2);
  clock.advance(1);
  assert.equal(breaker.state, 'OPEN');
  assert.equal(breaker.tryAcquirePermission(), true);
  assert.equal(breaker.state, 'HALF_OPEN');
  assert.equal(breaker.metrics.numberOfBufferedCalls, 0);
  assert.equal(breaker.metrics.numberOfNotPermittedCalls, 0);
  assert.equal(events.filter((e) => e === 'OPEN_TO_HALF_OPEN').length, 1);
});

test('permits exactly permittedNumberOfCallsInHalfOpenState trial calls, and as many again after re-entering HALF_OPEN', () => {
  const { breaker } = breakerWith({ permittedNumberOfCallsInHalfOpenState: 4 });
  breaker.transitionToOpenState();
  breaker.transitionToHalfOpenState();
  const permits = () => Array.from({ length: 6 }, () => breaker.tryAcquirePermission());
  assert.deepEqual(permits(), [true, true, true, true, false, false]);
  breaker.transitionToOpenState();
  breaker.transitionToHalfOpenState();
  assert.deepEqual(permits(), [true, true, true, true, false, false]);
});

test('moves OPEN → HALF_OPEN by itself when automaticTransitionFromOpenToHalfOpenEnabled, at the end of the wait', () => {
  const { breaker, timers, events } = breakerWith({
    slidingWindowSize: 1,
    minimumNumberOfCalls: 1,
    waitDurationInOpenStateMs: 1000,
    automaticTransitionFromOpenToHalfOpenEnabled: true,
  });
  fail(breaker);
  timers.advance(999);
  assert.ok(!events.includes('OPEN_TO_HALF_OPEN'));
  timers.advance(1); // no call needed: the timer fires on time
  assert.equal(events.at(-1), 'OPEN_TO_HALF_OPEN');
  assert.equal(breaker.state, 'HALF_OPEN');
});

test('goes back to OPEN when the trial calls fail and to CLOSED when they succeed', () => {
  const failing = breakerWith({
    permittedNumberOfCallsInHalfOpenState: 2,
    failureRateThreshold: 50,
  }).breaker;
  failing.transitionToOpenState();
  failing.transitionToHalfOpenState();
  succeed(failing);
  fail(failing);
  assert.equal(failing.state, 'OPEN');
  const healthy = breakerWith({
    permittedNumberOfCallsInHalfOpenState: 2,
    failureRateThreshold: 50,
  }).breaker;
  healthy.transitionToOpenState();
  healthy.transitionToHalfOpenState();
  succeed(healthy, 2);
  assert.equal(healthy.state, 'CLOSED');
});

test('an ignored exception releases its permit and is counted nowhere', () => {
  const { breaker, events } = breakerWith({
    permittedNumberOfCallsInHalfOpenState: 1,
    ignoreException: exceptionMatcher(['com.example.IgnoredError']),
  });
  breaker.transitionToOpenState();
  breaker.transitionToHalfOpenState();
  assert.equal(breaker.tryAcquirePermission(), true);
  breaker.onError(0, new IgnoredError('not our business'));
  assert.equal(breaker.metrics.numberOfBufferedCalls, 0);
  assert.equal(breaker.tryAcquirePermission(), true, 'the permit came back');
  assert.ok(events.includes('IGNORED_ERROR'));
});

test('errors outside recordExceptions count as successes', () => {
  const { breaker } = breakerWith({
    slidingWindowSize: 2,
    minimumNumberOfCalls: 2,
    recordException: exceptionMatcher(['RecordedError']),
  });
  breaker.onError(0, new Error('a different error'));
  breaker.onError(0, new TypeError('another'));
  assert.equal(breaker.state, 'CLOSED');
  assert.equal(breaker.metrics.numberOfFailedCalls, 0);
  assert.equal(breaker.metrics.numberOfSuccessfulCalls, 2);
});

test('maxWaitDurationInHalfOpenState sends a HALF_OPEN breaker that got no verdict back to OPEN', () => {
  const { breaker, timers, events } = breakerWith({
    permittedNumberOfCallsInHalfOpenState: 3,
    maxWaitDurationInHalfOpenStateMs: 2000,
  });
  breaker.transitionToOpenState();
  breaker.transitionToHalfOpenState();
  succeed(breaker);
  timers.advance(2000);
  assert.equal(breaker.state, 'OPEN');
  assert.equal(events.at(-1), 'HALF_OPEN_TO_OPEN');
});

test('publishes one event per transition and none for CLOSED → CLOSED, which still resets the window', () => {
  const { breaker, events } = breakerWith({});
  fail(breaker, 3);
  breaker.transitionToClosedState();
  assert.equal(breaker.metrics.numberOfBufferedCalls, 0);
  breaker.transitionToForcedOpenState();
  breaker.transitionToClosedState();
  assert.deepEqual(
    events.filter((e) => e.includes('_TO_')),
    ['CLOSED_TO_FORCED_OPEN', 'FORCED_OPEN_TO_CLOSED'],
  );
});

test('refuses CLOSED → HALF_OPEN, as Resilience4j has no such transition', () => {
  const { breaker } = breakerWith({});
  assert.throws(() => breaker.transitionToHalfOpenState(), {
    code: 'RES_ERR_ILLEGAL_STATE_TRANSITION',
  });
  assert.equal(breaker.state, 'CLOSED');
});

test('FORCED_OPEN refuses and counts every call without publishing; DISABLED permits all and records nothing', () => {
  const { breaker, events } = breakerWith({ slidingWindowSize: 1, minimumNumberOfCalls: 1 });
  breaker.transitionToForcedOpenState();
  events.length = 0;
  assert.equal(breaker.tryAcquirePermission(), false);
  assert.equal(breaker.metrics.numberOfNotPermittedCalls, 1);
  assert.deepEqual(events, []);
  breaker.transitionToDisabledState();
  fail(breaker, 5);
  assert.equal(breaker.state, 'DISABLED');
  assert.equal(breaker.metrics.numberOfBufferedCalls, 0);
});

test('METRICS_ONLY never refuses a call and publishes FAILURE_RATE_EXCEEDED once', () => {
  const { breaker, events } = breakerWith({ slidingWindowSize: 2, minimumNumberOfCalls: 2 });
  breaker.transitionToMetricsOnlyState();
  fail(breaker, 6);
  assert.equal(breaker.state, 'METRICS_ONLY');
  assert.equal(breaker.metrics.failureRate, 100);
  assert.equal(events.filter((e) => e === 'FAILURE_RATE_EXCEEDED').length, 1);
});

test('a TIME_BASED window forgets calls older than its size in seconds', () => {
  const { breaker, clock } = breakerWith({
    slidingWindowType: 'TIME_BASED',
    slidingWindowSize: 3,
    minimumNumberOfCalls: 3,
    failureRateThreshold: 100,
  });
  clock.set(1_700_000_000_000);
  breaker.onError(0, new RecordedError('x'));
  clock.advance(1000);
  breaker.onError(0, new RecordedError('x'));
  assert.equal(breaker.metrics.numberOfBufferedCalls, 2);
  clock.advance(2000);
  assert.equal(breaker.metrics.numberOfBufferedCalls, 1, 'the first second fell out of the window');
  breaker.onError(0, new RecordedError('x'));
  assert.equal(breaker.state, 'CLOSED', 'only 2 calls in the window now');
});

test('waits longer in OPEN after each consecutive opening with exponential backoff', () => {
  const { breaker, clock } = breakerWith({
    slidingWindowSize: 1,
    minimumNumberOfCalls: 1,
    permittedNumberOfCallsInHalfOpenState: 1,
    waitIntervalInOpenState: exponentialBackoff({ initialIntervalMs: 1000, multiplier: 2 }),
  });
  fail(breaker); // 1st opening: 1 s
  clock.advance(1001);
  fail(breaker); // trial fails: 2nd opening, 2 s
  clock.advance(1001);
  assert.equal(breaker.tryAcquirePermission(), false);
  clock.advance(1000);
  assert.equal(breaker.tryAcquirePermission(), true);
});

test('execute() refuses without calling the function while OPEN and records outcome and duration otherwise', async () => {
  const { breaker, clock } = breakerWith({
    slidingWindowSize: 2,
    minimumNumberOfCalls: 2,
    slowCallDurationThresholdMs: 50,
  });
  assert.equal(
    await breaker.execute(async () => {
      clock.advance(80);
      return 'ok';
    }),
    'ok',
  );
  assert.equal(breaker.metrics.numberOfSlowCalls, 1);
  await assert.rejects(
    breaker.execute(() => {
      throw new RecordedError('down');
    }),
    { name: 'RecordedError' },
  );
  breaker.transitionToOpenState();
  let called = false;
  await assert.rejects(
    breaker.execute(() => {
      called = true;
    }),
    { code: 'RES_ERR_CALL_NOT_PERMITTED', retryable: false, httpStatus: 503 },
  );
  assert.equal(called, false);
});

test('reset() closes the breaker with a fresh window and publishes the transition and RESET', () => {
  const { breaker, events } = breakerWith({ slidingWindowSize: 1, minimumNumberOfCalls: 1 });
  fail(breaker);
  breaker.reset();
  assert.equal(breaker.state, 'CLOSED');
  assert.equal(breaker.metrics.numberOfBufferedCalls, 0);
  assert.deepEqual(events.slice(-2), ['OPEN_TO_CLOSED', 'RESET']);
});

test('rejects out-of-range settings listing every problem', () => {
  assert.throws(
    () =>
      createCircuitBreaker('x', {
        failureRateThreshold: 0,
        slidingWindowSize: 0,
        waitDurationInOpenStateMs: 0,
      }),
    (error: { code: string; problems: string[] }) => {
      assert.equal(error.code, 'RES_ERR_INVALID_CONFIG');
      assert.equal(error.problems.length, 3);
      return true;
    },
  );
});

test('a result recordResult rejects counts as a failure and publishes ERROR', async () => {
  const { breaker, events } = breakerWith({
    slidingWindowSize: 1,
    minimumNumberOfCalls: 1,
    recordResult: (result) => (result as { status: number }).status >= 500,
  });
  assert.deepEqual(await breaker.execute(() => ({ status: 503 })), { status: 503 });
  assert.equal(breaker.state, 'OPEN');
  assert.deepEqual(events.slice(0, 2), ['ERROR', 'FAILURE_RATE_EXCEEDED']);
});
