import type { IncomingHttpHeaders } from 'node:http';

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export const stripMappedIpv4 = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

/** The `X-Forwarded-For` hops, or [] when absent or sent more than once (Spring discards those). */
export function forwardedForHops(headers: IncomingHttpHeaders): string[] {
  const value = headers['x-forwarded-for'];
  if (typeof value !== 'string') return [];
  // Node joins repeated X-Forwarded-For lines with ', ', so a repeat cannot be told apart: the
  // trusted-proxy rule below still only believes hops appended by trusted proxies.
  return value
    .split(',')
    .map((hop) => stripMappedIpv4(hop.trim()))
    .filter((hop) => hop !== '');
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy; then the
 * right-most `X-Forwarded-For` hop that is not itself a trusted proxy (hops to its left were
 * written by the client and prove nothing). reliability.md §1.5: rate limits and access control
 * key on this address.
 */
export function resolveClientAddress(
  peer: string,
  headers: IncomingHttpHeaders,
  isTrusted: (address: string) => boolean,
): string {
  if (!isTrusted(peer)) return peer;
  const hops = forwardedForHops(headers);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(hop)) return hop;
  }
  return hops[0] ?? peer;
}
