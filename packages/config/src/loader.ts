import { resolve } from 'node:path';
import { type Logger, createSilentLogger } from '@stratus/core';
import { ConfigEnvironment, type PropertySource } from './environment.js';
import {
  parseCommandLineArgs,
  environmentVariablesSource,
  javaSystemProperties,
} from './sources.js';
import { getList } from './binding.js';
import { readBootstrapFiles } from './internal/bootstrap.js';
import { orderDocuments, readConfigFiles, toSource } from './internal/config-files.js';
import { configServerTarget } from './internal/config-server-target.js';
import { loadServerSources } from './internal/server-sources.js';

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
  /**
   * Java system properties (`user.home`, `user.dir`, `java.io.tmpdir`, …) as the
   * `systemProperties` source, between flags and environment variables as in Spring.
   * @default javaSystemProperties()
   */
  systemProperties?: Record<string, string>;
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
 * Loads configuration in Spring Boot's order (highest first): command-line flags, Java system
 * properties (`user.home` and friends), environment variables (as-is, `SERVER_PORT`-style and
 * Spring's other spellings), config server sources, `application-{profile}` files (last profile
 * first, on-profile documents above their file's base), `application.yml`, the bootstrap files
 * (`bootstrap-{profile}`, `bootstrap.yml`; as Spring Cloud's `springCloudDefaultProperties`),
 * built-in defaults. `stratus.classpath` (the folder `classpath:` locations resolve against)
 * defaults to `baseDir`.
 *
 * The config server is found from `spring.config.import=[optional:]configserver:[url]`, from
 * `spring.cloud.config.uri` in the bootstrap phase (a `bootstrap.yml`, or
 * `spring.cloud.bootstrap.enabled=true`; `spring.cloud.bootstrap.name` renames the file), or
 * from `spring.cloud.config.uri` alone (see `configServerTarget`). The request follows Spring's
 * `spring.cloud.config.*` keys: `uri` (comma list), `name` (comma list), `profile` (overrides
 * the active profiles for the request), `label` (comma list tried in turn),
 * `username`/`password` (or URI userinfo), `headers.*`, `multiple-uri-strategy`,
 * `request-connect-timeout`, `request-read-timeout`, `fail-fast`,
 * `retry.{enabled,initial-interval,multiplier,max-interval,max-attempts}`, `enabled`. Its
 * sources come after a `configClient` source holding `config.client.version`. On a reload
 * (same `clientState`/`randomCache`) an unreachable server keeps its last sources instead of
 * failing, with a warning; the first load retries (fail-fast or non-optional) and fails.
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` for a non-optional (or fail-fast) config
 *   server that never answered on the first load; `CFG_ERR_INVALID_YAML` for a malformed file;
 *   `CFG_ERR_UNRESOLVED_PLACEHOLDER` / `CFG_ERR_INVALID_SETTING` for config client settings
 *   that cannot be used.
 * @example
 * const { environment } = await loadConfiguration({ baseDir, argv: process.argv.slice(2), env: process.env });
 */
export async function loadConfiguration(
  options: LoadConfigurationOptions,
): Promise<LoadedConfiguration> {
  const logger = options.logger ?? createSilentLogger();
  const randomCache = options.randomCache ?? new Map<string, string>();
  const cli = parseCommandLineArgs(options.argv ?? []).source;
  const system: PropertySource = {
    name: 'systemProperties',
    properties: { ...(options.systemProperties ?? javaSystemProperties()) },
  };
  const envSource = environmentVariablesSource(options.env ?? {});
  const defaults: PropertySource = {
    name: 'defaults',
    properties: { 'stratus.classpath': resolve(options.baseDir), ...(options.defaults ?? {}) },
  };
  const top = [cli, system, envSource];

  const early = new ConfigEnvironment([...top, defaults], [], randomCache);
  const bootstrap = await readBootstrapFiles(early, options.baseDir);
  const baseFiles = await readConfigFiles(options.baseDir, 'application');
  const baseOnly = (docs: typeof baseFiles) => docs.filter((d) => d.onProfile === null);
  const forProfiles = new ConfigEnvironment(
    [
      ...top,
      ...baseOnly(baseFiles).map(toSource).reverse(),
      ...baseOnly(bootstrap.documents).map(toSource).reverse(),
      defaults,
    ],
    [],
    randomCache,
  );
  const profiles = getList(forProfiles, 'spring.profiles.active');
  const included = getList(forProfiles, 'spring.profiles.include');
  const activeProfiles = [...new Set([...included, ...profiles])];

  const local = await profileLayers(options.baseDir, 'application', baseFiles, activeProfiles);
  const bootstrapLayers = bootstrap.active
    ? await profileLayers(options.baseDir, bootstrap.name, bootstrap.documents, activeProfiles)
    : [];

  const withoutServer = new ConfigEnvironment(
    [...top, ...local, ...bootstrapLayers, defaults],
    activeProfiles,
    randomCache,
  );
  const state = options.clientState ?? stateFor(randomCache);
  const firstLoad = options.previous === undefined && state.lastSources === null;
  const target = configServerTarget(withoutServer, bootstrap.active, { logger, firstLoad });
  const server = target
    ? await loadServerSources({
        env: withoutServer,
        target,
        activeProfiles,
        state,
        previous: options.previous,
        sleep: options.sleep,
        logger,
      })
    : { sources: [], configServer: null };

  let sources = [...top, ...server.sources, ...local, ...bootstrapLayers, defaults];
  if (options.decrypt) {
    const probe = new ConfigEnvironment(sources, activeProfiles, randomCache);
    sources = sources.map((s) => ({
      ...s,
      properties: options.decrypt!(s.properties, probe),
    }));
  }
  return {
    environment: new ConfigEnvironment(sources, activeProfiles, randomCache),
    configServer: server.configServer,
  };
}

/** `<stem>-{profile}` files (last profile first) above the documents of `<stem>` itself. */
async function profileLayers(
  baseDir: string,
  stem: string,
  baseDocuments: Parameters<typeof orderDocuments>[0],
  activeProfiles: readonly string[],
): Promise<PropertySource[]> {
  const layers: PropertySource[] = [];
  for (const profile of [...activeProfiles].reverse()) {
    const docs = await readConfigFiles(baseDir, `${stem}-${profile}`);
    layers.push(...orderDocuments(docs, activeProfiles));
  }
  layers.push(...orderDocuments(baseDocuments, activeProfiles));
  return layers;
}
