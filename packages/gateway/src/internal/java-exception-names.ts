import { isStratusError } from '@stratus/core';

/** An upstream answered with a status the CircuitBreaker filter counts as a failure. */
export class CircuitBreakerStatusCodeError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`${status}`);
    this.name = 'CircuitBreakerStatusCodeException';
    this.status = status;
  }
}

// What a Spring fallback handler would see in Execution-Exception-Type for the same failure.
const JAVA_NAMES: Readonly<Record<string, string>> = Object.freeze({
  RES_ERR_TIMEOUT: 'java.util.concurrent.TimeoutException',
  RES_ERR_CALL_NOT_PERMITTED: 'io.github.resilience4j.circuitbreaker.CallNotPermittedException',
  RES_ERR_BULKHEAD_FULL: 'io.github.resilience4j.bulkhead.BulkheadFullException',
  GW_ERR_UPSTREAM_TIMEOUT: 'java.util.concurrent.TimeoutException',
  GW_ERR_UPSTREAM_UNAVAILABLE: 'java.net.ConnectException',
  GW_ERR_BAD_GATEWAY: 'java.io.IOException',
  GW_ERR_NO_INSTANCE: 'org.springframework.cloud.gateway.support.NotFoundException',
});

/** A Java-style exception class name for a failure (Spring's `getClass().getName()`). */
export function javaExceptionName(error: unknown): string {
  if (error instanceof CircuitBreakerStatusCodeError)
    return 'org.springframework.cloud.gateway.filter.factory.SpringCloudCircuitBreakerFilterFactory$CircuitBreakerStatusCodeException';
  if (isStratusError(error)) return JAVA_NAMES[error.code] ?? error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'java.lang.Exception';
}

/** The last error of the `cause` chain (ExceptionUtils.getRootCause), cycles guarded. */
export function rootCauseOf(error: unknown): unknown {
  const seen = new Set<unknown>();
  let current = error;
  while (current !== null && current !== undefined && !seen.has(current)) {
    seen.add(current);
    const next = (current as { cause?: unknown }).cause;
    if (next === undefined || next === null) return current;
    current = next;
  }
  return current;
}
