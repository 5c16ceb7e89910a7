import { SignJWT } from 'jose';
import { systemClock, type Clock } from '@stratus/core';

/** Options of {@link issueToken}. */
export interface IssueTokenOptions {
  /** `sub`: whom the token speaks for (user-service: the user id). */
  readonly subject: string;
  /** The HMAC secret (Spring `token.secret`); its UTF-8 bytes are the key. */
  readonly secret: string;
  /** Lifetime from now, ms (the seed's `token.expiration_time`). */
  readonly expiresInMs: number;
  /** Further claims (`iss`, `aud`, roles…). */
  readonly claims?: Record<string, unknown>;
  /** Time of `iat` and `exp`. @default systemClock */
  readonly clock?: Clock;
}

/**
 * Issues an HMAC-signed JWT (HS512, as the seed's `Jwts.builder().signWith(HS512, token.secret)`),
 * with `sub`, `iat` and `exp`: what `requireBearer()` and the gateway require.
 *
 * @example
 * const token = await issueToken({ subject: userId, secret: config.getString('token.secret')!, expiresInMs: 86_400_000, clock: app.clock });
 */
export async function issueToken(options: IssueTokenOptions): Promise<string> {
  const now = (options.clock ?? systemClock).now();
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor((now + options.expiresInMs) / 1000))
    .sign(new TextEncoder().encode(options.secret));
}
