import type { IncomingHttpHeaders } from 'node:http';
import { HOP_BY_HOP, isSpoofable, type HeaderRecord } from './headers.js';

/**
 * The names {@link initialRequestHeaders} always drops: hop-by-hop fields, `Expect` (Node already
 * answered `100-continue`; undici refuses it) and the headers the gateway owns (the user id and
 * claim headers, its internal forward marker).
 */
export function droppedHeadersOf(ownedHeaders: readonly string[]): ReadonlySet<string> {
  return new Set([...HOP_BY_HOP, 'expect', ...ownedHeaders]);
}

/**
 * The headers a request starts with upstream, in one pass: the {@link droppedHeadersOf} names and
 * every header named in `Connection` left out (so a client cannot use `Connection` to delete what
 * the gateway adds), and forwarding and identity headers too unless the peer is a trusted proxy.
 */
export function initialRequestHeaders(
  incoming: IncomingHttpHeaders,
  isTrustedPeer: boolean,
  dropped: ReadonlySet<string>,
): HeaderRecord {
  const headers: HeaderRecord = {};
  const connection = incoming['connection'];
  const listed = connection === undefined ? null : connectionTokens(connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || dropped.has(name)) continue;
    if (!isTrustedPeer && isSpoofable(name)) continue;
    if (listed !== null && listed.has(name)) continue;
    headers[name] = value;
  }
  return headers;
}

/** RFC 9110 §7.6.1: the field names a `Connection` header lists. */
function connectionTokens(value: string): Set<string> {
  const names = new Set<string>();
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}

/** The incoming `Content-Length`, or null for none or a chunked body. */
export function contentLengthOf(headers: IncomingHttpHeaders): number | null {
  if (headers['transfer-encoding'] !== undefined) return null;
  const value = headers['content-length'];
  if (value === undefined) return null;
  // Node's parser already refused malformed or conflicting Content-Length values.
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
