/** An origin-form request target split into a normalised path and its raw query. */
export interface NormalizedTarget {
  /** Normalised path, still percent-encoded except for unreserved characters. */
  readonly path: string;
  /** Raw query without the leading `?`, or `''`. */
  readonly query: string;
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// Encoded '/', '\' and NUL would let a path mean one thing to us and another upstream.
const FORBIDDEN_ENCODED = /%(?:2f|5c|00)/i;
// Raw backslash, ';' path parameters (CVE-2018-1199 class) and control characters.
const FORBIDDEN_RAW = /[\\;\x00-\x20\x7f]/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;
// A path without escapes, forbidden characters, dot segments or `//` is already normal.
const NEEDS_WORK = /[%\\;\x00-\x20\x7f]|\/\.|\/\//;

/**
 * Normalises a request target once, so that routing, authorisation and
 * forwarding all see the same path (reliability.md §1.5): only origin-form
 * targets are accepted; encoded `/`, `\`, NUL, raw `\`, `;` and malformed
 * escapes are rejected; unreserved escapes are decoded; `//` is collapsed; `.`
 * and `..` are resolved and `..` above the root is rejected.
 *
 * @returns the normalised target, or null when the target must be rejected (400).
 */
export function normalizeRequestTarget(target: string): NormalizedTarget | null {
  if (target.charCodeAt(0) !== 0x2f) return null;
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q + 1);
  if (!NEEDS_WORK.test(rawPath)) return { path: rawPath, query };
  if (FORBIDDEN_RAW.test(rawPath) || FORBIDDEN_ENCODED.test(rawPath) || BAD_PERCENT.test(rawPath))
    return null;
  const decoded = rawPath.includes('%')
    ? rawPath.replace(/%([0-9A-Fa-f]{2})/g, (whole: string, hex: string) => {
        const ch = String.fromCharCode(parseInt(hex, 16));
        return UNRESERVED.test(ch) ? ch : whole.toUpperCase();
      })
    : rawPath;
  const segments = decoded.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '.' || (segment === '' && i !== last)) {
      if (i === last) out.push('');
      continue;
    }
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (i === last) out.push('');
      continue;
    }
    out.push(segment);
  }
  return { path: `/${out.join('/')}`, query };
}
