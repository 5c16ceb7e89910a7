import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderRecord } from '../exchange.js';

export type { HeaderRecord };

// RFC 9110 §7.6.1 and spring-wire.md §5.6: never forwarded in either direction.
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** Headers a client could use to spoof its address or identity; dropped unless the peer is a trusted proxy. */
const SPOOFABLE_PREFIXES = ['x-forwarded-', 'x-user-', 'x-internal-'];
const SPOOFABLE_NAMES = new Set(['forwarded', 'x-real-ip']);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** True when `name` is a valid header field name (RFC 9110 token). */
export const isHeaderName = (name: string): boolean => TOKEN.test(name);
/** True when `value` can be sent as a header value (no CR, LF, NUL or other controls). */
export const isHeaderValue = (value: string): boolean => !INVALID_VALUE.test(value);

/**
 * Copies headers without hop-by-hop fields and without every field named in
 * `Connection` (RFC 9110 §7.6.1). Runs before the gateway adds its own headers,
 * so a client's `Connection: X-User-Id` cannot delete them.
 */
export function withoutHopByHop(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): HeaderRecord {
  const out: HeaderRecord = {};
  const connection = headers['connection'];
  const listed = new Set<string>();
  if (connection !== undefined) {
    for (const value of Array.isArray(connection) ? connection : [connection]) {
      for (const token of value.split(',')) {
        const name = token.trim().toLowerCase();
        if (name) listed.add(name);
      }
    }
  }
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** True for `X-Forwarded-*`, `Forwarded`, `X-Real-IP`, `X-User-*` and `X-Internal-*` (lower-case names). */
export function isSpoofable(name: string): boolean {
  if (SPOOFABLE_NAMES.has(name)) return true;
  if (!name.startsWith('x-')) return false;
  for (const prefix of SPOOFABLE_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/** Appends a value to a header record, keeping earlier values. */
export function appendHeader(headers: HeaderRecord, name: string, value: string): void {
  const key = name.toLowerCase();
  const current = headers[key];
  if (current === undefined) headers[key] = value;
  else if (Array.isArray(current)) current.push(value);
  else headers[key] = [current, value];
}
