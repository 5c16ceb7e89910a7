import { defineErrors, type ErrorInit, type StratusError } from '@stratus/core';

/**
 * Every error the gateway answers with, as `application/problem+json`. A shipped code is never
 * reused for another meaning.
 *
 * - `GW_ERR_INVALID_ROUTE` (400): a route definition failed validation; `details.problems`
 *   lists every problem, each naming the route and the predicate or filter.
 * - `GW_ERR_INVALID_OPTIONS` (500): the gateway's settings are invalid (from code or from
 *   `spring.cloud.gateway.*` / `stratus.gateway.*`); `details.problems` lists each, with its file.
 * - `GW_ERR_NO_ROUTE` (404): no route matched the request.
 * - `GW_ERR_INVALID_PATH` (400): the request target is not an acceptable origin-form path.
 * - `GW_ERR_INVALID_HEADER` (400): a header the gateway would send holds forbidden characters.
 * - `GW_ERR_UNAUTHORIZED` (401): missing, malformed, forged or expired bearer token.
 * - `GW_ERR_FORBIDDEN` (403): the rate limiter found no key for the request (`deny-empty-key`).
 * - `GW_ERR_PAYLOAD_TOO_LARGE` (413): the request body is larger than the route allows.
 * - `GW_ERR_HEADERS_TOO_LARGE` (431): a request header is larger than `RequestHeaderSize` allows.
 * - `GW_ERR_RATE_LIMITED` (429): `RequestRateLimiter` had no token left for the request's key.
 * - `GW_ERR_NO_INSTANCE` (503): an `lb://` service has no instance available.
 * - `GW_ERR_UPSTREAM_UNAVAILABLE` (503): the upstream refused or could not be reached in time.
 * - `GW_ERR_CIRCUIT_OPEN` (503): the route's circuit breaker is open and has no fallback.
 * - `GW_ERR_ROUTE_UNAVAILABLE` (503): the matched route is misconfigured (it failed to compile)
 *   and refuses every request until its definition is fixed.
 * - `GW_ERR_UPSTREAM_TIMEOUT` (504): the upstream did not answer within the response timeout.
 * - `GW_ERR_BAD_GATEWAY` (502): the upstream connection failed after it was established.
 *
 * @example
 * if (GatewayErrors.INVALID_ROUTE.is(error)) console.error(error.details.problems);
 */
export const GatewayErrors = defineErrors('GW', {
  INVALID_ROUTE: { status: 400, title: 'Invalid route definition', retryable: false },
  INVALID_OPTIONS: { status: 500, title: 'Invalid gateway options', retryable: false },
  NO_ROUTE: { status: 404, title: 'No route matches the request' },
  INVALID_PATH: { status: 400, title: 'Request path is not acceptable' },
  INVALID_HEADER: { status: 400, title: 'Request header is not acceptable' },
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    message: 'A valid bearer token is required',
  },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request Header Fields Too Large' },
  RATE_LIMITED: { status: 429, title: 'Too Many Requests', retryable: true },
  NO_INSTANCE: { status: 503, title: 'No instance available for the service' },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Upstream unavailable' },
  CIRCUIT_OPEN: { status: 503, title: 'Circuit breaker open' },
  ROUTE_UNAVAILABLE: {
    status: 503,
    title: 'Route unavailable',
    message: 'The route for this request is misconfigured',
    retryable: false,
  },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timed out' },
  BAD_GATEWAY: { status: 502, title: 'Bad gateway' },
});

/** One of the gateway's error codes. */
export type GatewayErrorCode = (typeof GatewayErrors)[keyof typeof GatewayErrors]['code'];

/** How a problem response is written besides its body. */
export interface ProblemResponse {
  /** Extra response headers, e.g. `WWW-Authenticate` on 401 or `X-RateLimit-*` on 429. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Close the client connection after the response (413: the unread body is not drained). */
  readonly closeConnection?: boolean;
}

const RESPONSES = new WeakMap<StratusError, ProblemResponse>();

/**
 * Attaches response headers (and whether to close the connection) to a gateway error; the
 * handler writes them with the problem.
 */
export function withResponse<E extends StratusError>(error: E, response: ProblemResponse): E {
  RESPONSES.set(error, response);
  return error;
}

/** The response extras attached by {@link withResponse}, if any. */
export function responseOf(error: StratusError): ProblemResponse | undefined {
  return RESPONSES.get(error);
}

/** `GW_ERR_INVALID_ROUTE` listing every problem, as thrown by `setRoutes` and the parser. */
export function invalidRoutes(problems: readonly string[], init: ErrorInit = {}): StratusError {
  const unique = [...new Set(problems)];
  return GatewayErrors.INVALID_ROUTE({
    ...init,
    message: `Invalid gateway route definitions: ${unique.join('; ')}`,
    details: { problems: unique },
  });
}

/** `GW_ERR_INVALID_OPTIONS` listing every problem. */
export function invalidOptions(problems: readonly string[]): StratusError {
  const unique = [...new Set(problems)];
  return GatewayErrors.INVALID_OPTIONS({
    message: `Invalid gateway settings:\n  - ${unique.join('\n  - ')}`,
    details: { problems: unique },
  });
}

/** The problems listed by a `GW_ERR_INVALID_ROUTE` / `GW_ERR_INVALID_OPTIONS` error, or none. */
export function problemsOf(error: unknown): string[] {
  const problems = (error as { details?: { problems?: unknown } } | null)?.details?.problems;
  return Array.isArray(problems) ? problems.map(String) : [];
}
