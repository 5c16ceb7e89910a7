// When a failed call to one instance may go to another: shared by the gateway and the HTTP
// client, which both report failures to the load balancer of this package (markFailed).

/**
 * How a call failed, as far as retrying and the load balancer care:
 * - `connect`: the connection was never made (refused, unreachable, DNS, connect
 *   timeout), so not a byte of the request left this process;
 * - `reset`: an open connection broke (reset, closed by the peer) — the request
 *   may have reached the instance, partly or wholly;
 * - `timeout`: no answer within the time budget; the instance may be busy, not gone;
 * - `other`: anything else (a malformed response, an invalid request).
 */
export type FailureKind = 'connect' | 'reset' | 'timeout' | 'other';

/** RFC 9110 §9.2.2 idempotent methods that Stratus retries without an idempotency key. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header a caller sets to make a non-idempotent request safe to repeat (draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

const CONNECT_PHASE = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The most specific error code: the cause's when undici wraps a socket error. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  if (typeof causeCode === 'string' && (code === undefined || code === 'UND_ERR_SOCKET'))
    return causeCode;
  return typeof code === 'string' ? code : undefined;
}

/** Classifies an error thrown by an undici request. */
export function failureKindOf(error: unknown): FailureKind {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return 'timeout';
  const code = errorCodeOf(error);
  if (code === undefined) return 'other';
  if (CONNECT_PHASE.has(code)) return 'connect';
  if (RESET.has(code)) return 'reset';
  return TIMEOUT.has(code) ? 'timeout' : 'other';
}

/** True for an upstream status that says "this instance cannot serve now" (Bad Gateway, Service Unavailable). */
export const isInstanceFailureStatus = (status: number): boolean =>
  status === 502 || status === 503;

/** True when a request may be repeated after it may have reached an upstream: by method or idempotency key. */
export function isIdempotentRequest(
  method: string,
  headers: Readonly<Record<string, unknown>>,
  idempotencyKeyHeader: string | null,
): boolean {
  if (IDEMPOTENT_METHODS.has(method)) return true;
  return idempotencyKeyHeader !== null && headers[idempotencyKeyHeader] !== undefined;
}

/**
 * Whether a failed attempt may be repeated on another instance. The body must
 * be replayable (none, held in memory, or a stream not yet read from). A
 * request that is idempotent (by method, or because it carries an idempotency
 * key) may then be repeated after a connect failure, a reset, or a 502/503
 * answer. Any other request only after a connect failure: then no byte of it
 * can have reached the upstream. After a reset a POST may already have been
 * executed, and repeating it could do the work twice.
 */
export function mayRetry(request: {
  isIdempotent: boolean;
  failure: FailureKind | 'status';
  isBodyReplayable: boolean;
}): boolean {
  if (!request.isBodyReplayable) return false;
  if (request.failure === 'connect') return true;
  if (request.failure === 'reset' || request.failure === 'status') return request.isIdempotent;
  return false;
}
