import type { Clock } from '@stratus/core';
import type { CircuitBreakerConfig, SlidingWindowType } from '../circuit-breaker/config.js';
import { floatPercentage } from './java-format.js';
import {
  CountBasedWindow,
  TimeBasedWindow,
  type Outcome,
  type SlidingWindow,
  type Snapshot,
} from './sliding-window.js';

/** What one recorded call did to the thresholds (`CircuitBreakerMetrics.Result`). */
export type ThresholdResult =
  | 'BELOW_THRESHOLDS'
  | 'FAILURE_RATE_ABOVE_THRESHOLDS'
  | 'SLOW_CALL_RATE_ABOVE_THRESHOLDS'
  | 'ABOVE_THRESHOLDS'
  | 'BELOW_MINIMUM_CALLS_THRESHOLD';

export function hasExceededThresholds(result: ThresholdResult): boolean {
  return hasFailureRateExceeded(result) || hasSlowCallRateExceeded(result);
}
export function hasFailureRateExceeded(result: ThresholdResult): boolean {
  return result === 'ABOVE_THRESHOLDS' || result === 'FAILURE_RATE_ABOVE_THRESHOLDS';
}
export function hasSlowCallRateExceeded(result: ThresholdResult): boolean {
  return result === 'ABOVE_THRESHOLDS' || result === 'SLOW_CALL_RATE_ABOVE_THRESHOLDS';
}

/**
 * The window of one breaker state plus its thresholds (Resilience4j's `CircuitBreakerMetrics`).
 * Rates are Java floats, −1 until `minimumNumberOfCalls` calls are buffered.
 */
export class BreakerMetrics {
  readonly #window: SlidingWindow;
  readonly #minimumNumberOfCalls: number;
  readonly #failureRateThreshold: number;
  readonly #slowCallRateThreshold: number;
  readonly #slowCallDurationThresholdMs: number;
  #notPermittedCalls = 0;

  private constructor(
    size: number,
    type: SlidingWindowType,
    config: CircuitBreakerConfig,
    clock: Clock,
  ) {
    if (type === 'COUNT_BASED') {
      this.#window = new CountBasedWindow(size);
      this.#minimumNumberOfCalls = Math.min(config.minimumNumberOfCalls, size);
    } else {
      this.#window = new TimeBasedWindow(size, clock);
      this.#minimumNumberOfCalls = config.minimumNumberOfCalls;
    }
    this.#failureRateThreshold = Math.fround(config.failureRateThreshold);
    this.#slowCallRateThreshold = Math.fround(config.slowCallRateThreshold);
    this.#slowCallDurationThresholdMs = config.slowCallDurationThresholdMs;
  }

  static forClosed(config: CircuitBreakerConfig, clock: Clock): BreakerMetrics {
    return new BreakerMetrics(config.slidingWindowSize, config.slidingWindowType, config, clock);
  }

  /** A count window as large as the trial calls: HALF_OPEN decides on those calls alone. */
  static forHalfOpen(config: CircuitBreakerConfig, clock: Clock): BreakerMetrics {
    return new BreakerMetrics(
      config.permittedNumberOfCallsInHalfOpenState,
      'COUNT_BASED',
      config,
      clock,
    );
  }

  /** FORCED_OPEN and DISABLED keep no window. */
  static empty(config: CircuitBreakerConfig, clock: Clock): BreakerMetrics {
    return new BreakerMetrics(0, 'COUNT_BASED', config, clock);
  }

  onSuccess(durationMs: number): ThresholdResult {
    return this.#check(this.#window.record(this.#isSlow(durationMs) ? 'SLOW_SUCCESS' : 'SUCCESS'));
  }

  onError(durationMs: number): ThresholdResult {
    const outcome: Outcome = this.#isSlow(durationMs) ? 'SLOW_ERROR' : 'ERROR';
    return this.#check(this.#window.record(outcome));
  }

  onCallNotPermitted(): void {
    this.#notPermittedCalls++;
  }

  get notPermittedCalls(): number {
    return this.#notPermittedCalls;
  }

  snapshot(): Snapshot {
    return this.#window.snapshot();
  }

  failureRate(snapshot: Snapshot = this.snapshot()): number {
    if (snapshot.calls === 0 || snapshot.calls < this.#minimumNumberOfCalls) return -1;
    return floatPercentage(snapshot.failedCalls, snapshot.calls);
  }

  slowCallRate(snapshot: Snapshot = this.snapshot()): number {
    if (snapshot.calls === 0 || snapshot.calls < this.#minimumNumberOfCalls) return -1;
    return floatPercentage(snapshot.slowCalls, snapshot.calls);
  }

  #isSlow(durationMs: number): boolean {
    return durationMs > this.#slowCallDurationThresholdMs;
  }

  #check(snapshot: Snapshot): ThresholdResult {
    const failureRate = this.failureRate(snapshot);
    const slowCallRate = this.slowCallRate(snapshot);
    if (failureRate === -1 || slowCallRate === -1) return 'BELOW_MINIMUM_CALLS_THRESHOLD';
    const failing = failureRate >= this.#failureRateThreshold;
    const slow = slowCallRate >= this.#slowCallRateThreshold;
    if (failing && slow) return 'ABOVE_THRESHOLDS';
    if (failing) return 'FAILURE_RATE_ABOVE_THRESHOLDS';
    if (slow) return 'SLOW_CALL_RATE_ABOVE_THRESHOLDS';
    return 'BELOW_THRESHOLDS';
  }
}
