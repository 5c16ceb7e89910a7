/**
 * Every default of the gateway, in one place. Spring Cloud Gateway's value where it has one; a
 * comment says so where Stratus deliberately differs.
 */
export const GATEWAY_DEFAULTS = Object.freeze({
  /**
   * Time to establish an upstream TCP connection, ms (`httpclient.connect-timeout`). Reactor
   * Netty waits 30 s; Stratus fails over to another instance sooner.
   */
  connectTimeoutMs: 5000,
  /**
   * Time until the upstream sends response headers, and idle time between body chunks, ms
   * (`httpclient.response-timeout`). Spring has none; an unbounded wait holds sockets forever.
   */
  responseTimeoutMs: 30_000,
  /** Keep-alive time of idle upstream connections, ms (`httpclient.pool.max-idle-time`). */
  keepAliveTimeoutMs: 4000,
  /** Connections per upstream origin; 0 = unbounded (`httpclient.pool.max-connections`). */
  maxConnectionsPerOrigin: 0,
  /** Largest request body forwarded, bytes (5 MiB); `RequestSize` overrides it per route. */
  maxBodyBytes: 5 * 1024 * 1024,
  /** Largest bearer token accepted, characters (reliability.md §1.5: 8 KiB). */
  maxTokenLength: 8192,
  /** Allowed clock skew when checking `exp`/`nbf`, seconds. */
  tokenClockSkewSec: 30,
  /** Verified bearer tokens reused without a new signature check (0 = verify every request). */
  tokenCacheSize: 1024,
  /** Longest a verified token is reused, ms: bounds acceptance after a JWKS key is rotated out. */
  tokenCacheTtlMs: 60_000,
  /** Header carrying the authenticated subject to the upstream. */
  userIdHeader: 'X-User-Id',
  /** Header whose presence makes any request safe to repeat (draft-ietf-httpapi-idempotency-key-header). */
  idempotencyKeyHeader: 'Idempotency-Key',
  /** Largest body of a repeatable request kept in memory so it can be sent again, bytes (256 KiB). */
  maxBufferedBodyBytes: 256 * 1024,
  /** Most open connections from one client address (trusted proxies exempt); 0 = no limit. */
  maxConnectionsPerClient: 512,
  /** Default `RequestSize` limit when no `maxSize` is given (Spring: 5MB = 5,000,000 bytes). */
  requestSizeDefaultBytes: 5_000_000,
  /** Default `RequestHeaderSize` limit, bytes (Spring: 16000). */
  requestHeaderSizeDefaultBytes: 16_000,
  /** `RequestRateLimiter`: refuse requests whose key resolves to nothing (Spring: true). */
  denyEmptyKey: true,
  /** `RequestRateLimiter`: status of a refused empty key (Spring: FORBIDDEN). */
  emptyKeyStatusCode: 403,
  /** `RequestRateLimiter`: status of a request over the limit (Spring: TOO_MANY_REQUESTS). */
  rateLimitedStatusCode: 429,
  /** `X-RateLimit-*` headers on limited routes (Spring: `redis-rate-limiter.include-headers` true). */
  rateLimitIncludeHeaders: true,
  /** `LocalResponseCache` entry lifetime, ms (Spring: 5 minutes). */
  responseCacheTimeToLiveMs: 5 * 60_000,
  /**
   * `LocalResponseCache` size per route, bytes (10 MiB). Spring's cache is unbounded unless
   * `size` is set; a bounded default keeps a busy route from eating the heap.
   */
  responseCacheSizeBytes: 10 * 1024 * 1024,
  /** `Retry` retries (Spring: 3). */
  retryRetries: 3,
  /** `Retry` first backoff when `backoff` is given without one, ms (Spring: 5). */
  retryFirstBackoffMs: 5,
  /** `Retry` backoff factor (Spring: 2). */
  retryBackoffFactor: 2,
  /** `Retry` jitter random factor when `jitter` is given without one (Spring: 0.5). */
  retryJitterRandomFactor: 0.5,
  /** `X-Forwarded-For` entries trusted by `XForwardedRemoteAddr`, counted from the right (Spring: 1). */
  xForwardedMaxTrustedIndex: 1,
});
