import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * RES_ERR_CALL_NOT_PERMITTED → 503: the circuit breaker is OPEN or FORCED_OPEN (or HALF_OPEN with
 * its trial calls used up) — Resilience4j's `CallNotPermittedException`. Not retryable: retrying
 * at once only meets the same open breaker.
 */
export class CallNotPermittedError extends StratusError {
  readonly circuitBreakerName: string;
  constructor(circuitBreakerName: string, state: string) {
    super('RES_ERR_CALL_NOT_PERMITTED', 503, 'Call not permitted', {
      message: `CircuitBreaker '${circuitBreakerName}' is ${state} and does not permit further calls`,
      details: { circuitBreakerName, state },
      retryable: false,
    });
    this.name = 'CallNotPermittedError';
    this.circuitBreakerName = circuitBreakerName;
  }
}

/** RES_ERR_BULKHEAD_FULL → 503: no permit within `maxWaitDuration` — `BulkheadFullException`. */
export class BulkheadFullError extends StratusError {
  readonly bulkheadName: string;
  constructor(bulkheadName: string) {
    super('RES_ERR_BULKHEAD_FULL', 503, 'Bulkhead full', {
      message: `Bulkhead '${bulkheadName}' is full and does not permit further calls`,
      details: { bulkheadName },
      retryable: true,
    });
    this.name = 'BulkheadFullError';
    this.bulkheadName = bulkheadName;
  }
}

/** RES_ERR_REQUEST_NOT_PERMITTED → 429: no permission within `timeoutDuration` — `RequestNotPermitted`. */
export class RequestNotPermittedError extends StratusError {
  readonly rateLimiterName: string;
  constructor(rateLimiterName: string) {
    super('RES_ERR_REQUEST_NOT_PERMITTED', 429, 'Request not permitted', {
      message: `RateLimiter '${rateLimiterName}' does not permit further calls`,
      details: { rateLimiterName },
      retryable: true,
    });
    this.name = 'RequestNotPermittedError';
    this.rateLimiterName = rateLimiterName;
  }
}

/** RES_ERR_TIMEOUT → 504: the call outlived `timeoutDuration` — the TimeLimiter's `TimeoutException`. */
export class TimeLimiterTimeoutError extends StratusError {
  readonly timeLimiterName: string;
  constructor(timeLimiterName: string, timeoutMs: number) {
    super('RES_ERR_TIMEOUT', 504, 'Call timed out', {
      message: `TimeLimiter '${timeLimiterName}' recorded a timeout exception.`,
      details: { timeLimiterName, timeoutMs },
      retryable: true,
    });
    this.name = 'TimeoutError';
    this.timeLimiterName = timeLimiterName;
  }
}

/** RES_ERR_MAX_RETRIES_EXCEEDED → 502: `failAfterMaxAttempts` and the last result still asked for a retry. */
export class MaxRetriesExceededError extends StratusError {
  readonly retryName: string;
  constructor(retryName: string, maxAttempts: number) {
    super('RES_ERR_MAX_RETRIES_EXCEEDED', 502, 'Retries exhausted', {
      message: `Retry '${retryName}' has exhausted all attempts (${maxAttempts})`,
      details: { retryName, maxAttempts },
      retryable: false,
    });
    this.name = 'MaxRetriesExceededError';
    this.retryName = retryName;
  }
}

/** RES_ERR_RESULT_RECORDED_AS_FAILURE: a result the breaker's `recordResult` counted as a failure. */
export class ResultRecordedAsFailureError extends StratusError {
  readonly result: unknown;
  constructor(circuitBreakerName: string, result: unknown) {
    super('RES_ERR_RESULT_RECORDED_AS_FAILURE', 502, 'Result recorded as failure', {
      message: `CircuitBreaker '${circuitBreakerName}' has recorded a result as a failure`,
      details: { circuitBreakerName },
      retryable: true,
    });
    this.name = 'ResultRecordedAsFailureError';
    this.result = result;
  }
}

/** RES_ERR_ILLEGAL_STATE_TRANSITION → 409: a transition Resilience4j's table does not have. */
export class IllegalStateTransitionError extends StratusError {
  constructor(circuitBreakerName: string, from: string, to: string) {
    super('RES_ERR_ILLEGAL_STATE_TRANSITION', 409, 'Illegal state transition', {
      message: `CircuitBreaker '${circuitBreakerName}' tried an illegal state transition from ${from} to ${to}`,
      details: { circuitBreakerName, from, to },
      retryable: false,
    });
    this.name = 'IllegalStateTransitionError';
  }
}

/**
 * RES_ERR_INVALID_CONFIG → 500: the `resilience4j.*` properties do not bind; `details.problems`
 * lists every problem, one line each.
 */
export class InvalidResilienceConfigError extends StratusError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options: StratusErrorOptions = {}) {
    super('RES_ERR_INVALID_CONFIG', 500, 'Invalid resilience configuration', {
      ...options,
      message: `Invalid resilience configuration:\n  - ${problems.join('\n  - ')}`,
      details: { problems: [...problems] },
      retryable: false,
    });
    this.name = 'InvalidResilienceConfigError';
    this.problems = problems;
  }
}
