import { Secret, parseDataSizeBytes, parseDurationMs } from '@stratus/core';
import {
  bindProperties,
  getList,
  uniformKey,
  type BoundProperties,
  type ConfigEnvironment,
  type PropertySpec,
} from '@stratus/config';
import { invalidOptions, problemsOf } from './errors.js';
import type { SecureHeaderName } from './filters/secure-headers-values.js';
import { parseHttpStatus } from './internal/http-status.js';
import { compileJavaRegex } from './internal/java-regex.js';
import {
  resolveGatewaySettings,
  type GatewaySettings,
  type GatewaySettingsInput,
  type JwtKeySource,
  type RedisSettings,
} from './settings.js';

/** Gateway 4.3+'s prefix first, then the classic one (spring-wire.md §5.1). */
export const GATEWAY_PREFIXES = [
  'spring.cloud.gateway.server.webflux',
  'spring.cloud.gateway',
] as const;

const RESOURCE_SERVER = 'spring.security.oauth2.resourceserver.jwt';

/** Every `stratus.gateway.*` key (relaxed names); `jwt.claim-headers.<claim>` is a map. */
const STRATUS_KEYS = [
  'max-request-body-size',
  'max-buffered-body-bytes',
  'max-connections-per-client',
  'idempotency-key-header',
  'access-log.enabled',
  'jwt.user-id-header',
  'jwt.clock-skew',
  'jwt.max-token-length',
  'jwt.cache-size',
  'jwt.cache-ttl',
  // Read by the process that forks the workers (cluster.ts), not by the request path.
  'workers',
];
const STRATUS_MAPS = ['jwt.claim-headers'];

const SECURE_HEADER_KEYS: Readonly<Record<string, SecureHeaderName>> = {
  'xss-protection-header': 'X-Xss-Protection',
  'strict-transport-security': 'Strict-Transport-Security',
  'frame-options': 'X-Frame-Options',
  'content-type-options': 'X-Content-Type-Options',
  'referrer-policy': 'Referrer-Policy',
  'content-security-policy': 'Content-Security-Policy',
  'download-options': 'X-Download-Options',
  'permitted-cross-domain-policies': 'X-Permitted-Cross-Domain-Policies',
  'permissions-policy': 'Permissions-Policy',
};

/** How to read files named by configuration (`public-key-location`); the boot layer supplies it. */
export interface BindSettingsOptions {
  readonly readFile?: (location: string) => string;
}

/** The key under whichever gateway prefix defines it (the webflux one wins). */
function gatewayKey(env: ConfigEnvironment, key: string): string {
  for (const prefix of GATEWAY_PREFIXES) if (env.has(`${prefix}.${key}`)) return `${prefix}.${key}`;
  return `${GATEWAY_PREFIXES[1]}.${key}`;
}

/** Where a key's value came from, for messages: `file:…/apigateway-service.yml`. */
const sourceOf = (env: ConfigEnvironment, key: string): string =>
  env.lookupRaw(key)?.source ?? 'defaults';

/**
 * Binds with `bindProperties`, one property at a time so that every problem is found, each
 * naming its file (the binder's own text is kept when it already does).
 */
function bindScalars<T extends Record<string, PropertySpec>>(
  env: ConfigEnvironment,
  specs: T,
  problems: string[],
): Partial<BoundProperties<T>> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    try {
      out[name] = bindProperties(env, { [name]: spec })[name];
    } catch (error) {
      const source = sourceOf(env, spec.key);
      for (const problem of problemsOf(error))
        problems.push(problem.includes(source) ? problem : `${source}: ${problem}`);
    }
  }
  return out as Partial<BoundProperties<T>>;
}

/** Unknown keys under `stratus.gateway.*` (a typo must not silently fall back to a default). */
function unknownStratusKeys(env: ConfigEnvironment): string[] {
  const known = new Set(STRATUS_KEYS.map((key) => uniformKey(`stratus.gateway.${key}`)));
  const maps = STRATUS_MAPS.map((key) => uniformKey(`stratus.gateway.${key}.`));
  const problems: string[] = [];
  for (const entry of env.rawEntries('stratus.gateway')) {
    const key = uniformKey(entry.key);
    if (known.has(key) || maps.some((prefix) => key.startsWith(prefix))) continue;
    problems.push(
      `${entry.source}: ${entry.key}: unknown setting (known: stratus.gateway.${STRATUS_KEYS.join(', stratus.gateway.')}, stratus.gateway.jwt.claim-headers.<claim>)`,
    );
  }
  return problems;
}

function jwtKey(
  env: ConfigEnvironment,
  options: BindSettingsOptions,
  problems: string[],
): JwtKeySource | null {
  const jwksUrl = env.getString(`${RESOURCE_SERVER}.jwk-set-uri`);
  if (jwksUrl) return { jwksUrl };
  const location = env.getString(`${RESOURCE_SERVER}.public-key-location`);
  if (location) {
    if (options.readFile === undefined) {
      problems.push(`${RESOURCE_SERVER}.public-key-location: cannot be read here`);
      return null;
    }
    try {
      return { publicKeyPem: options.readFile(location) };
    } catch (error) {
      problems.push(
        `${sourceOf(env, `${RESOURCE_SERVER}.public-key-location`)}: ${RESOURCE_SERVER}.public-key-location: ${(error as Error).message}`,
      );
      return null;
    }
  }
  const secret = env.getString('token.secret');
  return secret ? { secret: new Secret(secret) } : null;
}

function redisOf(env: ConfigEnvironment, problems: string[]): Partial<RedisSettings> | null {
  const prefix = ['spring.data.redis', 'spring.redis'].find(
    (p) => env.has(`${p}.host`) || env.has(`${p}.url`) || env.has(`${p}.port`),
  );
  if (prefix === undefined) return null;
  const url = env.getString(`${prefix}.url`);
  const fromUrl = url ? new URL(url) : null;
  const timeout = parseDurationMs(env.get(`${prefix}.timeout`) ?? '2000');
  if (timeout === null)
    problems.push(`${sourceOf(env, `${prefix}.timeout`)}: ${prefix}.timeout: not a duration`);
  const password = fromUrl?.password
    ? decodeURIComponent(fromUrl.password)
    : env.getString(`${prefix}.password`);
  return {
    host: fromUrl?.hostname || env.getString(`${prefix}.host`, 'localhost'),
    port: Number(fromUrl?.port || env.getString(`${prefix}.port`, '6379')),
    username:
      (fromUrl?.username
        ? decodeURIComponent(fromUrl.username)
        : env.getString(`${prefix}.username`)) || null,
    password: password ? new Secret(password) : null,
    database: Number(fromUrl?.pathname.slice(1) || env.getString(`${prefix}.database`, '0')),
    commandTimeoutMs: timeout ?? 2000,
  };
}

function secureHeadersOf(env: ConfigEnvironment): GatewaySettingsInput['secureHeaders'] {
  const values: Partial<Record<SecureHeaderName, string>> = {};
  for (const [key, header] of Object.entries(SECURE_HEADER_KEYS)) {
    const value = env.getString(gatewayKey(env, `filter.secure-headers.${key}`));
    if (value !== undefined) values[header] = value;
  }
  const disable = getList(env, gatewayKey(env, 'filter.secure-headers.disable')).map((n) =>
    n.toLowerCase(),
  );
  const enable = getList(env, gatewayKey(env, 'filter.secure-headers.enable')).map((n) =>
    n.toLowerCase(),
  );
  const defaults = Object.values(SECURE_HEADER_KEYS)
    .filter((n) => n !== 'Permissions-Policy')
    .map((n) => n.toLowerCase());
  const enabled = [...new Set([...defaults, ...enable])].filter((name) => !disable.includes(name));
  return { values, enabled };
}

/** Spring's gateway keys and the Stratus ones, as the typed specs of `bindProperties`. */
function specsOf(env: ConfigEnvironment) {
  const g = (key: string) => gatewayKey(env, key);
  return {
    connectTimeoutMs: {
      key: g('httpclient.connect-timeout'),
      type: 'number',
      integer: true,
      min: 1,
    },
    responseTimeout: { key: g('httpclient.response-timeout'), type: 'string' },
    maxIdleTime: { key: g('httpclient.pool.max-idle-time'), type: 'duration', min: 0 },
    maxConnections: {
      key: g('httpclient.pool.max-connections'),
      type: 'number',
      integer: true,
      min: 0,
    },
    trustedProxies: { key: g('trusted-proxies'), type: 'string' },
    use404: { key: g('loadbalancer.use404'), type: 'boolean' },
    denyEmptyKey: { key: g('filter.request-rate-limiter.deny-empty-key'), type: 'boolean' },
    emptyKeyStatusCode: {
      key: g('filter.request-rate-limiter.empty-key-status-code'),
      type: 'string',
    },
    includeHeaders: { key: g('redis-rate-limiter.include-headers'), type: 'boolean' },
    cacheSize: { key: g('filter.local-response-cache.size'), type: 'string' },
    cacheTimeToLive: {
      key: g('filter.local-response-cache.time-to-live'),
      type: 'duration',
      min: 0,
    },
    originalStatusHeaderName: { key: g('set-status.original-status-header-name'), type: 'string' },
    maxBodySize: { key: 'stratus.gateway.max-request-body-size', type: 'string' },
    maxBufferedBodyBytes: {
      key: 'stratus.gateway.max-buffered-body-bytes',
      type: 'number',
      integer: true,
      min: 0,
    },
    maxConnectionsPerClient: {
      key: 'stratus.gateway.max-connections-per-client',
      type: 'number',
      integer: true,
      min: 0,
    },
    idempotencyKeyHeader: { key: 'stratus.gateway.idempotency-key-header', type: 'string' },
    accessLog: { key: 'stratus.gateway.access-log.enabled', type: 'boolean' },
    userIdHeader: { key: 'stratus.gateway.jwt.user-id-header', type: 'string' },
    clockSkew: { key: 'stratus.gateway.jwt.clock-skew', type: 'duration', unit: 's', min: 0 },
    maxTokenLength: {
      key: 'stratus.gateway.jwt.max-token-length',
      type: 'number',
      integer: true,
      min: 1,
    },
    tokenCacheSize: {
      key: 'stratus.gateway.jwt.cache-size',
      type: 'number',
      integer: true,
      min: 0,
    },
    tokenCacheTtl: { key: 'stratus.gateway.jwt.cache-ttl', type: 'duration', min: 0 },
    jwsAlgorithms: { key: `${RESOURCE_SERVER}.jws-algorithms`, type: 'list' },
    issuer: { key: `${RESOURCE_SERVER}.issuer-uri`, type: 'string' },
    audiences: { key: `${RESOURCE_SERVER}.audiences`, type: 'list' },
  } as const satisfies Record<string, PropertySpec>;
}

/** `none` or empty → no header; otherwise the name; unset → the default. */
const optionalHeader = (value: string | undefined): string | null | undefined =>
  value === undefined
    ? undefined
    : value.trim() === '' || value.trim().toLowerCase() === 'none'
      ? null
      : value.trim();

function converted(
  env: ConfigEnvironment,
  bound: Partial<BoundProperties<ReturnType<typeof specsOf>>>,
  problems: string[],
) {
  const at = (key: string, problem: string) =>
    problems.push(`${sourceOf(env, key)}: ${key}: ${problem}`);
  const specs = specsOf(env);
  const responseTimeoutMs =
    bound.responseTimeout === undefined ? undefined : parseDurationMs(bound.responseTimeout);
  if (responseTimeoutMs === null) at(specs.responseTimeout.key, 'not a duration');
  let trustedProxies: RegExp | null = null;
  if (bound.trustedProxies !== undefined && bound.trustedProxies !== '') {
    try {
      trustedProxies = compileJavaRegex(bound.trustedProxies, { fullMatch: true });
    } catch (error) {
      at(specs.trustedProxies.key, (error as Error).message);
    }
  }
  const sizeOf = (text: string | undefined, key: string): number | undefined => {
    if (text === undefined) return undefined;
    const bytes = parseDataSizeBytes(text);
    if (bytes === null) at(key, `'${text}' is not a data size`);
    return bytes ?? undefined;
  };
  const emptyKeyStatus =
    bound.emptyKeyStatusCode === undefined ? undefined : parseHttpStatus(bound.emptyKeyStatusCode);
  if (emptyKeyStatus === null) at(specs.emptyKeyStatusCode.key, 'not an HTTP status');
  return {
    responseTimeoutMs:
      responseTimeoutMs === null
        ? undefined
        : responseTimeoutMs === undefined
          ? undefined
          : responseTimeoutMs < 0
            ? 0
            : responseTimeoutMs,
    trustedProxies,
    sizeOf,
    emptyKeyStatus: emptyKeyStatus ?? undefined,
  };
}

function claimHeadersOf(env: ConfigEnvironment): Record<string, string> {
  const map = env.getObject('stratus.gateway.jwt.claim-headers') ?? {};
  return Object.fromEntries(Object.entries(map).map(([claim, header]) => [claim, String(header)]));
}

/**
 * Binds the gateway's settings from configuration once: Spring Cloud Gateway's keys under
 * `spring.cloud.gateway.server.webflux.*` or `spring.cloud.gateway.*` (`httpclient.*`,
 * `trusted-proxies`, `loadbalancer.use404`, `filter.*`, `redis-rate-limiter.include-headers`,
 * `set-status.*`), the seed's `token.secret`, Spring Security's
 * `spring.security.oauth2.resourceserver.jwt.*`, `spring.data.redis.*`, and `stratus.gateway.*`.
 * A refresh binds again. Every problem is reported at once with its file and key, including
 * unknown `stratus.gateway.*` keys.
 *
 * @throws StratusError `GW_ERR_INVALID_OPTIONS` listing every problem.
 * @example
 * const settings = bindGatewaySettings(app.config.environment, { readFile: (path) => readFileSync(path, 'utf8') });
 */
export function bindGatewaySettings(
  env: ConfigEnvironment,
  options: BindSettingsOptions = {},
): GatewaySettings {
  const problems = unknownStratusKeys(env);
  const bound = bindScalars(env, specsOf(env), problems);
  const key = jwtKey(env, options, problems);
  const redis = redisOf(env, problems);
  const { responseTimeoutMs, trustedProxies, sizeOf, emptyKeyStatus } = converted(
    env,
    bound,
    problems,
  );
  const input: GatewaySettingsInput = {
    connectTimeoutMs: bound.connectTimeoutMs,
    responseTimeoutMs,
    keepAliveTimeoutMs: bound.maxIdleTime,
    maxConnectionsPerOrigin: bound.maxConnections,
    trustedProxies,
    use404: bound.use404,
    maxBodyBytes: sizeOf(bound.maxBodySize, 'stratus.gateway.max-request-body-size'),
    maxBufferedBodyBytes: bound.maxBufferedBodyBytes,
    maxConnectionsPerClient: bound.maxConnectionsPerClient,
    idempotencyKeyHeader: optionalHeader(bound.idempotencyKeyHeader),
    accessLog: bound.accessLog,
    originalStatusHeaderName: bound.originalStatusHeaderName ?? null,
    jwt: {
      key,
      algorithms: bound.jwsAlgorithms ?? null,
      issuer: bound.issuer ?? null,
      audiences: bound.audiences ?? [],
      clockSkewSec: bound.clockSkew === undefined ? undefined : bound.clockSkew / 1000,
      maxTokenLength: bound.maxTokenLength,
      cacheSize: bound.tokenCacheSize,
      cacheTtlMs: bound.tokenCacheTtl,
      userIdHeader: optionalHeader(bound.userIdHeader),
      claimHeaders: claimHeadersOf(env),
    },
    rateLimiter: {
      denyEmptyKey: bound.denyEmptyKey,
      emptyKeyStatusCode: emptyKeyStatus,
      includeHeaders: bound.includeHeaders,
    },
    secureHeaders: secureHeadersOf(env),
    responseCache: {
      sizeBytes: sizeOf(bound.cacheSize, gatewayKey(env, 'filter.local-response-cache.size')),
      timeToLiveMs: bound.cacheTimeToLive,
    },
    redis,
  };
  try {
    const settings = resolveGatewaySettings(withoutUndefined(input));
    if (problems.length > 0) throw invalidOptions(problems);
    return settings;
  } catch (error) {
    throw invalidOptions([...problems, ...problemsOf(error)]);
  }
}

/** Drops undefined fields so the resolver's defaults apply. */
function withoutUndefined<T>(value: T): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof RegExp ||
    value instanceof Secret
  )
    return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)]),
  ) as T;
}
