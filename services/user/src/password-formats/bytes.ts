import { timingSafeEqual } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Equality in constant time for equal lengths; `false` when the lengths differ. */
export function equalBytes(expected: Uint8Array, actual: Uint8Array): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Decodes standard base64 with or without padding, as `java.util.Base64.getDecoder()` does;
 * `null` for any other character (Node's own decoder would skip it silently).
 */
export function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return null;
  return Buffer.from(text, 'base64');
}
