/** Resilience4j's `CircuitBreakerEvent.Type`. */
export type CircuitBreakerEventType =
  | 'ERROR'
  | 'IGNORED_ERROR'
  | 'SUCCESS'
  | 'NOT_PERMITTED'
  | 'STATE_TRANSITION'
  | 'RESET'
  | 'FAILURE_RATE_EXCEEDED'
  | 'SLOW_CALL_RATE_EXCEEDED';

/** One circuit-breaker event, as Resilience4j publishes it. */
export interface CircuitBreakerEvent {
  readonly kind: 'circuitbreaker';
  readonly name: string;
  readonly type: CircuitBreakerEventType;
  /** When the event was created, ms since the epoch (on the breaker's clock). */
  readonly creationTimeMs: number;
  /** How long the call took (SUCCESS, ERROR, IGNORED_ERROR), ms. */
  readonly elapsedMs?: number;
  /** The error of an ERROR or IGNORED_ERROR event. */
  readonly error?: unknown;
  /** `CLOSED_TO_OPEN`, … for STATE_TRANSITION. */
  readonly stateTransition?: string;
  /** The rate that crossed its threshold (FAILURE_RATE_EXCEEDED, SLOW_CALL_RATE_EXCEEDED), percent. */
  readonly rate?: number;
}

/** Resilience4j's `RetryEvent`. */
export interface RetryEvent {
  readonly kind: 'retry';
  readonly name: string;
  readonly type: 'RETRY' | 'ERROR' | 'SUCCESS' | 'IGNORED_ERROR';
  readonly creationTimeMs: number;
  /** Attempts that failed so far (`getNumberOfRetryAttempts`). */
  readonly numberOfAttempts: number;
  readonly error?: unknown;
  /** The wait before the next attempt (RETRY), ms. */
  readonly waitMs?: number;
}

/** Resilience4j's `BulkheadEvent`. */
export interface BulkheadEvent {
  readonly kind: 'bulkhead';
  readonly name: string;
  readonly type: 'CALL_PERMITTED' | 'CALL_REJECTED' | 'CALL_FINISHED';
  readonly creationTimeMs: number;
}

/** Resilience4j's `RateLimiterEvent`. */
export interface RateLimiterEvent {
  readonly kind: 'ratelimiter';
  readonly name: string;
  readonly type: 'SUCCESSFUL_ACQUIRE' | 'FAILED_ACQUIRE' | 'DRAINED';
  readonly creationTimeMs: number;
  readonly permits: number;
}

/** Resilience4j's `TimeLimiterEvent`. */
export interface TimeLimiterEvent {
  readonly kind: 'timelimiter';
  readonly name: string;
  readonly type: 'SUCCESS' | 'ERROR' | 'TIMEOUT';
  readonly creationTimeMs: number;
  readonly error?: unknown;
}

/** Any event of any policy, as a registry forwards them. */
export type ResilienceEvent =
  CircuitBreakerEvent | RetryEvent | BulkheadEvent | RateLimiterEvent | TimeLimiterEvent;

/** The kinds of policy, as Resilience4j's property prefixes name them. */
export type PolicyKind = ResilienceEvent['kind'];
