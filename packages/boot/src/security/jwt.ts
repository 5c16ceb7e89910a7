import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

/** Claims Stratus reads from a verified token. */
export interface VerifiedToken {
  subject: string;
  expiresAt: number | null;
  claims: Record<string, unknown>;
}

const ALGORITHMS = ['HS512', 'HS256'];

/**
 * Issues an HMAC-signed JWT (HS512, as the seed's `Jwts.builder().signWith(HS512, token.secret)`).
 *
 * @example
 * const token = await issueToken({ subject: userId, secret: config.getString('token.secret')!, expiresInMs: 86_400_000 });
 */
export async function issueToken(options: {
  subject: string;
  secret: string;
  expiresInMs: number;
  claims?: Record<string, unknown>;
}): Promise<string> {
  const now = Date.now();
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor((now + options.expiresInMs) / 1000))
    .sign(new TextEncoder().encode(options.secret));
}

/**
 * Verifies an HMAC JWT; `null` for anything not valid (missing, malformed,
 * forged, `alg: none`, expired, no subject). Never throws on input.
 */
export async function verifyToken(
  token: string | undefined | null,
  secret: string,
): Promise<VerifiedToken | null> {
  if (!token || token.length > 8192 || secret.length === 0) return null;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ALGORITHMS,
    });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return null;
    return {
      subject: payload.sub,
      expiresAt: payload.exp ? payload.exp * 1000 : null,
      claims: payload as Record<string, unknown>,
    };
  } catch (error) {
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) return null;
    return null;
  }
}

/** The token of an `Authorization: Bearer …` header, or `null`. */
export function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * The subject of the request's valid `Authorization: Bearer` token, or `null`
 * after setting `WWW-Authenticate` (RFC 6750 §3) so the caller can answer 401.
 */
export async function authenticateBearer(
  request: { headers: { authorization?: string | string[] | undefined } },
  reply: { header(name: string, value: string): unknown },
  secret: string,
): Promise<string | null> {
  const token = bearerToken(request.headers.authorization);
  const verified = token === null ? null : await verifyToken(token, secret);
  if (verified !== null) return verified.subject;
  reply.header('www-authenticate', token === null ? 'Bearer' : 'Bearer error="invalid_token"');
  return null;
}
