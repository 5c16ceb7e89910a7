import type { TokenVerifier, TokenVerifierOptions } from '@stratus/boot';
import { Secret, type Clock, type Logger } from '@stratus/core';
import type { CircuitBreakerFactory } from '@stratus/resilience';
import type { GatewayExchange } from '../exchange.js';
import type { GatewaySettings, JwtSettings } from '../settings.js';
import type { RateLimiterBackend } from './rate-limit/backend.js';
import type { KeyResolver } from '../key-resolvers.js';
import type { GatewayServices } from './types.js';

/**
 * `createTokenVerifier` of `@stratus/boot` (the verifier services use too), imported when a key
 * is configured rather than with the gateway library (boot's entry loads the whole runtime).
 */
function lazyVerifier(options: TokenVerifierOptions): TokenVerifier {
  let loading: Promise<TokenVerifier> | undefined;
  let loaded: TokenVerifier | null = null;
  const load = (): Promise<TokenVerifier> =>
    (loading ??= import('@stratus/boot').then((boot) => {
      loaded = boot.createTokenVerifier(options);
      return loaded;
    }));
  // Start loading now, so the first request does not wait for it.
  load().catch(() => undefined);
  return {
    verify: (token) => loaded?.verify(token) ?? load().then((v) => v.verify(token)),
    verifyHeader: (header) =>
      loaded?.verifyHeader(header) ?? load().then((v) => v.verifyHeader(header)),
    verifyHeaderNow: (header) => loaded?.verifyHeaderNow(header),
  };
}

/**
 * The one token verifier for AuthorizationHeaderFilter, or null when no key is configured.
 * Algorithms were checked against the key when the settings were resolved.
 */
export function tokenVerifierOf(jwt: JwtSettings, clock: Clock): TokenVerifier | null {
  const key = jwt.key;
  if (key === null) return null;
  const common = {
    ...(jwt.algorithms === null ? {} : { algorithms: jwt.algorithms }),
    ...(jwt.issuer === null ? {} : { issuer: jwt.issuer }),
    ...(jwt.audiences.length === 0 ? {} : { audience: jwt.audiences }),
    clockToleranceSec: jwt.clockSkewSec,
    maxTokenLength: jwt.maxTokenLength,
    cache: { maxEntries: jwt.cacheSize, maxAgeMs: jwt.cacheTtlMs },
    clock,
  };
  if ('secret' in key) {
    const secret = key.secret instanceof Secret ? key.secret.reveal() : key.secret;
    return lazyVerifier({ secret: () => secret, ...common });
  }
  if ('jwksUrl' in key) return lazyVerifier({ jwksUrl: key.jwksUrl, ...common });
  return lazyVerifier({ publicKeyPem: key.publicKeyPem, ...common });
}

/** The parts of the services that do not change with the settings. */
export interface StaticServices {
  readonly rateLimiter: RateLimiterBackend;
  readonly keyResolvers: ReadonlyMap<string, KeyResolver>;
  readonly circuitBreakers: CircuitBreakerFactory;
  readonly forwardLocally: (
    exchange: GatewayExchange,
    path: string,
    cause: unknown,
  ) => Promise<void>;
  readonly random: () => number;
}

/** The services of one route table. */
export function servicesFor(
  settings: GatewaySettings,
  fixed: StaticServices,
  clock: Clock,
): GatewayServices {
  return Object.freeze({ ...fixed, tokenVerifier: tokenVerifierOf(settings.jwt, clock) });
}

/** The headers the gateway owns: a client's copies are removed from every request. */
export function ownedHeadersOf(
  settings: GatewaySettings,
  internalMarker: string,
): readonly string[] {
  const { userIdHeader, claimHeaders } = settings.jwt;
  return Object.freeze([
    ...new Set([
      internalMarker,
      ...(userIdHeader === null ? [] : [userIdHeader]),
      ...Object.values(claimHeaders),
    ]),
  ]);
}

/** Logs every problem of a route table at error: a human must fix the definitions. */
export function reportProblems(logger: Logger, problems: readonly string[]): void {
  for (const problem of problems)
    logger.error(
      { problem },
      'invalid gateway route definition: the route is not served as configured',
    );
}
