import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, createSilentLogger } from '@stratus/core';
import { ConfigEnvironment, type PropertySource } from './environment.js';
import { parseCommandLineArgs, environmentVariablesSource } from './sources.js';
import { parseYamlDocuments, parseJavaProperties, profilesMatch } from './yaml-source.js';
import { fetchConfigServerSources } from './config-client.js';
import { getList } from './binding.js';

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
  logger?: Logger;
}

/** What a load produced. */
export interface LoadedConfiguration {
  environment: ConfigEnvironment;
  /** The config server consulted, if any, and whether it answered. */
  configServer: { uri: string; ok: boolean; version: string | null; optional: boolean } | null;
}

/**
 * Loads configuration in Spring Boot's order (highest first): command-line
 * flags, environment variables, config server sources, `application-{profile}`
 * files (last profile first, on-profile documents above their file's base),
 * `application.yml`, built-in defaults.
 *
 * @throws StratusError `CFG_ERR_SERVER_UNAVAILABLE` for a non-optional config server that never answered.
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
  let serverSources: PropertySource[] = [];
  let configServer: LoadedConfiguration['configServer'] = null;
  if (server) {
    const failFast = String(withoutServer.get('spring.cloud.config.fail-fast', 'false')) === 'true';
    const retry = failFast || !server.optional;
    try {
      const result = await fetchConfigServerSources({
        uris: server.uris,
        name: String(
          withoutServer.get('spring.cloud.config.name') ??
            withoutServer.get('spring.application.name') ??
            'application',
        ),
        profiles: activeProfiles,
        label: withoutServer.getString('spring.cloud.config.label') ?? null,
        username: withoutServer.getString('spring.cloud.config.username'),
        password: withoutServer.getString('spring.cloud.config.password'),
        maxAttempts: retry
          ? Number(withoutServer.get('spring.cloud.config.retry.max-attempts', 6))
          : 1,
        initialIntervalMs: Number(
          withoutServer.get('spring.cloud.config.retry.initial-interval', 1000),
        ),
        multiplier: Number(withoutServer.get('spring.cloud.config.retry.multiplier', 1.1)),
        maxIntervalMs: Number(withoutServer.get('spring.cloud.config.retry.max-interval', 2000)),
        logger,
      });
      serverSources = result.sources;
      configServer = {
        uri: result.uri,
        ok: true,
        version: result.response.version,
        optional: server.optional,
      };
    } catch (error) {
      if (!server.optional || failFast) throw error;
      logger.warn(
        { uris: server.uris.length },
        'config server unreachable; continuing with local configuration',
      );
      configServer = { uri: server.uris[0] ?? '', ok: false, version: null, optional: true };
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
  for (const entry of getList(env, 'spring.config.import')) {
    const match = /^(optional:)?configserver:(.*)$/.exec(entry.trim());
    if (!match) continue;
    const uris = match[2]
      ? match[2]
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : configured;
    return {
      uris: uris.length > 0 ? uris : ['http://localhost:8888'],
      optional: Boolean(match[1]),
    };
  }
  return configured.length > 0 ? { uris: configured, optional: true } : null;
}
