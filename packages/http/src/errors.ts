import { defineErrors } from '@stratus/core';

/**
 * The errors of `@stratus/http`. Every one is a `StratusError` whose `details` are safe to show
 * a caller (`toProblem` copies them into the problem document): service names and statuses,
 * the upstream problem's `title` and `code` at most, never an upstream body.
 *
 * - `HTTP_ERR_NO_INSTANCE` (503): `lb://` named a service with no UP instance.
 * - `HTTP_ERR_UPSTREAM_UNAVAILABLE` (503): the call could not be made (refused, reset).
 * - `HTTP_ERR_TIMEOUT` (504): no answer within the read timeout or the call's budget.
 * - `HTTP_ERR_STATUS` (502 for a 5xx, else the upstream's 4xx): a non-2xx answer the error
 *   decoder left to the default; `details.upstreamStatus`, `upstreamTitle`, `upstreamCode`.
 * - `HTTP_ERR_INVALID_REQUEST` (500): the caller built a request that cannot be sent (a missing
 *   path parameter, a header with a line break): a bug here, not the callee's fault.
 * - `HTTP_ERR_CIRCUIT_OPEN` (503, not retryable): the client's circuit breaker refused the call
 *   without sending it (Resilience4j's `CallNotPermittedException`).
 * - `HTTP_ERR_BULKHEAD_FULL` (503): the bulkhead had no free permit (`BulkheadFullException`).
 * - `HTTP_ERR_DECODE` (502, not retryable): a 2xx body that is not JSON, is over the size limit,
 *   or fails the endpoint's response validator.
 * - `HTTP_ERR_NOT_FOUND` (404, not retryable): for error decoders, Spring's
 *   `ResponseStatusException(HttpStatus.NOT_FOUND, reason)`.
 * - `HTTP_ERR_INVALID_CONFIG` (500): `spring.cloud.openfeign.*` settings that do not bind.
 * - `HTTP_ERR_CLOSED` (503, not retryable): a call after `close()`.
 *
 * @example
 * if (HttpErrors.CIRCUIT_OPEN.is(error)) return cachedOrders;
 * throw HttpErrors.NOT_FOUND({ message: properties.get('order_service.exception.orders_is_empty') });
 */
export const HttpErrors = defineErrors('HTTP', {
  NO_INSTANCE: { status: 503, title: 'No instance available' },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Upstream unavailable' },
  TIMEOUT: { status: 504, title: 'Upstream timeout' },
  STATUS: { status: 502, title: 'Upstream error' },
  INVALID_REQUEST: { status: 500, title: 'Invalid outgoing request', retryable: false },
  CIRCUIT_OPEN: { status: 503, title: 'Circuit breaker open', retryable: false },
  BULKHEAD_FULL: { status: 503, title: 'Too many concurrent calls' },
  DECODE: { status: 502, title: 'Undecodable upstream response', retryable: false },
  NOT_FOUND: { status: 404, title: 'Not found', retryable: false },
  INVALID_CONFIG: { status: 500, title: 'Invalid HTTP client configuration', retryable: false },
  CLOSED: { status: 503, title: 'HTTP client closed', retryable: false },
});

/** `HTTP_ERR_NO_INSTANCE`: no UP instance of `serviceId`. */
export const noInstanceError = (serviceId: string) =>
  HttpErrors.NO_INSTANCE({
    message: `No UP instance of '${serviceId}' is registered`,
    details: { serviceId },
  });

/** `HTTP_ERR_UPSTREAM_UNAVAILABLE`: `target` could not be reached. */
export const unavailableError = (target: string, cause: unknown) =>
  HttpErrors.UPSTREAM_UNAVAILABLE({
    message: `Could not reach ${target}`,
    details: { target },
    cause,
  });

/** `HTTP_ERR_TIMEOUT`: `target` did not answer within `timeoutMs`. */
export const timeoutError = (target: string, timeoutMs: number, cause?: unknown) =>
  HttpErrors.TIMEOUT({
    message: `${target} did not answer within ${timeoutMs} ms`,
    details: { target, timeoutMs },
    cause,
  });

/** `HTTP_ERR_INVALID_REQUEST`: the outgoing request cannot be sent. */
export const invalidRequestError = (reason: string) =>
  HttpErrors.INVALID_REQUEST({
    message: `Invalid outgoing request: ${reason}`,
    details: { reason },
  });

/** What the default error decoder keeps of an upstream problem document. */
export interface UpstreamProblem {
  readonly title?: string;
  readonly code?: string;
}

/** `HTTP_ERR_STATUS`: `target` answered `status`; the upstream body is never echoed. */
export const statusError = (target: string, status: number, problem: UpstreamProblem = {}) =>
  HttpErrors.STATUS({
    status: status >= 500 || status < 400 ? 502 : status,
    message: `${target} answered ${status}`,
    details: {
      target,
      upstreamStatus: status,
      ...(problem.title !== undefined ? { upstreamTitle: problem.title } : {}),
      ...(problem.code !== undefined ? { upstreamCode: problem.code } : {}),
    },
  });

/** `HTTP_ERR_DECODE`: a successful answer whose body cannot be used. */
export const decodeError = (target: string, reason: string, cause?: unknown) =>
  HttpErrors.DECODE({
    message: `${target} answered with an unusable body: ${reason}`,
    details: { target, reason },
    cause,
  });
