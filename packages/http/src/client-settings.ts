import { parseDataSizeBytes, parseDurationMs } from '@stratus/core';
import { HttpErrors } from './errors.js';
import type { PropertyView } from './internal/property-view.js';

/** Feign's `Logger.Level`: how much of each exchange is logged (at DEBUG). */
export type LoggerLevel = 'NONE' | 'BASIC' | 'HEADERS' | 'FULL';

const LOGGER_LEVELS: ReadonlySet<string> = new Set(['NONE', 'BASIC', 'HEADERS', 'FULL']);

/** One client's settings, resolved from `spring.cloud.openfeign.*` over the code defaults. */
export interface ClientSettings {
  /** `…client.config.<name>.url`: replaces the definition's URL. @default none */
  readonly url: string | undefined;
  /** `…connect-timeout`, ms. @default 10000 (Feign's `Request.Options`) */
  readonly connectTimeoutMs: number;
  /** `…read-timeout`: longest wait for the answer's head, and between body chunks, ms. @default 60000 */
  readonly readTimeoutMs: number;
  /** `…logger-level`. @default 'NONE' */
  readonly loggerLevel: LoggerLevel;
  /** `…default-request-headers.<name>[i]`, client entries over `default`'s. */
  readonly defaultRequestHeaders: ReadonlyArray<readonly [string, string]>;
  /** `…default-query-parameters.<name>[i]`, client entries over `default`'s. */
  readonly defaultQueryParameters: ReadonlyArray<readonly [string, string]>;
  /** `…retryer`: `feign.Retryer.Default`, `feign.Retryer.NEVER_RETRY` or a registered name. */
  readonly retryer: string | undefined;
  /** `…error-decoder`: a registered name. */
  readonly errorDecoder: string | undefined;
  /** `…request-interceptors[i]`: registered names, run after the code's interceptors. */
  readonly requestInterceptors: readonly string[];
  /** `spring.cloud.openfeign.circuitbreaker.enabled` (Boot 2's `feign.hystrix.enabled`). @default false */
  readonly circuitBreakerEnabled: boolean;
  /** `spring.cloud.openfeign.circuitbreaker.group.enabled`: the client name is the breaker's group. @default false */
  readonly circuitBreakerGroupEnabled: boolean;
  /** `spring.cloud.openfeign.circuitbreaker.alphanumeric-ids.enabled`. @default false */
  readonly circuitBreakerAlphanumericIds: boolean;
  /** `spring.cloud.openfeign.compression.request.enabled`. @default false */
  readonly compressRequests: boolean;
  /** `spring.cloud.openfeign.compression.request.mime-types`. @default text/xml, application/xml, application/json */
  readonly compressMimeTypes: readonly string[];
  /** `spring.cloud.openfeign.compression.request.min-request-size`, bytes. @default 2048 */
  readonly compressMinRequestBytes: number;
  /** `spring.cloud.openfeign.compression.response.enabled`: ask for gzip and inflate it. @default false */
  readonly acceptCompressedResponses: boolean;
  /** `spring.cloud.openfeign.micrometer.enabled`: record `http_client_requests_seconds`. @default true */
  readonly metricsEnabled: boolean;
  /** `spring.cloud.loadbalancer.retry.enabled`: try another instance after a failed attempt. @default true */
  readonly loadBalancerRetryEnabled: boolean;
  /** `spring.cloud.loadbalancer.retry.max-retries-on-next-service-instance`. @default 1 */
  readonly retriesOnNextInstance: number;
  /** `spring.cloud.loadbalancer.retry.retry-on-all-operations`: treat every method as idempotent. @default false */
  readonly retryOnAllOperations: boolean;
}

/** Settings given in code: Spring's `@Bean Logger.Level`, `Request.Options`; properties win over them. */
export type ClientDefaults = Partial<
  Pick<ClientSettings, 'url' | 'connectTimeoutMs' | 'readTimeoutMs' | 'loggerLevel'>
>;

const OPENFEIGN = 'spring.cloud.openfeign';
// Spring Cloud OpenFeign 3.x and earlier: the same keys under `feign.`; the new prefix wins.
const LEGACY = 'feign';
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Reads values for one client, first from `config.<name>`, then from `config.<default-config>`. */
function layersFor(view: PropertyView, name: string): string[] {
  const defaultConfig = String(
    view.get(`${OPENFEIGN}.client.default-config`) ??
      view.get(`${LEGACY}.client.default-config`) ??
      'default',
  );
  return [
    `${OPENFEIGN}.client.config.${name}`,
    `${LEGACY}.client.config.${name}`,
    `${OPENFEIGN}.client.config.${defaultConfig}`,
    `${LEGACY}.client.config.${defaultConfig}`,
  ];
}

function firstOf(view: PropertyView, keys: readonly string[]): [string, unknown] | undefined {
  for (const key of keys) {
    const value = view.get(key);
    if (value !== undefined && value !== null && value !== '') return [key, value];
  }
  return undefined;
}

class Reader {
  readonly problems: string[] = [];
  constructor(readonly view: PropertyView) {}

  boolean(keys: readonly string[], fallback: boolean): boolean {
    const found = firstOf(this.view, keys);
    if (!found) return fallback;
    const text = String(found[1]).trim().toLowerCase();
    if (text === 'true' || text === 'false') return text === 'true';
    this.problems.push(`${found[0]}: '${String(found[1])}' is not true or false`);
    return fallback;
  }

  durationMs(keys: readonly string[], fallback: number): number {
    const found = firstOf(this.view, keys);
    if (!found) return fallback;
    const ms = parseDurationMs(found[1]);
    if (ms !== null && ms > 0 && ms <= MAX_TIMEOUT_MS) return Math.ceil(ms);
    this.problems.push(`${found[0]}: '${String(found[1])}' is not a positive duration (ms)`);
    return fallback;
  }

  count(keys: readonly string[], fallback: number): number {
    const found = firstOf(this.view, keys);
    if (!found) return fallback;
    const n = Number(found[1]);
    if (Number.isInteger(n) && n >= 0 && n <= 100) return n;
    this.problems.push(`${found[0]}: '${String(found[1])}' is not a whole number from 0 to 100`);
    return fallback;
  }

  bytes(keys: readonly string[], fallback: number): number {
    const found = firstOf(this.view, keys);
    if (!found) return fallback;
    const n = parseDataSizeBytes(found[1]);
    if (n !== null && n >= 0) return n;
    this.problems.push(`${found[0]}: '${String(found[1])}' is not a data size`);
    return fallback;
  }

  string(keys: readonly string[]): string | undefined {
    const found = firstOf(this.view, keys);
    return found ? String(found[1]) : undefined;
  }

  /** `key[0]`, `key[1]`, … or a comma-separated value, from the first layer that has any. */
  list(keys: readonly string[]): string[] {
    for (const key of keys) {
      // A list arrives as `[0]`, `[1]` (flat keys) or `0`, `1` (an environment's object).
      const items = this.view
        .entries(key)
        .map(([rest, value]) => [/^\[?(\d+)\]?$/.exec(rest)?.[1], value] as const)
        .filter((entry): entry is readonly [string, unknown] => entry[0] !== undefined)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([, value]) => String(value).trim());
      if (items.length > 0) return items;
      const value = this.view.get(key);
      if (typeof value === 'string' && value.trim() !== '')
        return value.split(',').map((item) => item.trim());
    }
    return [];
  }

  /** `key.<name>[i]` pairs; a name in an earlier layer hides the same name in later ones. */
  multiMap(keys: readonly string[], what: string): Array<readonly [string, string]> {
    const out: Array<readonly [string, string]> = [];
    const seen = new Set<string>();
    for (const key of keys) {
      const here = new Set<string>();
      for (const [rest, value] of this.view.entries(key)) {
        const name = rest.replace(/\[\d+\]$/, '');
        if (seen.has(name.toLowerCase())) continue;
        if (!/^[!#$%&'*+.^`|~\w-]+$/.test(name) || /[\r\n\0]/.test(String(value))) {
          this.problems.push(`${key}.${name}: not a valid ${what}`);
          continue;
        }
        here.add(name.toLowerCase());
        out.push([name, String(value)]);
      }
      for (const name of here) seen.add(name);
    }
    return out;
  }
}

function loggerLevelOf(reader: Reader, keys: string[], fallback: LoggerLevel): LoggerLevel {
  const found = firstOf(reader.view, keys);
  if (!found) return fallback;
  const level = String(found[1]).trim().toUpperCase();
  if (LOGGER_LEVELS.has(level)) return level as LoggerLevel;
  reader.problems.push(`${found[0]}: '${String(found[1])}' is not NONE, BASIC, HEADERS or FULL`);
  return fallback;
}

/**
 * Resolves a client's settings as `FeignClientFactoryBean` does with `default-to-properties`:
 * the code's defaults, under `config.default`, under `config.<name>`; the `feign.*` prefix of
 * Spring Cloud OpenFeign 3.x is read too, below `spring.cloud.openfeign.*`.
 *
 * @throws StratusError `HTTP_ERR_INVALID_CONFIG` listing every setting that does not bind.
 */
export function resolveClientSettings(
  view: PropertyView,
  name: string,
  defaults: ClientDefaults = {},
): ClientSettings {
  const reader = new Reader(view);
  const layers = layersFor(view, name);
  const at = (key: string) => layers.map((layer) => `${layer}.${key}`);
  const both = (key: string) => [`${OPENFEIGN}.${key}`, `${LEGACY}.${key}`];
  const lb = (key: string) => [`spring.cloud.loadbalancer.retry.${key}`];
  const settings: ClientSettings = {
    url: reader.string(at('url')) ?? defaults.url,
    connectTimeoutMs: reader.durationMs(at('connect-timeout'), defaults.connectTimeoutMs ?? 10_000),
    readTimeoutMs: reader.durationMs(at('read-timeout'), defaults.readTimeoutMs ?? 60_000),
    loggerLevel: loggerLevelOf(reader, at('logger-level'), defaults.loggerLevel ?? 'NONE'),
    defaultRequestHeaders: reader.multiMap(at('default-request-headers'), 'header'),
    defaultQueryParameters: reader.multiMap(at('default-query-parameters'), 'query parameter'),
    retryer: reader.string(at('retryer')),
    errorDecoder: reader.string(at('error-decoder')),
    requestInterceptors: reader.list(at('request-interceptors')),
    circuitBreakerEnabled: reader.boolean(
      [...both('circuitbreaker.enabled'), `${LEGACY}.hystrix.enabled`],
      false,
    ),
    circuitBreakerGroupEnabled: reader.boolean(both('circuitbreaker.group.enabled'), false),
    circuitBreakerAlphanumericIds: reader.boolean(
      both('circuitbreaker.alphanumeric-ids.enabled'),
      false,
    ),
    compressRequests: reader.boolean(both('compression.request.enabled'), false),
    compressMimeTypes: reader.list(both('compression.request.mime-types')).length
      ? reader.list(both('compression.request.mime-types'))
      : ['text/xml', 'application/xml', 'application/json'],
    compressMinRequestBytes: reader.bytes(both('compression.request.min-request-size'), 2048),
    acceptCompressedResponses: reader.boolean(both('compression.response.enabled'), false),
    metricsEnabled: reader.boolean(both('micrometer.enabled'), true),
    loadBalancerRetryEnabled: reader.boolean(lb('enabled'), true),
    retriesOnNextInstance: reader.count(lb('max-retries-on-next-service-instance'), 1),
    retryOnAllOperations: reader.boolean(lb('retry-on-all-operations'), false),
  };
  if (reader.problems.length > 0)
    throw HttpErrors.INVALID_CONFIG({
      message: `Invalid settings of HTTP client '${name}': ${reader.problems.join('; ')}`,
      details: { client: name, problems: reader.problems },
    });
  return Object.freeze(settings);
}
