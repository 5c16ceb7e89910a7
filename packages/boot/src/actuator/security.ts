import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Management credentials (`spring.security.user.name` / `.password`). */
export interface ManagementCredentials {
  username: string;
  /** `null` means no password is configured: protected endpoints refuse everyone. */
  password: string | null;
}

/** Constant-time check of an `Authorization: Basic` header. */
export function isAuthorized(request: FastifyRequest, credentials: ManagementCredentials): boolean {
  if (credentials.password === null) return false;
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.toLowerCase().startsWith('basic ')) return false;
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  } catch {
    return false;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  return (
    safeEqual(decoded.slice(0, colon), credentials.username) &&
    safeEqual(decoded.slice(colon + 1), credentials.password)
  );
}

function safeEqual(a: string, b: string): boolean {
  // Hash first so lengths match and timing says nothing about either.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
