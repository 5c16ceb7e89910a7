import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTVerifyGetKey,
  type JWTPayload,
} from 'jose';
import { systemClock, type Clock } from '@stratus/core';

/** Claims Stratus reads from a verified token. */
export interface VerifiedToken {
  readonly subject: string;
  /** Epoch ms of `exp`. */
  readonly expiresAt: number;
  readonly claims: Readonly<JWTPayload>;
}

/** Why a token was refused, for debug logs only (never sent to the caller). */
export type TokenRejection =
  'missing' | 'too-large' | 'malformed' | 'no-key' | 'subject' | (string & {}); // jose's error codes: ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, …

/** The outcome of a verification: the token, or why not. */
export type TokenVerification =
  | { readonly ok: true; readonly token: VerifiedToken }
  | { readonly ok: false; readonly reason: TokenRejection };

/** Where the verification key comes from; exactly one. */
export type TokenKeySource =
  /** A shared HMAC secret (Spring `token.secret`), read at each use so a refresh applies. */
  | { readonly secret: () => string | undefined }
  /** A PEM public key (`-----BEGIN PUBLIC KEY-----`, SPKI) for RS*, PS* or ES* tokens. */
  | { readonly publicKeyPem: string }
  /** A JWKS document URL (Spring `spring.security.oauth2.resourceserver.jwt.jwk-set-uri`). */
  | { readonly jwksUrl: string }
  /** A JWKS document already in hand. */
  | { readonly jwks: { keys: Record<string, unknown>[] } };

/** Options of `createTokenVerifier`. */
export type TokenVerifierOptions = TokenKeySource & {
  /**
   * Accepted `alg` values, pinned so a key is never used with another family (reliability.md
   * §1.4: no `none`, no HS/RS confusion). @default ['HS512', 'HS256'] for a secret,
   * ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] otherwise
   */
  readonly algorithms?: readonly string[];
  /** Required `iss`, when set. */
  readonly issuer?: string;
  /** Required `aud` (one of), when set. */
  readonly audience?: string | readonly string[];
  /** Allowed clock skew for `exp`/`nbf`/`iat`. @default 30 s */
  readonly clockToleranceSec?: number;
  /** Longer tokens are refused before parsing. @default 8192 characters */
  readonly maxTokenLength?: number;
  /** @default systemClock */
  readonly clock?: Clock;
};

const HMAC_ALGORITHMS = ['HS512', 'HS256'] as const;
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i;

/** Verifies bearer tokens; shared by the gateway's filter and services' `requireBearer`. */
export interface TokenVerifier {
  /** Verifies a compact JWT. Never throws on input. */
  verify(token: string | null | undefined): Promise<TokenVerification>;
  /** Verifies the token of an `Authorization: Bearer …` header value. Never throws on input. */
  verifyHeader(header: string | string[] | undefined): Promise<TokenVerification>;
}

/**
 * Creates the one token verifier of a process: `exp` and a non-empty `sub` required, `alg`
 * pinned, `iss`/`aud` checked when configured, `nbf` honoured, time from the injected clock.
 *
 * @example
 * const verifier = createTokenVerifier({ secret: () => config.getString('token.secret') });
 * const result = await verifier.verifyHeader(request.headers.authorization);
 * if (!result.ok) reply.code(401);
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const clock = options.clock ?? systemClock;
  const maxLength = options.maxTokenLength ?? 8192;
  const isHmac = 'secret' in options;
  const algorithms = [
    ...(options.algorithms ?? (isHmac ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS)),
  ];
  if (algorithms.some((a) => a.toLowerCase() === 'none'))
    throw new Error("createTokenVerifier: 'none' is never an accepted algorithm");
  if (isHmac !== algorithms.every((a) => a.startsWith('HS')))
    throw new Error('createTokenVerifier: a secret takes HS* algorithms only; a public key none');
  const keyOf = keyResolver(options);
  const verify = async (token: string | null | undefined): Promise<TokenVerification> => {
    if (!token) return { ok: false, reason: 'missing' };
    if (token.length > maxLength) return { ok: false, reason: 'too-large' };
    const key = await keyOf();
    if (key === null) return { ok: false, reason: 'no-key' };
    try {
      const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        algorithms,
        currentDate: new Date(clock.now()),
        clockTolerance: options.clockToleranceSec ?? 30,
        requiredClaims: ['exp', 'sub'],
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: [options.audience].flat() }),
      });
      if (
        typeof payload.sub !== 'string' ||
        payload.sub === '' ||
        /[\0-\x1f\x7f]/.test(payload.sub)
      )
        return { ok: false, reason: 'subject' };
      return {
        ok: true,
        token: { subject: payload.sub, expiresAt: (payload.exp ?? 0) * 1000, claims: payload },
      };
    } catch (error) {
      return {
        ok: false,
        reason: error instanceof joseErrors.JOSEError ? error.code : 'malformed',
      };
    }
  };
  return {
    verify,
    verifyHeader(header) {
      if (header === undefined) return Promise.resolve({ ok: false, reason: 'missing' });
      if (typeof header !== 'string' || header.length > maxLength + 16)
        return Promise.resolve({ ok: false, reason: 'malformed' });
      const token = BEARER.exec(header)?.[1];
      return token === undefined
        ? Promise.resolve({ ok: false, reason: 'malformed' })
        : verify(token);
    },
  };
}

type Key = Uint8Array | CryptoKey | JWTVerifyGetKey;

/** HMAC verification keys of `secret`, imported once per `HS*` algorithm. */
function hmacKeys(secret: string): JWTVerifyGetKey {
  const bytes = new TextEncoder().encode(secret);
  const imported = new Map<string, Promise<CryptoKey>>();
  return (header) => {
    const alg = header.alg ?? '';
    const bits = /^HS(256|384|512)$/.exec(alg)?.[1];
    if (bits === undefined) throw new joseErrors.JWKSNoMatchingKey();
    let key = imported.get(alg);
    if (key === undefined) {
      key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: `SHA-${bits}` }, false, [
        'verify',
      ]);
      imported.set(alg, key);
    }
    return key;
  };
}

/** Resolves the verification key once (or per secret value, cached), `null` when there is none. */
function keyResolver(options: TokenKeySource): () => Promise<Key | null> {
  if ('secret' in options) {
    // jose imports raw bytes into a CryptoKey on every verification: import once per algorithm.
    let cached: { secret: string; byAlg: JWTVerifyGetKey } | null = null;
    return () => {
      const secret = options.secret();
      if (!secret) return Promise.resolve(null);
      if (cached?.secret !== secret) cached = { secret, byAlg: hmacKeys(secret) };
      return Promise.resolve(cached.byAlg);
    };
  }
  if ('jwksUrl' in options) {
    const set = createRemoteJWKSet(new URL(options.jwksUrl));
    return () => Promise.resolve(set);
  }
  if ('jwks' in options) {
    const set = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
    return () => Promise.resolve(set);
  }
  // jose needs the algorithm to import a PEM; the key works for every algorithm of its family.
  const pem = options.publicKeyPem;
  const family = /BEGIN PUBLIC KEY/.test(pem) ? pem : '';
  const imported = new Map<string, Promise<CryptoKey | null>>();
  const byAlg: JWTVerifyGetKey = async (header) => {
    const alg = header.alg ?? '';
    if (!imported.has(alg))
      imported.set(
        alg,
        importSPKI(family, alg).then(
          (key) => key,
          () => null,
        ),
      );
    const key = await imported.get(alg)!;
    if (key === null) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  };
  return () => Promise.resolve(byAlg);
}
