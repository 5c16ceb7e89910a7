/** Defaults of the gateway options, in one place. */
export const GATEWAY_DEFAULTS = Object.freeze({
  /** Time to establish an upstream TCP connection, ms. */
  connectTimeoutMs: 5000,
  /** Time until the upstream sends response headers, and idle time between body chunks, ms. */
  responseTimeoutMs: 30_000,
  /** Largest request body forwarded, bytes (5 MiB). */
  maxBodyBytes: 5 * 1024 * 1024,
  /** Largest bearer token accepted, characters. */
  maxTokenLength: 8192,
  /** Allowed clock skew when checking `exp`/`nbf`, seconds. */
  tokenClockToleranceSec: 30,
  /** Header carrying the authenticated subject to the upstream. */
  userIdHeader: 'X-User-Id',
  /** Keep-alive time of idle upstream connections, ms. */
  keepAliveTimeoutMs: 4000,
  /** Default `RequestSize` limit when no `maxSize` is given (Spring: 5MB = 5,000,000 bytes). */
  requestSizeDefaultBytes: 5_000_000,
});
