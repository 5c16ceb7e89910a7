import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, createSilentLogger, parseDurationMs } from '@stratus/core';
import { ConfigEnvironment, type PropertySource } from './environment.js';
import { parseCommandLineArgs, environmentVariablesSource } from './sources.js';
import { parseYamlDocuments, parseJavaProperties, profilesMatch } from './yaml-source.js';
import { fetchConfigServerSources } from './config-client.js';
import { getList } from './binding.js';
import type { ConfigServerClientOptions, MultipleUriStrategy } from './config-client.js';

/** Inputs of a configuration load; the boot layer passes `process.argv` and `process.env`. */
export interface LoadConfigurationOptions {
  /** Folder holding `application.yml` and `application-{profile}.yml`. */
  baseDir: string;
  /** Command-line arguments (`--key=value`). */
  argv?: readonly string[];
  /** Environment variables. */
  env?: Record<string, string | undefined>;
  /** Built-in defaults, lowest precedence (flat keys). */
  defaults?: Record<string, unknown>;
  /** Keeps `${random.*}` values stable across reloads. */
  randomCache?: Map<string, string>;
  /** Turns `{cipher}` values into plain text (client-side decryption). */
  decrypt?: (
    properties: Record<string, unknown>,
    env: ConfigEnvironment,
  ) => Record<string, unknown>;
  /**
   * Client memory across reloads (`X-Config-State`, last good server sources). When absent, the
   * loader keeps one per `randomCache`, so a caller that passes the same `randomCache` to every
   * reload (as `createApplication` does) gets refresh semantics without more wiring.
   */
  clientState?: ConfigClientState;
  /**
   * The configuration currently in use, on a reload. Its `configClient`/`configserver:` sources
   * are what an unreachable server falls back to, and its `config.client.state` is echoed. Pass
   * it so that a refresh rejected by validation never becomes the fallback; without it the
   * fallback is the last answer the server gave (`clientState`).
   */
  previous?: LoadedConfiguration;
  /** Waits between config server retries; tests inject a recorder. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

/** What a load produced. */
export interface LoadedConfiguration {
  environment: ConfigEnvironment;
  /** The config server consulted, if any, and whether it answered. */
  configServer: {
    /** The URI that answered (or the first configured one when none did), without userinfo. */
    uri: string;
    ok: boolean;
    /** The server's `version` (git commit id); also `config.client.version`. */
    version: string | null;
    optional: boolean;
    /** The label found (first of `spring.cloud.config.label` that was not 404), or null. */
    label?: string | null;
    /** True when the server was down during a reload and its last sources were kept. */
    stale?: boolean;
  } | null;
}

/**
 * What the config client remembers between loads of one application: the last `state` (echoed
 * as `X-Config-State`) and the last sources the server sent (kept when it is down on refresh).
 */
export interface ConfigClientState {
  lastState: string | null;
  lastSources: PropertySource[] | null;
}

/** Per-application client state when the caller passes none: keyed by its `randomCache`. */
const implicitStates = new WeakMap<Map<string, string>, ConfigClientState>();

function stateFor(randomCache: Map<string, string>): ConfigClientState {
  let state = implicitStates.get(randomCache);
  if (!state) {
    state = { lastState: null, lastSources: null };
    implicitStates.set(randomCache, state);
  }
  return state;
}

/**
 * Loads configuration in Spring Boot's order (highest first): command-line
 * flags, environment variables, config server sources, `application-{profile}`
 * files (last profile first, on-profile documents above their file's base),
 * `application.yml`, built-in defaults.
 *
 * The config server part follows Spring's `spring.cloud.config.*` keys: `uri` (comma list),
 * `name` (comma list), `profile` (overrides the active profiles for the request), `label`
 * (comma list tried in turn), `username`/`password` (or URI userinfo), `headers.*`,
 * `multiple-uri-strategy`, `request-connect-timeout`, `request-read-timeout`, `fail-fast`,
 * `retry.{enabled,initial-interval,multiplier,max-interval,max-attempts}`, `enabled`. Its
 * sources come after a `configClient` source holding `config.client.version`. On a reload
 * (same `clientState`/`randomCache`) an unreachable server keeps its last sources instead of
 * failing, with a warning; the first load retries (fail-fast or non-optional) and fails.
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` for a non-optional (or fail-fast) config
 *   server that never answered on the first load.
 */
export async function loadConfiguration(
  options: LoadConfigurationOptions,
): Promise<LoadedConfiguration> {
  const logger = options.logger ?? createSilentLogger();
  const randomCache = options.randomCache ?? new Map<string, string>();
  const cli = parseCommandLineArgs(options.argv ?? []).source;
  const envSource = environmentVariablesSource(options.env ?? {});
  const defaults: PropertySource = {
    name: 'defaults',
    properties: { ...(options.defaults ?? {}) },
  };

  const baseFiles = await readConfigFiles(options.baseDir, 'application');
  const baseDocs = baseFiles.filter((d) => d.onProfile === null);
  const bootstrap = new ConfigEnvironment(
    [cli, envSource, ...baseDocs.map(toSource).reverse(), defaults],
    [],
    randomCache,
  );
  const profiles = getList(bootstrap, 'spring.profiles.active');
  const included = getList(bootstrap, 'spring.profiles.include');
  const activeProfiles = [...new Set([...included, ...profiles])];

  const local: PropertySource[] = [];
  for (const profile of [...activeProfiles].reverse()) {
    const docs = await readConfigFiles(options.baseDir, `application-${profile}`);
    local.push(...orderDocuments(docs, activeProfiles));
  }
  local.push(...orderDocuments(baseFiles, activeProfiles));

  const withoutServer = new ConfigEnvironment(
    [cli, envSource, ...local, defaults],
    activeProfiles,
    randomCache,
  );
  const server = configServerTarget(withoutServer);
  const state = options.clientState ?? stateFor(randomCache);
  let serverSources: PropertySource[] = [];
  let configServer: LoadedConfiguration['configServer'] = null;
  if (server) {
    const failFast = String(withoutServer.get('spring.cloud.config.fail-fast', 'false')) === 'true';
    const fallback = options.previous
      ? options.previous.environment.sources.filter(isServerSource)
      : state.lastSources;
    const isReload = fallback !== null;
    const lastState = options.previous
      ? (options.previous.environment.getString('config.client.state') ?? null)
      : state.lastState;
    const retry =
      !isReload &&
      (failFast || !server.optional) &&
      String(withoutServer.get('spring.cloud.config.retry.enabled', 'true')) !== 'false';
    const profileOverride = getList(withoutServer, 'spring.cloud.config.profile');
    try {
      const result = await fetchConfigServerSources({
        ...clientSettings(withoutServer, server.uris),
        profiles: profileOverride.length > 0 ? profileOverride : activeProfiles,
        state: lastState,
        maxAttempts: retry
          ? numberSetting(withoutServer, 'spring.cloud.config.retry.max-attempts', 6)
          : 1,
        sleep: options.sleep,
        logger,
      });
      serverSources = result.sources;
      state.lastSources = result.sources;
      state.lastState = result.response.state || null;
      configServer = {
        uri: result.uri,
        ok: true,
        version: result.response.version,
        optional: server.optional,
        label: result.label,
        stale: false,
      };
    } catch (error) {
      if (fallback !== null) {
        // Refresh with the server down: keep what it served last (Spring keeps running on it).
        logger.warn(
          { uris: server.uris.length, err: describeError(error) },
          'config server unreachable during refresh; keeping its last configuration',
        );
        serverSources = fallback;
        configServer = {
          uri: server.uris[0] ?? '',
          ok: false,
          version: versionOf(fallback),
          optional: server.optional,
          label: null,
          stale: true,
        };
      } else {
        if (!server.optional || failFast) throw error;
        logger.warn(
          { uris: server.uris.length },
          'config server unreachable; continuing with local configuration',
        );
        configServer = {
          uri: server.uris[0] ?? '',
          ok: false,
          version: null,
          optional: true,
          label: null,
          stale: false,
        };
      }
    }
  }

  let sources = [cli, envSource, ...serverSources, ...local, defaults];
  if (options.decrypt) {
    const probe = new ConfigEnvironment(sources, activeProfiles, randomCache);
    sources = sources.map((s) => ({
      name: s.name,
      properties: options.decrypt!(s.properties, probe),
    }));
  }
  return { environment: new ConfigEnvironment(sources, activeProfiles, randomCache), configServer };
}

interface ConfigDocument {
  name: string;
  properties: Record<string, unknown>;
  onProfile: string | null;
}

function toSource(doc: ConfigDocument): PropertySource {
  return { name: doc.name, properties: doc.properties };
}

/** A file's documents, highest first: matching on-profile documents (later wins), then the base. */
function orderDocuments(
  docs: ConfigDocument[],
  activeProfiles: readonly string[],
): PropertySource[] {
  const active = docs.filter(
    (d) => d.onProfile !== null && profilesMatch(d.onProfile, activeProfiles),
  );
  const base = docs.filter((d) => d.onProfile === null);
  return [...active.reverse(), ...base.reverse()].map(toSource);
}

async function readConfigFiles(dir: string, stem: string): Promise<ConfigDocument[]> {
  const out: ConfigDocument[] = [];
  // Boot loads .properties before .yml, so the .properties file wins; we list it last (higher).
  for (const ext of ['yaml', 'yml']) {
    const path = join(dir, `${stem}.${ext}`);
    const text = await readOptional(path);
    if (text === null) continue;
    for (const doc of parseYamlDocuments(text, path)) {
      out.push({
        name: `Config resource 'file [${path}]' (document #${doc.index})`,
        properties: doc.properties,
        onProfile: doc.onProfile,
      });
    }
  }
  const propertiesPath = join(dir, `${stem}.properties`);
  const text = await readOptional(propertiesPath);
  if (text !== null)
    out.push({
      name: `Config resource 'file [${propertiesPath}]'`,
      properties: parseJavaProperties(text),
      onProfile: null,
    });
  return out;
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Finds `spring.config.import=[optional:]configserver:[url]` or the legacy `spring.cloud.config.uri`. */
function configServerTarget(env: ConfigEnvironment): { uris: string[]; optional: boolean } | null {
  if (String(env.get('spring.cloud.config.enabled', 'true')) === 'false') return null;
  const configured = getList(env, 'spring.cloud.config.uri');
  const imports = getList(env, 'spring.config.import').map((s) => s.trim());
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
    return {
      uris: uris.length > 0 ? uris : ['http://localhost:8888'],
      optional: Boolean(match[1]),
    };
  }
  return configured.length > 0 ? { uris: configured, optional: true } : null;
}

/** The `spring.cloud.config.*` connection settings shared by every request. */
function clientSettings(
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

function numberSetting(env: ConfigEnvironment, key: string, fallback: number): number {
  const n = Number(env.get(key, fallback));
  return Number.isFinite(n) ? n : fallback;
}

/** Spring's client timeouts and intervals are milliseconds; `5s` style durations work too. */
function durationSetting(env: ConfigEnvironment, key: string, fallback: number): number {
  return parseDurationMs(env.get(key, fallback), 'ms') ?? fallback;
}

function isServerSource(source: PropertySource): boolean {
  return source.name === 'configClient' || source.name.startsWith('configserver:');
}

function versionOf(sources: PropertySource[]): string | null {
  const version = sources.find((s) => s.name === 'configClient')?.properties[
    'config.client.version'
  ];
  return typeof version === 'string' ? version : null;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
