import fc from 'fast-check';
import { createManualClock } from '@stratus/core';
import { createBulkhead } from '../bulkhead/bulkhead.js';
import { createCircuitBreaker } from '../circuit-breaker/circuit-breaker.js';
import type { CircuitBreakerState } from '../circuit-breaker/config.js';
import { exceptionMatcher } from '../config/exception-matcher.js';
import { IllegalStateTransitionError } from '../errors.js';
import { constantInterval, exponentialBackoff } from '../interval.js';
import { formatJavaFloat } from '../internal/java-format.js';
import { createRateLimiter } from '../rate-limiter/rate-limiter.js';
import { createRetry } from '../retry/retry.js';
import { createManualTimers, type Timers } from '../timers.js';

/** The harness's clock starts here (not on a second boundary, to exercise TIME_BASED buckets). */
export const START_MILLIS = 1_700_000_000_123;

type Config = Record<string, string | number | boolean>;

/** A generated scenario: the harness's config tokens and ops. */
export interface Scenario {
  readonly config: Config;
  readonly ops: readonly string[];
}

// Errors named as the harness's exception classes, matched by class name as YAML would list them.
class RecordedException extends Error {
  override name = 'RecordedException';
}
class IgnoredException extends Error {
  override name = 'IgnoredException';
}
class OtherException extends Error {
  override name = 'OtherException';
}
const isIgnored = exceptionMatcher(['io.example.IgnoredException']);
const isRecorded = exceptionMatcher(['io.example.RecordedException']);

/** Timers that run every callback on the next microtask and note the delay asked for. */
function instantTimers(delays: number[]): Timers {
  return {
    setTimeout(callback, delayMs) {
      delays.push(delayMs);
      queueMicrotask(callback);
      return () => {};
    },
  };
}

// ---- circuit breaker ---------------------------------------------------------------------------

const STATES: CircuitBreakerState[] = [
  'CLOSED',
  'OPEN',
  'HALF_OPEN',
  'DISABLED',
  'FORCED_OPEN',
  'METRICS_ONLY',
];

export const circuitBreakerScenario: fc.Arbitrary<Scenario> = fc
  .record(
    {
      failureRateThreshold: fc.constantFrom(1, 10, 25, 33.3, 100 / 3, 50, 66.6, 200 / 3, 75, 100),
      slowCallRateThreshold: fc.constantFrom(10, 33.3, 50, 100),
      slowCallDurationThreshold: fc.integer({ min: 1, max: 300 }),
      slidingWindowType: fc.constantFrom('COUNT_BASED', 'TIME_BASED'),
      slidingWindowSize: fc.integer({ min: 1, max: 10 }),
      minimumNumberOfCalls: fc.integer({ min: 1, max: 12 }),
      permittedNumberOfCallsInHalfOpenState: fc.integer({ min: 1, max: 5 }),
      waitDurationInOpenState: fc.integer({ min: 1, max: 4000 }),
      automaticTransition: fc.boolean(),
      maxWaitDurationInHalfOpenState: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
      transitionToStateAfterWaitDuration: fc.constantFrom('OPEN', 'CLOSED'),
      recordOnlyRecordedException: fc.boolean(),
      exponentialBackoffMultiplier: fc.constantFrom(1.5, 2, 3),
      exponentialMaxWaitDurationInOpenState: fc.integer({ min: 1, max: 20_000 }),
      initialState: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...STATES) },
      ),
    },
    {
      requiredKeys: [
        'failureRateThreshold',
        'slidingWindowType',
        'slidingWindowSize',
        'minimumNumberOfCalls',
        'waitDurationInOpenState',
        'initialState',
      ],
    },
  )
  .chain((config) => {
    const cleaned: Config = Object.fromEntries(
      Object.entries(config).filter(([, v]) => v !== undefined),
    ) as Config;
    if (cleaned.exponentialBackoffMultiplier === undefined)
      delete cleaned.exponentialMaxWaitDurationInOpenState;
    // Resilience4j's reset() leaves a pending automatic transition armed (see the ADR): not compared.
    const resettable =
      !cleaned.automaticTransition && !(Number(cleaned.maxWaitDurationInHalfOpenState ?? 0) > 0);
    // Each scenario leans its own way, from mostly failing to mostly succeeding.
    const outcome = (okWeight: number) =>
      fc.oneof(
        { weight: okWeight, arbitrary: fc.constant('s') },
        { weight: 3, arbitrary: fc.constant('e') },
        { weight: 1, arbitrary: fc.constantFrom('i', 'n') },
      );
    const duration = fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }) },
    );
    const call = (okWeight: number) =>
      fc.tuple(outcome(okWeight), duration).map(([c, d]) => `${c}${d}`);
    // Steps that land exactly on the configured waits, where `>` and `>=` differ.
    const wait = Number(cleaned.waitDurationInOpenState);
    const halfOpenWait = Number(cleaned.maxWaitDurationInHalfOpenState ?? 0);
    const exact = fc.constantFrom(
      `t${wait}`,
      `t${Math.max(0, wait - 1)}`,
      't1',
      `t${halfOpenWait}`,
      't1000',
    );
    const manual = fc.constantFrom(
      ...(resettable ? ['F', 'D', 'M', 'C', 'H', 'O', 'R'] : ['F', 'D', 'M', 'C', 'H', 'O']),
    );
    const op = (okWeight: number) =>
      fc.oneof(
        { weight: 14, arbitrary: call(okWeight) },
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 2500 }).map((ms) => `t${ms}`) },
        { weight: 2, arbitrary: exact },
        { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((ms) => `t${ms}`) },
        { weight: 1, arbitrary: manual },
        { weight: 1, arbitrary: fc.constant('m') },
      );
    return fc
      .integer({ min: 1, max: 12 })
      .chain((okWeight) => fc.array(op(okWeight), { minLength: 1, maxLength: 80, size: 'large' }))
      .map((ops) => ({ config: cleaned, ops }));
  });

/**
 * Runs a breaker scenario through Stratus; the observations in the harness's format. With
 * `timersRun` false the breaker's timers never fire, so time-driven transitions must come from
 * the breaker reading its clock.
 */
export function runCircuitBreaker(scenario: Scenario, timersRun = true): string {
  const c = scenario.config;
  const clock = createManualClock(START_MILLIS);
  const timers = createManualTimers(clock);
  const breakerTimers: Timers = timersRun ? timers : { setTimeout: () => () => {} };
  const wait = Number(c.waitDurationInOpenState);
  const breaker = createCircuitBreaker(
    'harness',
    {
      failureRateThreshold: Number(c.failureRateThreshold ?? 50),
      slowCallRateThreshold: Number(c.slowCallRateThreshold ?? 100),
      slowCallDurationThresholdMs: Number(c.slowCallDurationThreshold ?? 60_000),
      slidingWindowType: (c.slidingWindowType ?? 'COUNT_BASED') as 'COUNT_BASED' | 'TIME_BASED',
      slidingWindowSize: Number(c.slidingWindowSize ?? 100),
      minimumNumberOfCalls: Number(c.minimumNumberOfCalls ?? 100),
      permittedNumberOfCallsInHalfOpenState: Number(c.permittedNumberOfCallsInHalfOpenState ?? 10),
      automaticTransitionFromOpenToHalfOpenEnabled: c.automaticTransition === true,
      maxWaitDurationInHalfOpenStateMs: Number(c.maxWaitDurationInHalfOpenState ?? 0),
      transitionToStateAfterWaitDuration: (c.transitionToStateAfterWaitDuration ?? 'OPEN') as
        'OPEN' | 'CLOSED',
      waitDurationInOpenStateMs: wait,
      waitIntervalInOpenState:
        c.exponentialBackoffMultiplier === undefined
          ? constantInterval(wait)
          : exponentialBackoff({
              initialIntervalMs: wait,
              multiplier: Number(c.exponentialBackoffMultiplier),
              maxIntervalMs: Number(c.exponentialMaxWaitDurationInOpenState ?? 600_000),
            }),
      ignoreException: isIgnored,
      ...(c.recordOnlyRecordedException === true ? { recordException: isRecorded } : {}),
      ...(c.initialState !== undefined
        ? { initialState: c.initialState as CircuitBreakerState }
        : {}),
    },
    { clock, timers: breakerTimers },
  );
  const events: string[] = [];
  breaker.onEvent((e) =>
    events.push(e.type === 'STATE_TRANSITION' ? `ST:${e.stateTransition}` : e.type),
  );
  const out: string[] = [];
  for (const op of scenario.ops) {
    events.length = 0;
    const permit = circuitBreakerStep(breaker, timers, op);
    const m = breaker.metrics;
    out.push(
      [
        breaker.state,
        permit,
        formatJavaFloat(m.failureRate),
        formatJavaFloat(m.slowCallRate),
        m.numberOfBufferedCalls,
        m.numberOfFailedCalls,
        m.numberOfSlowCalls,
        m.numberOfSlowFailedCalls,
        m.numberOfNotPermittedCalls,
        events.length === 0 ? '_' : events.join(','),
      ].join('/'),
    );
  }
  return out.join(' ');
}

function circuitBreakerStep(
  breaker: ReturnType<typeof createCircuitBreaker>,
  timers: ReturnType<typeof createManualTimers>,
  op: string,
): string {
  const code = op[0]!;
  try {
    switch (code) {
      case 's':
      case 'e':
      case 'i':
      case 'n': {
        const duration = Number(op.slice(1));
        if (!breaker.tryAcquirePermission()) return 'N';
        timers.advance(duration);
        if (code === 's') breaker.onSuccess(duration);
        else
          breaker.onError(
            duration,
            code === 'e'
              ? new RecordedException('recorded')
              : code === 'i'
                ? new IgnoredException('ignored')
                : new OtherException('other'),
          );
        return 'P';
      }
      case 't':
        timers.advance(Number(op.slice(1)));
        return '-';
      case 'F':
        breaker.transitionToForcedOpenState();
        return '-';
      case 'D':
        breaker.transitionToDisabledState();
        return '-';
      case 'M':
        breaker.transitionToMetricsOnlyState();
        return '-';
      case 'C':
        breaker.transitionToClosedState();
        return '-';
      case 'H':
        breaker.transitionToHalfOpenState();
        return '-';
      case 'O':
        breaker.transitionToOpenState();
        return '-';
      case 'R':
        breaker.reset();
        return '-';
      default:
        return '-';
    }
  } catch (error) {
    if (error instanceof IllegalStateTransitionError) return 'X';
    throw error;
  }
}

// ---- retry -------------------------------------------------------------------------------------

export const retryScenario: fc.Arbitrary<Scenario> = fc
  .record({
    maxAttempts: fc.integer({ min: 1, max: 5 }),
    backoff: fc.option(
      fc.record({
        multiplier: fc.constantFrom(1.5, 2, 3),
        max: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    waitDuration: fc.integer({ min: 0, max: 1000 }),
    failAfterMaxAttempts: fc.boolean(),
    retryOnlyRecordedException: fc.boolean(),
    calls: fc.array(fc.stringMatching(/^[EINRS]{1,6}$/), {
      minLength: 1,
      maxLength: 12,
      size: 'large',
    }),
  })
  .map(({ backoff, calls, waitDuration, ...rest }) => {
    const config: Config = {
      ...rest,
      waitDuration: backoff ? Math.max(1, waitDuration) : waitDuration,
    };
    if (backoff) {
      config.exponentialBackoffMultiplier = backoff.multiplier;
      if (backoff.max !== undefined) config.exponentialMaxWaitDuration = backoff.max;
    }
    return { config, ops: calls };
  });

/** Runs a retry scenario through Stratus's `Retry.execute`. */
export async function runRetry(scenario: Scenario): Promise<string> {
  const c = scenario.config;
  const wait = Number(c.waitDuration);
  const retryOnly = c.retryOnlyRecordedException === true;
  const delays: number[] = [];
  const retry = createRetry(
    'harness',
    {
      maxAttempts: Number(c.maxAttempts),
      intervalFunction:
        c.exponentialBackoffMultiplier === undefined
          ? constantInterval(wait)
          : exponentialBackoff({
              initialIntervalMs: wait,
              multiplier: Number(c.exponentialBackoffMultiplier),
              ...(c.exponentialMaxWaitDuration !== undefined
                ? { maxIntervalMs: Number(c.exponentialMaxWaitDuration) }
                : {}),
            }),
      failAfterMaxAttempts: c.failAfterMaxAttempts === true,
      retryOnException: (error) => (!retryOnly || isRecorded(error)) && !isIgnored(error),
      retryOnResult: (result) => result === 'R',
      honourRetryAfter: false,
    },
    { timers: instantTimers(delays) },
  );
  const events: string[] = [];
  retry.onEvent((e) => events.push(`${e.type}:${e.numberOfAttempts}`));
  const out: string[] = [];
  for (const call of scenario.ops) {
    events.length = 0;
    delays.length = 0;
    let attempts = 0;
    let outcome: string;
    try {
      outcome = await retry.execute(() => {
        const code = call[attempts] ?? 'S';
        attempts++;
        if (code === 'E') throw new RecordedException('recorded');
        if (code === 'I') throw new IgnoredException('ignored');
        if (code === 'N') throw new OtherException('other');
        return code === 'R' ? 'R' : 'S';
      });
    } catch (error) {
      outcome =
        (error as { code?: string }).code === 'RES_ERR_MAX_RETRIES_EXCEEDED'
          ? 'MAX'
          : `E:${(error as Error).name}`;
    }
    const m = retry.metrics;
    out.push(
      [
        outcome,
        attempts,
        delays.length === 0 ? '_' : delays.join(','),
        m.numberOfSuccessfulCallsWithoutRetryAttempt,
        m.numberOfSuccessfulCallsWithRetryAttempt,
        m.numberOfFailedCallsWithoutRetryAttempt,
        m.numberOfFailedCallsWithRetryAttempt,
        m.numberOfTotalCalls,
        events.length === 0 ? '_' : events.join(','),
      ].join('/'),
    );
  }
  return out.join(' ');
}

// ---- rate limiter ------------------------------------------------------------------------------

export const rateLimiterScenario: fc.Arbitrary<Scenario> = fc
  .record({
    limitForPeriod: fc.integer({ min: 1, max: 5 }),
    limitRefreshPeriodNanos: fc.oneof(
      fc.integer({ min: 1, max: 1000 }).map((ms) => ms * 1_000_000),
      fc.integer({ min: 500, max: 999_999 }),
    ),
    timeoutDuration: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
  })
  .chain((config) => {
    const ops = [
      fc.integer({ min: 0, max: 1500 }).map((ms) => `t${ms}`),
      fc.integer({ min: 1, max: 4 }).map((n) => `r${n}`),
      fc.constantFrom('d', 'm'),
      ...(config.timeoutDuration === 0 ? [fc.integer({ min: 1, max: 3 }).map((n) => `a${n}`)] : []),
    ];
    return fc
      .array(fc.oneof(...ops), { minLength: 1, maxLength: 60, size: 'large' })
      .map((list) => ({ config, ops: list }));
  });

/** Runs a rate-limiter scenario through Stratus. */
export async function runRateLimiter(scenario: Scenario): Promise<string> {
  const c = scenario.config;
  const clock = createManualClock(START_MILLIS);
  const limiter = createRateLimiter(
    'harness',
    {
      limitForPeriod: Number(c.limitForPeriod),
      limitRefreshPeriodMs: Number(c.limitRefreshPeriodNanos) / 1e6,
      timeoutDurationMs: Number(c.timeoutDuration),
    },
    { clock, timers: instantTimers([]) },
  );
  const out: string[] = [];
  for (const op of scenario.ops) {
    let result = '-';
    const n = Number(op.slice(1));
    if (op[0] === 't') clock.advance(n);
    else if (op[0] === 'r') {
      const waitMs = limiter.reservePermission(n);
      result = String(waitMs < 0 ? -1 : Math.round(waitMs * 1e6));
    } else if (op[0] === 'a') result = (await limiter.acquirePermission(n)) ? 'P' : 'N';
    else if (op === 'd') limiter.drainPermissions();
    out.push(`${result}/${limiter.metrics.availablePermissions}`);
  }
  return out.join(' ');
}

// ---- bulkhead ----------------------------------------------------------------------------------

export const bulkheadScenario: fc.Arbitrary<Scenario> = fc.record({
  config: fc.record({ maxConcurrentCalls: fc.integer({ min: 0, max: 5 }) }),
  ops: fc.array(fc.constantFrom('a', 'a', 'c', 'm'), {
    minLength: 1,
    maxLength: 40,
    size: 'large',
  }),
});

/** Runs a bulkhead scenario through Stratus. */
export function runBulkhead(scenario: Scenario): string {
  const bulkhead = createBulkhead('harness', {
    maxConcurrentCalls: Number(scenario.config.maxConcurrentCalls),
    maxWaitDurationMs: 0,
  });
  const events: string[] = [];
  bulkhead.onEvent((e) => events.push(e.type));
  let held = 0;
  const out: string[] = [];
  for (const op of scenario.ops) {
    events.length = 0;
    let result = '-';
    if (op === 'a') {
      const permitted = bulkhead.tryAcquirePermission();
      if (permitted) held++;
      result = permitted ? 'P' : 'N';
    } else if (op === 'c' && held > 0) {
      bulkhead.onComplete();
      held--;
    }
    out.push(
      `${result}/${bulkhead.metrics.availableConcurrentCalls}/${events.length === 0 ? '_' : events.join(',')}`,
    );
  }
  return out.join(' ');
}
