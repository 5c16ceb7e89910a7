import { InvalidResilienceConfigError } from '../errors.js';
import { constantInterval, type IntervalFunction } from '../interval.js';

/** Resilience4j's `CircuitBreaker.State`. */
export type CircuitBreakerState =
  'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'DISABLED' | 'FORCED_OPEN' | 'METRICS_ONLY';

/** Resilience4j's `SlidingWindowType`. */
export type SlidingWindowType = 'COUNT_BASED' | 'TIME_BASED';

/** A circuit breaker's settings, as `CircuitBreakerConfig`, with durations in milliseconds. */
export interface CircuitBreakerConfig {
  /** Failure rate (percent, 0 < x ≤ 100) at or above which the breaker opens. @default 50 */
  readonly failureRateThreshold: number;
  /** Slow-call rate (percent) at or above which the breaker opens. @default 100 */
  readonly slowCallRateThreshold: number;
  /** A call that takes longer than this is slow, ms. @default 60000 (60 s) */
  readonly slowCallDurationThresholdMs: number;
  /** @default 'COUNT_BASED' */
  readonly slidingWindowType: SlidingWindowType;
  /** Calls (COUNT_BASED) or seconds (TIME_BASED) in the window. @default 100 */
  readonly slidingWindowSize: number;
  /** Calls needed before a rate is computed; capped at the window size when COUNT_BASED. @default 100 */
  readonly minimumNumberOfCalls: number;
  /** Trial calls allowed in HALF_OPEN. @default 10 */
  readonly permittedNumberOfCallsInHalfOpenState: number;
  /** Time spent OPEN before trial calls are allowed, ms. @default 60000 (60 s) */
  readonly waitDurationInOpenStateMs: number;
  /**
   * Wait in OPEN as a function of how many times the breaker opened in a row (1, 2, …); overrides
   * `waitDurationInOpenStateMs` (Spring's `enableExponentialBackoff`). @default constant wait
   */
  readonly waitIntervalInOpenState: IntervalFunction;
  /** Move OPEN → HALF_OPEN when the wait is over, without waiting for a call. @default false */
  readonly automaticTransitionFromOpenToHalfOpenEnabled: boolean;
  /** Longest stay in HALF_OPEN before `transitionToStateAfterWaitDuration`; 0 = no limit, ms. @default 0 */
  readonly maxWaitDurationInHalfOpenStateMs: number;
  /** Where a HALF_OPEN breaker goes after `maxWaitDurationInHalfOpenState`. @default 'OPEN' */
  readonly transitionToStateAfterWaitDuration: 'OPEN' | 'CLOSED';
  /** @default 'CLOSED' */
  readonly initialState: CircuitBreakerState;
  /** Which errors count as failures (`recordExceptions`); the rest count as successes. @default every error */
  readonly recordException: (error: unknown) => boolean;
  /** Which errors count as neither (`ignoreExceptions`); checked first. @default none */
  readonly ignoreException: (error: unknown) => boolean;
  /** Which results count as failures (`recordResultPredicate`). @default none */
  readonly recordResult: ((result: unknown) => boolean) | undefined;
}

type SettingsWithoutFunctions = Omit<
  CircuitBreakerConfig,
  'waitIntervalInOpenState' | 'recordException' | 'ignoreException' | 'recordResult'
>;

/** The settings a caller may give; the rest come from Resilience4j's defaults. */
export type CircuitBreakerConfigInput = Partial<CircuitBreakerConfig>;

const DEFAULTS: Readonly<SettingsWithoutFunctions> = Object.freeze({
  failureRateThreshold: 50,
  slowCallRateThreshold: 100,
  slowCallDurationThresholdMs: 60_000,
  slidingWindowType: 'COUNT_BASED',
  slidingWindowSize: 100,
  minimumNumberOfCalls: 100,
  permittedNumberOfCallsInHalfOpenState: 10,
  waitDurationInOpenStateMs: 60_000,
  automaticTransitionFromOpenToHalfOpenEnabled: false,
  maxWaitDurationInHalfOpenStateMs: 0,
  transitionToStateAfterWaitDuration: 'OPEN',
  initialState: 'CLOSED',
});

/** Resilience4j's `CircuitBreakerConfig.ofDefaults()`. */
export const CIRCUIT_BREAKER_DEFAULTS: CircuitBreakerConfig = resolveCircuitBreakerConfig({});

/**
 * Fills in defaults and checks ranges as `CircuitBreakerConfig.Builder` does.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every problem.
 */
export function resolveCircuitBreakerConfig(
  input: CircuitBreakerConfigInput,
): CircuitBreakerConfig {
  const merged = { ...DEFAULTS, ...definedOnly(input) };
  const problems = circuitBreakerProblems(merged);
  if (problems.length > 0) throw new InvalidResilienceConfigError(problems);
  return Object.freeze({
    ...merged,
    waitIntervalInOpenState:
      input.waitIntervalInOpenState ?? constantInterval(merged.waitDurationInOpenStateMs),
    recordException: input.recordException ?? (() => true),
    ignoreException: input.ignoreException ?? (() => false),
    recordResult: input.recordResult,
  });
}

/** Range problems of a breaker's settings, one sentence each (empty when valid). */
export function circuitBreakerProblems(c: SettingsWithoutFunctions): string[] {
  const problems: string[] = [];
  const inRange = (value: number) => value > 0 && value <= 100;
  if (!inRange(c.failureRateThreshold))
    problems.push(
      `failureRateThreshold must be greater than 0 and at most 100, but was ${c.failureRateThreshold}`,
    );
  if (!inRange(c.slowCallRateThreshold))
    problems.push(
      `slowCallRateThreshold must be greater than 0 and at most 100, but was ${c.slowCallRateThreshold}`,
    );
  if (!(c.slowCallDurationThresholdMs >= 1e-6))
    problems.push('slowCallDurationThreshold must be at least 1 ns');
  if (!(c.waitDurationInOpenStateMs >= 1))
    problems.push('waitDurationInOpenState must be at least 1 ms');
  if (!(c.maxWaitDurationInHalfOpenStateMs >= 0))
    problems.push('maxWaitDurationInHalfOpenState must be greater than or equal to 0 ms');
  for (const key of [
    'slidingWindowSize',
    'minimumNumberOfCalls',
    'permittedNumberOfCallsInHalfOpenState',
  ] as const) {
    if (!(Number.isInteger(c[key]) && c[key] >= 1))
      problems.push(`${key} must be an integer greater than 0`);
  }
  if (c.slidingWindowType !== 'COUNT_BASED' && c.slidingWindowType !== 'TIME_BASED')
    problems.push(
      `slidingWindowType must be COUNT_BASED or TIME_BASED, but was ${String(c.slidingWindowType)}`,
    );
  if (
    c.transitionToStateAfterWaitDuration !== 'OPEN' &&
    c.transitionToStateAfterWaitDuration !== 'CLOSED'
  )
    problems.push('transitionToStateAfterWaitDuration must be either OPEN or CLOSED');
  return problems;
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
