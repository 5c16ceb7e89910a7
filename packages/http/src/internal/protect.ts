import { isStratusError } from '@stratus/core';
import {
  CallController,
  onAbort,
  type AnySignal,
  type CallSignal,
  type SpringCircuitBreaker,
} from '@stratus/resilience';
import { HttpErrors, timeoutError } from '../errors.js';
import type { ClientRuntime } from './client-runtime.js';

/** A call that takes the signal it must stop on. */
export type SignalledCall<T> = (signal: AnySignal | undefined) => Promise<T>;

/** Spring Cloud CircuitBreaker's refusals, as this package's errors (the original is the cause). */
export function httpErrorOf(cause: unknown, breakerId: string, runtime: ClientRuntime): Error {
  if (isStratusError(cause)) {
    if (cause.code === 'RES_ERR_CALL_NOT_PERMITTED')
      return HttpErrors.CIRCUIT_OPEN({
        message: `Circuit breaker '${breakerId}' does not permit calls to ${runtime.clientName}`,
        details: { circuitBreaker: breakerId, target: runtime.clientName },
        cause,
      });
    if (cause.code === 'RES_ERR_BULKHEAD_FULL')
      return HttpErrors.BULKHEAD_FULL({
        message: `No free call slot for ${runtime.clientName}`,
        details: { bulkhead: cause.details.bulkheadName, target: runtime.clientName },
        cause,
      });
    if (cause.code === 'RES_ERR_TIMEOUT')
      return timeoutError(runtime.clientName, Number(cause.details.timeoutMs), cause);
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}

/** `inner`, also aborted when `caller` is; the listeners go when the call settles. */
function withCallerSignal<T>(
  inner: CallSignal,
  caller: AnySignal | undefined,
  call: SignalledCall<T>,
): Promise<T> {
  return caller === undefined ? call(inner) : joined(inner, caller, call);
}

async function joined<T>(inner: CallSignal, caller: AnySignal, call: SignalledCall<T>): Promise<T> {
  const controller = new CallController();
  if (inner.aborted || caller.aborted) controller.abort((inner.aborted ? inner : caller).reason);
  const stopInner = onAbort(inner, () => controller.abort(inner.reason));
  const stopCaller = onAbort(caller, () => controller.abort(caller.reason));
  try {
    return await call(controller.signal);
  } finally {
    stopInner();
    stopCaller();
  }
}

/** How one method of a client runs under the breaker, resolved once per runtime. */
export interface Protection {
  readonly breakerId: string;
  /** The method's Spring Cloud CircuitBreaker; none when the breaker is off. */
  readonly breaker: SpringCircuitBreaker | undefined;
}

/**
 * Runs `call` as Spring Cloud OpenFeign does: the retry (Feign's `Retryer`, idempotent calls
 * only) inside the circuit breaker, so the breaker records one outcome per call; a failure or a
 * refusal goes to `fallback` when there is one.
 */
export function protect<T>(
  runtime: ClientRuntime,
  protection: Protection,
  isIdempotent: boolean,
  call: SignalledCall<T>,
  fallback: ((cause: Error) => T | Promise<T>) | undefined,
  callerSignal: AnySignal | undefined,
): Promise<T> {
  const retry = isIdempotent ? runtime.retry : undefined;
  const retried: SignalledCall<T> = retry
    ? (signal) => retry.execute(() => call(signal), signal)
    : call;
  const breaker = protection.breaker;
  if (breaker === undefined) return retried(callerSignal);
  return breaker.runCancellable(
    (signal) => withCallerSignal(signal, callerSignal, retried),
    (cause) => {
      const error = httpErrorOf(cause, protection.breakerId, runtime);
      if (fallback === undefined) throw error;
      return fallback(error);
    },
  );
}
