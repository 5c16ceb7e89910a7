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
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

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
  /**
   * Verified tokens reused without checking their signature again (`false`: verify every
   * time). @default 1024 tokens for at most 60 s each
   */
  readonly cache?: VerifiedTokenCacheOptions | false;
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
  /**
   * The verdict of `verifyHeader` without waiting, when it is known now: a missing or malformed
   * header, or a token verified before (the cache). `undefined`: call `verifyHeader`.
   */
  verifyHeaderNow(header: string | string[] | undefined): TokenVerification | undefined;
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
  const toleranceSec = options.clockToleranceSec ?? 30;
  const cache = new VerifiedTokenCache<TokenVerification>(
    options.cache === false ? { maxEntries: 0 } : options.cache,
  );
  const verifyOptions = {
    algorithms,
    clockTolerance: toleranceSec,
    requiredClaims: ['exp', 'sub'],
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: [options.audience].flat() }),
  };
  /** The verdict known without a signature check: length and key problems, or a cached token. */
  const known = (token: string | null | undefined): TokenVerification | undefined => {
    if (!token) return MISSING;
    if (token.length > maxLength) return TOO_LARGE;
    const key = keyOf();
    if (key === null) return NO_KEY;
    return cache.get(token, key, clock.now(), toleranceSec);
  };
  const check = async (token: string): Promise<TokenVerification> => {
    const key = keyOf() as Key;
    const now = clock.now();
    try {
      const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        ...verifyOptions,
        currentDate: new Date(now),
      });
      if (
        typeof payload.sub !== 'string' ||
        payload.sub === '' ||
        /[\0-\x1f\x7f]/.test(payload.sub)
      )
        return { ok: false, reason: 'subject' };
      const verdict: TokenVerification = Object.freeze({
        ok: true,
        token: Object.freeze({
          subject: payload.sub,
          expiresAt: (payload.exp ?? 0) * 1000,
          claims: payload,
        }),
      });
      cache.set(token, key, verdict, payload, now);
      return verdict;
    } catch (error) {
      return {
        ok: false,
        reason: error instanceof joseErrors.JOSEError ? error.code : 'malformed',
      };
    }
  };
  const verify = (token: string | null | undefined): Promise<TokenVerification> => {
    const verdict = known(token);
    return verdict === undefined ? check(token as string) : Promise.resolve(verdict);
  };
  const tokenOf = (header: string | string[] | undefined): string | TokenVerification => {
    if (header === undefined) return MISSING;
    if (typeof header !== 'string' || header.length > maxLength + 16) return MALFORMED;
    return BEARER.exec(header)?.[1] ?? MALFORMED;
  };
  return {
    verify,
    verifyHeader(header) {
      const token = tokenOf(header);
      return typeof token === 'string' ? verify(token) : Promise.resolve(token);
    },
    verifyHeaderNow(header) {
      const token = tokenOf(header);
      return typeof token === 'string' ? known(token) : token;
    },
  };
}

const rejected = (reason: TokenRejection): TokenVerification =>
  Object.freeze({ ok: false, reason });
const MISSING = rejected('missing');
const TOO_LARGE = rejected('too-large');
const NO_KEY = rejected('no-key');
const MALFORMED = rejected('malformed');

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

/**
 * Resolves the verification key once (or per secret value, cached), `null` when there is none.
 * The same object comes back until the key changes: the verified-token cache keys on it.
 */
function keyResolver(options: TokenKeySource): () => Key | null {
  if ('secret' in options) {
    // jose imports raw bytes into a CryptoKey on every verification: import once per algorithm.
    let cached: { secret: string; byAlg: JWTVerifyGetKey } | null = null;
    return () => {
      const secret = options.secret();
      if (!secret) return null;
      if (cached?.secret !== secret) cached = { secret, byAlg: hmacKeys(secret) };
      return cached.byAlg;
    };
  }
  if ('jwksUrl' in options) {
    const set = createRemoteJWKSet(new URL(options.jwksUrl));
    return () => set;
  }
  if ('jwks' in options) {
    const set = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
    return () => set;
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
  return () => byAlg;
}
