import { parseDurationMs, type Logger } from '@stratus/core';
import type { ConfigEnvironment } from '../environment.js';
import { getList } from '../binding.js';
import { invalidSettingError } from '../errors.js';
import type { ConfigServerClientOptions, MultipleUriStrategy } from '../config-client.js';

/** The config server to ask, and how it was asked for. */
export interface ConfigServerTarget {
  uris: string[];
  optional: boolean;
  /** `import`: `spring.config.import=configserver:…`; `bootstrap`: bootstrap phase; `uri`: uri alone. */
  via: 'import' | 'bootstrap' | 'uri';
  /** The setting the URIs came from, for messages. */
  uriKey: 'spring.config.import' | 'spring.cloud.config.uri';
}

const DEFAULT_URI = 'http://localhost:8888';

/** Settings that must resolve completely before the server is contacted. */
const CLIENT_KEYS = [
  'spring.config.import',
  'spring.cloud.config.uri',
  'spring.cloud.config.name',
  'spring.cloud.config.profile',
  'spring.cloud.config.label',
  'spring.cloud.config.username',
  'spring.cloud.config.password',
];

/**
 * Finds the config server, in this order:
 * 1. `spring.config.import=[optional:]configserver:[url]` (Boot 2.4+). A URL in the import wins
 *    over `spring.cloud.config.uri`, as in Spring; a different uri is ignored with a warning.
 * 2. The bootstrap phase (a bootstrap file, or `spring.cloud.bootstrap.enabled=true`):
 *    `spring.cloud.config.uri`, else `http://localhost:8888`, optional unless fail-fast.
 * 3. `spring.cloud.config.uri` alone: contacted like 2, with an info message that Spring Boot
 *    2.4+ without the bootstrap starter would refuse to start ("No spring.config.import property
 *    has been defined"); `spring.cloud.config.import-check.enabled=false` silences it.
 * `spring.cloud.config.enabled=false` turns all of them off.
 *
 * @throws StratusError `CFG_ERR_UNRESOLVED_PLACEHOLDER` for a client setting with a `${…}`
 *   nothing defines; `CFG_ERR_INVALID_SETTING` for a URI that is not http(s).
 */
export function configServerTarget(
  env: ConfigEnvironment,
  bootstrapActive: boolean,
  announce: { logger: Logger; firstLoad: boolean },
): ConfigServerTarget | null {
  if (String(env.get('spring.cloud.config.enabled', 'true')).trim() === 'false') return null;
  for (const key of CLIENT_KEYS) env.assertResolvable(key);
  const configured = getList(env, 'spring.cloud.config.uri');
  const imports = getList(env, 'spring.config.import').map((s) => s.trim());
  let target: ConfigServerTarget | null = null;
  for (const [index, entry] of imports.entries()) {
    const match = /^(optional:)?configserver:(.*)$/.exec(entry);
    if (!match) continue;
    const uris = match[2] ? [match[2]] : [...configured];
    // `configserver:http://a,http://b`: the import list is split on commas, so bare http(s)
    // URLs right after a configserver: entry are more URIs of that entry.
    if (match[2])
      for (const next of imports.slice(index + 1)) {
        if (!/^https?:\/\//i.test(next)) break;
        uris.push(next);
      }
    if (match[2] && configured.length > 0 && announce.firstLoad)
      announce.logger.warn(
        {
          ignored: 'spring.cloud.config.uri',
          source: env.lookupRaw('spring.config.import')?.source,
        },
        'spring.cloud.config.uri is ignored because spring.config.import names the config server URL; use spring.config.import=optional:configserver: to take the URI from spring.cloud.config.uri',
      );
    target = {
      uris: uris.length > 0 ? uris : [DEFAULT_URI],
      optional: Boolean(match[1]),
      via: 'import',
      uriKey: match[2] ? 'spring.config.import' : 'spring.cloud.config.uri',
    };
    break;
  }
  if (target === null && bootstrapActive)
    target = {
      uris: configured.length > 0 ? configured : [DEFAULT_URI],
      optional: true,
      via: 'bootstrap',
      uriKey: 'spring.cloud.config.uri',
    };
  if (target === null && configured.length > 0) {
    const checked = String(env.get('spring.cloud.config.import-check.enabled', 'true')).trim();
    if (announce.firstLoad && checked !== 'false')
      announce.logger.info(
        { source: env.lookupRaw('spring.cloud.config.uri')?.source },
        'spring.cloud.config.uri without spring.config.import: contacting the config server as spring-cloud-starter-bootstrap does (Spring Boot 2.4+ without it requires spring.config.import=optional:configserver:)',
      );
    target = { uris: configured, optional: true, via: 'uri', uriKey: 'spring.cloud.config.uri' };
  }
  if (target !== null) assertHttpUris(env, target);
  return target;
}

function assertHttpUris(env: ConfigEnvironment, target: ConfigServerTarget): void {
  const key = target.uriKey;
  for (const uri of target.uris) {
    let valid = false;
    try {
      valid = ['http:', 'https:'].includes(new URL(uri).protocol);
    } catch {
      valid = false;
    }
    if (!valid)
      throw invalidSettingError(
        { key, source: env.lookupRaw(key)?.source ?? 'default' },
        'must name the config server with an http:// or https:// URL, like http://127.0.0.1:8888',
      );
  }
}

/** The `spring.cloud.config.*` connection settings shared by every request. */
export function clientSettings(
  env: ConfigEnvironment,
  uris: string[],
): Omit<ConfigServerClientOptions, 'profiles' | 'logger'> {
  const strategy = String(
    env.get('spring.cloud.config.multiple-uri-strategy', 'ALWAYS'),
  ).toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(env.getObject('spring.cloud.config.headers') ?? {}))
    if (value !== null && typeof value !== 'object') headers[name] = String(value);
  return {
    uris,
    name: String(
      env.get('spring.cloud.config.name') ?? env.get('spring.application.name') ?? 'application',
    ),
    label: env.getString('spring.cloud.config.label') || null,
    username: env.getString('spring.cloud.config.username'),
    password: env.getString('spring.cloud.config.password'),
    headers,
    multipleUriStrategy: (strategy === 'CONNECTION_TIMEOUT_ONLY'
      ? 'CONNECTION_TIMEOUT_ONLY'
      : 'ALWAYS') satisfies MultipleUriStrategy,
    connectTimeoutMs: durationSetting(env, 'spring.cloud.config.request-connect-timeout', 10_000),
    readTimeoutMs: durationSetting(env, 'spring.cloud.config.request-read-timeout', 185_000),
    initialIntervalMs: durationSetting(env, 'spring.cloud.config.retry.initial-interval', 1000),
    multiplier: numberSetting(env, 'spring.cloud.config.retry.multiplier', 1.1),
    maxIntervalMs: durationSetting(env, 'spring.cloud.config.retry.max-interval', 2000),
  };
}

export function numberSetting(env: ConfigEnvironment, key: string, fallback: number): number {
  const n = Number(env.get(key, fallback));
  return Number.isFinite(n) ? n : fallback;
}

/** Spring's client timeouts and intervals are milliseconds; `5s` style durations work too. */
function durationSetting(env: ConfigEnvironment, key: string, fallback: number): number {
  return parseDurationMs(env.get(key, fallback), 'ms') ?? fallback;
}
