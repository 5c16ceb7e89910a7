import { Secret } from '@stratus/core';
import { GATEWAY_DEFAULTS } from './defaults.js';
import { invalidOptions } from './errors.js';
import { SECURE_HEADER_DEFAULTS, type SecureHeaderName } from './filters/secure-headers-values.js';
import { isHeaderName } from './internal/headers.js';

/** Where the JWT verification key comes from (at most one is used). */
export type JwtKeySource =
  /** A shared HMAC secret (the seed's `token.secret`): HS512/HS256. */
  | { readonly secret: string | Secret }
  /** A JWKS URL (`spring.security.oauth2.resourceserver.jwt.jwk-set-uri`). */
  | { readonly jwksUrl: string }
  /** A PEM public key (`…resourceserver.jwt.public-key-location`, read by the boot layer). */
  | { readonly publicKeyPem: string };

/** `AuthorizationHeaderFilter` settings. */
export interface JwtSettings {
  /** Verification key; null makes every bearer token fail (401). @default null */
  readonly key: JwtKeySource | null;
  /** Accepted `alg` values (`…jwt.jws-algorithms`). @default HS512/HS256 for a secret, RS/PS/ES otherwise */
  readonly algorithms: readonly string[] | null;
  /** Required `iss` (`…jwt.issuer-uri`). @default none checked */
  readonly issuer: string | null;
  /** Accepted `aud` values, one must match (`…jwt.audiences`). @default none checked */
  readonly audiences: readonly string[];
  /** Clock skew for `exp`/`nbf`, seconds. @default 30 */
  readonly clockSkewSec: number;
  /** Longest token accepted, characters. @default 8192 */
  readonly maxTokenLength: number;
  /** Verified tokens reused without a new signature check; 0 verifies every request. @default 1024 */
  readonly cacheSize: number;
  /** Longest a verified token is reused, ms (a secret change empties the cache). @default 60 s */
  readonly cacheTtlMs: number;
  /** Header carrying the subject upstream; null sends none. @default 'X-User-Id' */
  readonly userIdHeader: string | null;
  /** Claims forwarded upstream: claim name → header name (the gateway owns those headers). @default {} */
  readonly claimHeaders: Readonly<Record<string, string>>;
}

/** `RequestRateLimiter` defaults (`spring.cloud.gateway.filter.request-rate-limiter.*`). */
export interface RateLimiterSettings {
  /** @default true */
  readonly denyEmptyKey: boolean;
  /** @default 403 */
  readonly emptyKeyStatusCode: number;
  /** Send `X-RateLimit-*` headers (`redis-rate-limiter.include-headers`). @default true */
  readonly includeHeaders: boolean;
}

/** `SecureHeaders` values and the headers on by default (`filter.secure-headers.*`). */
export interface SecureHeadersSettings {
  readonly values: Readonly<Record<SecureHeaderName, string>>;
  /** Lower-case names of the headers added by default (Spring: all but Permissions-Policy). */
  readonly enabled: readonly string[];
}

/** A Redis server for `RequestRateLimiter` (`spring.data.redis.*`). */
export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly username: string | null;
  readonly password: Secret | null;
  readonly database: number;
  /** Command timeout, ms (`spring.data.redis.timeout`). @default 2000 */
  readonly commandTimeoutMs: number;
}

/** The validated, frozen settings of one gateway: the one binding of `@stratus/gateway`. */
export interface GatewaySettings {
  /** Upstream TCP connect timeout, ms. @default 5000 */
  readonly connectTimeoutMs: number;
  /** Upstream response timeout, ms; 0 = none. @default 30000 */
  readonly responseTimeoutMs: number;
  /** Idle upstream keep-alive, ms. @default 4000 */
  readonly keepAliveTimeoutMs: number;
  /** Connections per upstream origin; 0 = unbounded. @default 0 */
  readonly maxConnectionsPerOrigin: number;
  /** Peers whose forwarded headers are trusted (Spring's `trusted-proxies`, full match). @default null */
  readonly trustedProxies: RegExp | null;
  /** Answer 404 instead of 503 when an `lb://` service has no instance (`loadbalancer.use404`). @default false */
  readonly use404: boolean;
  /** Largest request body forwarded, bytes. @default 5 MiB */
  readonly maxBodyBytes: number;
  /** Largest repeatable body held in memory for a retry, bytes. @default 256 KiB */
  readonly maxBufferedBodyBytes: number;
  /** Most open connections from one client address; 0 = no limit. @default 512 */
  readonly maxConnectionsPerClient: number;
  /** Lower-case header making any request idempotent, or null. @default 'idempotency-key' */
  readonly idempotencyKeyHeader: string | null;
  /** Write one access-log line per request (`reactor.netty.http.server.AccessLog`). @default false */
  readonly accessLog: boolean;
  /** `SetStatus`: header carrying the upstream's status (`set-status.original-status-header-name`). @default null */
  readonly originalStatusHeaderName: string | null;
  readonly jwt: JwtSettings;
  readonly rateLimiter: RateLimiterSettings;
  readonly secureHeaders: SecureHeadersSettings;
  /** `LocalResponseCache` defaults. */
  readonly responseCache: { readonly sizeBytes: number; readonly timeToLiveMs: number };
  /** Redis for `RequestRateLimiter`; null keeps the buckets in memory. @default null */
  readonly redis: RedisSettings | null;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends RegExp | Secret | readonly unknown[] | null
    ? T[K]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};

/** What code passes to `registerGateway`: any subset of {@link GatewaySettings}. */
export type GatewaySettingsInput = DeepPartial<Omit<GatewaySettings, 'redis'>> & {
  readonly redis?: Partial<RedisSettings> | null;
};

const DEFAULT_ENABLED_SECURE_HEADERS = Object.freeze(
  (Object.keys(SECURE_HEADER_DEFAULTS) as SecureHeaderName[])
    .filter((name) => name !== 'Permissions-Policy')
    .map((name) => name.toLowerCase()),
);

function nonNegative(value: number, name: string, problems: string[], integer = true): number {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value)))
    problems.push(`${name} must be ${integer ? 'an integer ' : 'a number '}>= 0`);
  return value;
}

function headerOrNull(value: string | null, name: string, problems: string[]): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !isHeaderName(value)) {
    problems.push(`${name} must be a header name or null`);
    return null;
  }
  return value.toLowerCase();
}

function resolveJwt(input: DeepPartial<JwtSettings> = {}, problems: string[]): JwtSettings {
  const key = (input.key ?? null) as JwtKeySource | null;
  if (key !== null) {
    const count = ['secret', 'jwksUrl', 'publicKeyPem'].filter((k) => k in key).length;
    if (count !== 1)
      problems.push('jwt.key must have exactly one of secret, jwksUrl, publicKeyPem');
    if (
      'secret' in key &&
      String(key.secret instanceof Secret ? key.secret.reveal() : key.secret) === ''
    )
      problems.push('jwt.key.secret must not be empty');
    if ('jwksUrl' in key && !/^https?:\/\//.test(key.jwksUrl))
      problems.push('jwt.key.jwksUrl must be an http(s) URL');
    if ('publicKeyPem' in key && !/-----BEGIN PUBLIC KEY-----/.test(key.publicKeyPem))
      problems.push('jwt.key.publicKeyPem must be a PEM public key (BEGIN PUBLIC KEY)');
  }
  const algorithms = input.algorithms ?? null;
  if (algorithms?.some((alg) => alg.toLowerCase() === 'none'))
    problems.push("jwt.algorithms must never contain 'none'");
  // reliability.md §1.4: the key type fixes the algorithm family (no HS/RS confusion).
  else if (algorithms !== null && key !== null && algorithms.length > 0) {
    const isHmac = 'secret' in key;
    if (algorithms.some((alg) => alg.toUpperCase().startsWith('HS') !== isHmac))
      problems.push(
        `jwt.algorithms ${algorithms.join(', ')} do not fit the key: a secret takes HS* only, a public key or JWKS no HS*`,
      );
  }
  const claimHeaders: Record<string, string> = {};
  for (const [claim, header] of Object.entries(input.claimHeaders ?? {})) {
    if (typeof header !== 'string' || !isHeaderName(header))
      problems.push(`jwt.claimHeaders.${claim} must be a header name`);
    else claimHeaders[claim] = header.toLowerCase();
  }
  return Object.freeze({
    key,
    algorithms: algorithms === null ? null : Object.freeze([...algorithms]),
    issuer: input.issuer ?? null,
    audiences: Object.freeze([...(input.audiences ?? [])]),
    clockSkewSec: nonNegative(
      input.clockSkewSec ?? GATEWAY_DEFAULTS.tokenClockSkewSec,
      'jwt.clockSkewSec',
      problems,
      false,
    ),
    maxTokenLength: nonNegative(
      input.maxTokenLength ?? GATEWAY_DEFAULTS.maxTokenLength,
      'jwt.maxTokenLength',
      problems,
    ),
    cacheSize: nonNegative(
      input.cacheSize ?? GATEWAY_DEFAULTS.tokenCacheSize,
      'jwt.cacheSize',
      problems,
    ),
    cacheTtlMs: nonNegative(
      input.cacheTtlMs ?? GATEWAY_DEFAULTS.tokenCacheTtlMs,
      'jwt.cacheTtlMs',
      problems,
    ),
    userIdHeader: headerOrNull(
      input.userIdHeader === undefined ? GATEWAY_DEFAULTS.userIdHeader : input.userIdHeader,
      'jwt.userIdHeader',
      problems,
    ),
    claimHeaders: Object.freeze(claimHeaders),
  });
}

function resolveSecureHeaders(
  input: DeepPartial<SecureHeadersSettings> = {},
  problems: string[],
): SecureHeadersSettings {
  const values: Record<SecureHeaderName, string> = { ...SECURE_HEADER_DEFAULTS };
  for (const [name, value] of Object.entries(input.values ?? {})) {
    if (!(name in SECURE_HEADER_DEFAULTS))
      problems.push(`secureHeaders.values: unknown header ${name}`);
    else values[name as SecureHeaderName] = String(value);
  }
  return Object.freeze({
    values: Object.freeze(values),
    enabled: Object.freeze(
      (input.enabled ?? DEFAULT_ENABLED_SECURE_HEADERS).map((n) => n.toLowerCase()),
    ),
  });
}

function resolveRedis(
  input: Partial<RedisSettings> | null | undefined,
  problems: string[],
): RedisSettings | null {
  if (input === null || input === undefined) return null;
  const port = input.port ?? 6379;
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    problems.push('redis.port must be 1-65535');
  return Object.freeze({
    host: input.host ?? 'localhost',
    port,
    username: input.username ?? null,
    password: input.password ?? null,
    database: nonNegative(input.database ?? 0, 'redis.database', problems),
    commandTimeoutMs: nonNegative(
      input.commandTimeoutMs ?? 2000,
      'redis.commandTimeoutMs',
      problems,
    ),
  });
}

function resolveRateLimiter(
  input: DeepPartial<RateLimiterSettings> = {},
  problems: string[],
): RateLimiterSettings {
  const status = input.emptyKeyStatusCode ?? GATEWAY_DEFAULTS.emptyKeyStatusCode;
  if (!Number.isInteger(status) || status < 400 || status > 599)
    problems.push('rateLimiter.emptyKeyStatusCode must be a 4xx or 5xx status');
  return Object.freeze({
    denyEmptyKey: input.denyEmptyKey ?? GATEWAY_DEFAULTS.denyEmptyKey,
    emptyKeyStatusCode: status,
    includeHeaders: input.includeHeaders ?? GATEWAY_DEFAULTS.rateLimitIncludeHeaders,
  });
}

/**
 * Validates settings once, filling defaults from {@link GATEWAY_DEFAULTS}, and freezes them.
 *
 * @throws StratusError `GW_ERR_INVALID_OPTIONS` listing every problem.
 * @example
 * const settings = resolveGatewaySettings({ responseTimeoutMs: 2000, jwt: { key: { secret } } });
 */
export function resolveGatewaySettings(input: GatewaySettingsInput = {}): GatewaySettings {
  const problems: string[] = [];
  const d = GATEWAY_DEFAULTS;
  const connectTimeoutMs = input.connectTimeoutMs ?? d.connectTimeoutMs;
  if (!(Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0))
    problems.push('connectTimeoutMs must be a positive number');
  const trustedProxies = input.trustedProxies ?? null;
  if (trustedProxies !== null && !(trustedProxies instanceof RegExp))
    problems.push('trustedProxies must be a RegExp or null');
  const settings: GatewaySettings = {
    connectTimeoutMs,
    responseTimeoutMs: nonNegative(
      input.responseTimeoutMs ?? d.responseTimeoutMs,
      'responseTimeoutMs',
      problems,
      false,
    ),
    keepAliveTimeoutMs: nonNegative(
      input.keepAliveTimeoutMs ?? d.keepAliveTimeoutMs,
      'keepAliveTimeoutMs',
      problems,
    ),
    maxConnectionsPerOrigin: nonNegative(
      input.maxConnectionsPerOrigin ?? d.maxConnectionsPerOrigin,
      'maxConnectionsPerOrigin',
      problems,
    ),
    trustedProxies,
    use404: input.use404 ?? false,
    maxBodyBytes: nonNegative(input.maxBodyBytes ?? d.maxBodyBytes, 'maxBodyBytes', problems),
    maxBufferedBodyBytes: nonNegative(
      input.maxBufferedBodyBytes ?? d.maxBufferedBodyBytes,
      'maxBufferedBodyBytes',
      problems,
    ),
    maxConnectionsPerClient: nonNegative(
      input.maxConnectionsPerClient ?? d.maxConnectionsPerClient,
      'maxConnectionsPerClient',
      problems,
    ),
    idempotencyKeyHeader: headerOrNull(
      input.idempotencyKeyHeader === undefined
        ? d.idempotencyKeyHeader
        : input.idempotencyKeyHeader,
      'idempotencyKeyHeader',
      problems,
    ),
    accessLog: input.accessLog ?? false,
    originalStatusHeaderName: headerOrNull(
      input.originalStatusHeaderName ?? null,
      'originalStatusHeaderName',
      problems,
    ),
    jwt: resolveJwt(input.jwt, problems),
    rateLimiter: resolveRateLimiter(input.rateLimiter, problems),
    secureHeaders: resolveSecureHeaders(input.secureHeaders, problems),
    responseCache: Object.freeze({
      sizeBytes: nonNegative(
        input.responseCache?.sizeBytes ?? d.responseCacheSizeBytes,
        'responseCache.sizeBytes',
        problems,
      ),
      timeToLiveMs: nonNegative(
        input.responseCache?.timeToLiveMs ?? d.responseCacheTimeToLiveMs,
        'responseCache.timeToLiveMs',
        problems,
      ),
    }),
    redis: resolveRedis(input.redis, problems),
  };
  if (problems.length > 0) throw invalidOptions(problems);
  return Object.freeze(settings);
}

/** True for settings already resolved by {@link resolveGatewaySettings}. */
export const isResolvedSettings = (value: unknown): value is GatewaySettings =>
  typeof value === 'object' &&
  value !== null &&
  Object.isFrozen(value) &&
  typeof (value as GatewaySettings).jwt === 'object' &&
  Object.isFrozen((value as GatewaySettings).jwt);
