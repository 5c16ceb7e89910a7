import { statusError, type UpstreamProblem } from './errors.js';

/** A non-2xx answer, as an `ErrorDecoder` sees it (Feign's `Response` plus `methodKey`). */
export interface ErrorResponse {
  readonly clientName: string;
  /** `<client>#<method>`, as Feign's `methodKey`. */
  readonly methodKey: string;
  /** The endpoint's name in the definition (`getOrders`). */
  readonly methodName: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The upstream problem's `title` and `code`, cleaned: the only parts safe to pass on. */
  readonly problem: UpstreamProblem;
  /** The body as text (at most 64 KiB), for decoding decisions; never copy it into an error shown to callers. */
  readonly body: string;
  /** The live configuration, e.g. `properties.get('order_service.exception.orders_is_empty')`. */
  readonly properties: { get(key: string): unknown };
}

/**
 * Feign's `ErrorDecoder`: turns a non-2xx answer into the error the call throws. Return
 * `undefined` to leave it to the default (`HTTP_ERR_STATUS`).
 *
 * @example
 * const orderErrors: ErrorDecoder = (response) =>
 *   response.status === 404 && response.methodName === 'getOrders'
 *     ? HttpErrors.NOT_FOUND({ message: String(response.properties.get('order_service.exception.orders_is_empty')) })
 *     : undefined;
 */
export type ErrorDecoder = (
  response: ErrorResponse,
) => Error | undefined | Promise<Error | undefined>;

const MAX_TITLE_CHARS = 200;
const CODE = /^[A-Za-z][\w.-]{0,79}$/;

/** The `title` and `code` of a problem document, if the body is one; nothing else of it. */
export function upstreamProblemOf(body: string, contentType: string | undefined): UpstreamProblem {
  if (!(contentType ?? '').toLowerCase().includes('json') || body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object') return {};
  const { title, code } = parsed as { title?: unknown; code?: unknown };
  const cleanTitle =
    typeof title === 'string'
      ? title
          .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
          .trim()
          .slice(0, MAX_TITLE_CHARS)
      : '';
  return {
    ...(cleanTitle !== '' ? { title: cleanTitle } : {}),
    ...(typeof code === 'string' && CODE.test(code) ? { code } : {}),
  };
}

/** Milliseconds a `Retry-After` header asks to wait (seconds or an HTTP date), if any. */
function retryAfterMsOf(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Feign's `ErrorDecoder.Default`: `HTTP_ERR_STATUS` carrying the status and the upstream
 * problem's title and code; a 429 or 503 with `Retry-After` sets `retryAfterMs`, which the retry
 * honours.
 */
export function defaultErrorDecoder(response: ErrorResponse, nowMs = Date.now()): Error {
  const error = statusError(response.clientName, response.status, response.problem);
  const retryAfterMs = retryAfterMsOf(response.headers['retry-after'], nowMs);
  if (retryAfterMs !== undefined && (response.status === 429 || response.status === 503))
    Object.assign(error, { retryAfterMs });
  return error;
}
