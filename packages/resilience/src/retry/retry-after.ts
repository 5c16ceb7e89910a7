/**
 * Finds a server's `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) on an error or
 * a result and returns the delay it asks for, ms; `undefined` when there is none.
 *
 * Looked for, in order: a numeric `retryAfterMs` (on the value or its `details`), then a
 * `retry-after` header in `headers` (a fetch `Headers`, or a plain object as undici and Node give).
 */
export function retryAfterMsOf(value: unknown, nowMs: number): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const direct = numeric(record.retryAfterMs) ?? numeric(detailsOf(record)?.retryAfterMs);
  if (direct !== undefined) return Math.max(0, direct);
  const header =
    headerOf(record.headers) ??
    headerOf((record.response as Record<string, unknown> | undefined)?.headers);
  return header === undefined ? undefined : parseRetryAfter(header, nowMs);
}

/** Parses a `Retry-After` value against `nowMs`; `undefined` when it is neither form. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function detailsOf(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const details = record.details;
  return details !== null && typeof details === 'object'
    ? (details as Record<string, unknown>)
    : undefined;
}

function headerOf(headers: unknown): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const value: unknown = get.call(headers, 'retry-after');
    return typeof value === 'string' ? value : undefined;
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name.toLowerCase() !== 'retry-after') continue;
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}
