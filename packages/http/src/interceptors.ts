/** The request a `RequestInterceptor` may change: Feign's `RequestTemplate`. */
export interface OutgoingRequest {
  /** The client's name (`@FeignClient(name)`), e.g. `order-service`. */
  readonly clientName: string;
  /** `<client>#<method>`, as Feign's `methodKey`. */
  readonly methodKey: string;
  readonly method: string;
  /** The path template (`/order-service/{userId}/orders`), for tags and decisions, never raw values. */
  readonly uriTemplate: string;
  /** Request headers, lower-case names; set, change or delete freely. */
  readonly headers: Record<string, string>;
  /** Query parameters, appended to the URL after the interceptors ran. */
  readonly query: URLSearchParams;
}

/**
 * Feign's `RequestInterceptor`: runs once per call, before the first attempt (a retry or a
 * failover sends what it left), in order: the factory's, the definition's, then those named by
 * `spring.cloud.openfeign.client.config.<name>.request-interceptors`. Header values it sets are
 * checked afterwards; a line break fails the call with `HTTP_ERR_INVALID_REQUEST`.
 */
export type RequestInterceptor = (request: OutgoingRequest) => void | Promise<void>;

/**
 * Relays the caller's bearer token, as Spring's `OAuth2AccessTokenInterceptor` or a
 * `RequestContextHolder`-based interceptor does. `currentAuthorization` returns the incoming
 * request's `Authorization` value (for example from an `AsyncLocalStorage` boot fills per
 * request); a request that already has one keeps it. Only `Bearer` credentials are relayed.
 *
 * @example
 * const relay = bearerTokenRelay(() => requestContext.getStore()?.headers.authorization);
 */
export function bearerTokenRelay(
  currentAuthorization: () => string | undefined,
): RequestInterceptor {
  return (request) => {
    if (request.headers.authorization !== undefined) return;
    const value = currentAuthorization();
    if (value !== undefined && /^Bearer [\w.~+/-]+=*$/i.test(value))
      request.headers.authorization = value;
  };
}

/**
 * Sets fixed headers on every request (a header the request already has is kept).
 *
 * @example
 * const tenant = staticHeaders({ 'x-tenant': 'shop' });
 */
export function staticHeaders(headers: Readonly<Record<string, string>>): RequestInterceptor {
  const entries = Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]);
  return (request) => {
    for (const [name, value] of entries) request.headers[name!] ??= value!;
  };
}
