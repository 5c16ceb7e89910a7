import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type HealthResult } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import {
  ConfigErrors,
  createEncryptorFromProperties,
  type ConfigEnvironment,
} from '@stratus/config';
import { CONFIG_SERVER_DEFAULTS } from './defaults.js';
import type { EnvironmentRepository } from './environment.js';
import { createGitRepository, type GitRepoOptions } from './git/git-repository.js';
import {
  bindConfigServerSettings,
  configServerSettingsProblems,
  type ConfigServerSettings,
} from './internal/settings.js';
import { registerMonitorRoute, type ConfigChangeEvent } from './monitor.js';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes } from './routes.js';
import { protectConfigServer } from './security.js';

/** Options of `createConfigServer`. */
export interface ConfigServerOptions {
  /** Spring flags (`--server.port=8890`, `--spring.cloud.config.server.native.search-locations=file:./config-repo`). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  defaults?: Record<string, unknown>;
  logger?: Logger;
  /**
   * Called for every change accepted by `POST /monitor`, besides the bus refresh it publishes.
   * @default none (the change is only logged)
   */
  onChange?: (event: ConfigChangeEvent) => void;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));
const SEARCH_LOCATIONS = 'spring.cloud.config.server.native.search-locations';

/** A backend, its health and what `/monitor` does to it. */
interface Backend {
  repository: EnvironmentRepository;
  health: () => HealthResult;
  refresh: () => void;
}

/**
 * Creates the config server (`@EnableConfigServer`) on the Stratus runtime:
 * the native backend over `spring.cloud.config.server.native.search-locations` when the
 * `native` profile is active, the git backend over `spring.cloud.config.server.git.*`
 * otherwise (or when `git.uri` is set and `native` only comes from the packaged defaults, or
 * the `git` profile is active), `POST /monitor` for git webhooks,
 * `/encrypt` and `/decrypt` when `encrypt.key` is set, server-side decryption
 * unless `spring.cloud.config.server.encrypt.enabled=false`. Its settings are bound once, and
 * again on every refresh; a refresh with a bad value is refused and the old settings stay.
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` listing every bad setting, every unknown
 *   `stratus.config-server.*` key with its file, or a missing backend;
 *   `CFG_ERR_UNRESOLVED_PLACEHOLDER` for search locations or a key store location that do not
 *   resolve. Nothing is left open when it throws.
 * @example
 * const server = await createConfigServer({ argv: ['--server.port=0'] });
 * await server.start();
 */
export async function createConfigServer(options: ConfigServerOptions = {}): Promise<Application> {
  const app = await createApplication({
    name: 'config-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    defaults: options.defaults,
    logger: options.logger,
  });
  try {
    await configure(app, options);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

async function configure(app: Application, options: ConfigServerOptions): Promise<void> {
  const { config } = app;
  let settings = bindConfigServerSettings(config.environment);
  config.addValidator((candidate) => configServerSettingsProblems(candidate));
  config.onChange((_changed, live) => {
    settings = bindConfigServerSettings(live.environment);
  });
  protectConfigServer(app.server, {
    // spring.security.user.* is @stratus/boot's (the actuator uses it too): read as it reads it.
    credentials: () => ({
      username: String(config.get('spring.security.user.name', 'user')),
      password: config.getString('spring.security.user.password') ?? null,
    }),
    requireForAll: () => settings.securityEnabled,
  });
  const backend = useGit(config.environment, settings)
    ? await gitBackend(app, settings)
    : nativeBackend(config.environment, settings, app.logger);
  // A refresh may follow an edit the caches cannot see (a file system with coarse times).
  config.onChange(() => backend.refresh());
  // Symmetric encrypt.key, an RSA PEM, or a JKS/JCEKS/PKCS#12 key store; relative paths from the
  // working directory, as Spring resolves `file:./…`, and `classpath:` from stratus.classpath.
  config.environment.assertResolvable('encrypt.key-store.location');
  const encryptor = createEncryptorFromProperties(
    (key) => config.getString(key),
    process.cwd(),
    classpathOf(settings),
  );
  await registerConfigServerRoutes(app.server, {
    repository: backend.repository,
    encryptor,
    decryptOnServer: settings.decryptOnServer,
    prefix: settings.prefix,
    logger: app.logger.child({ component: 'config-server' }),
  });
  await registerMonitorRoute(app.server, {
    refresh: backend.refresh,
    // Spring Cloud Bus: a refresh per affected application, once the app's bus has started.
    bus: () => app.bus,
    onChange: options.onChange,
    prefix: settings.prefix,
    logger: app.logger.child({ component: 'config-monitor' }),
  });
  app.health.register('configServer', backend.health);
}

/**
 * Git when `git.uri` is set and the `git` profile is active, or `native` is not (or only comes
 * from the packaged `application.yml`); native when `native` is active.
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` when neither applies.
 */
function useGit(env: ConfigEnvironment, settings: ConfigServerSettings): boolean {
  const profiles = env.activeProfiles;
  const gitUri = settings.git.uri;
  const nativeSource = env.lookupRaw('spring.profiles.active')?.source ?? '';
  const nativeIsPackagedDefault = nativeSource.includes(`[${join(BASE_DIR, 'application.yml')}]`);
  if (
    gitUri !== undefined &&
    gitUri.trim() !== '' &&
    (profiles.includes('git') || !profiles.includes('native') || nativeIsPackagedDefault)
  )
    return true;
  if (profiles.includes('native')) return false;
  throw ConfigErrors.INVALID_CONFIG({
    message: 'No backend: set spring.cloud.config.server.git.uri, or spring.profiles.active=native',
    details: {
      problems: ['spring.cloud.config.server.git.uri: required without the native profile'],
    },
  });
}

/**
 * What `classpath:` means for the config server: `--stratus.classpath`, else its package folder
 * (the one holding its own `application.yml`), so `classpath:/config` and
 * `encrypt.key-store.location: classpath:/server.jks` read files shipped beside it.
 */
function classpathOf(settings: ConfigServerSettings): string {
  return resolve(settings.classpath || BASE_DIR);
}

/**
 * The native backend over `spring.cloud.config.server.native.search-locations`: every `${…}`
 * must resolve (`file://${user.home}/native-file-repo` with the Java system properties),
 * `classpath:` comes from {@link classpathOf}.
 *
 * @throws StratusError `CFG_ERR_UNRESOLVED_PLACEHOLDER`, `CFG_ERR_INVALID_OPTIONS`.
 */
function nativeBackend(
  env: ConfigEnvironment,
  settings: ConfigServerSettings,
  logger: Logger,
): Backend {
  env.assertResolvable(SEARCH_LOCATIONS);
  const native = createNativeRepository({
    searchLocations: settings.searchLocations,
    classpath: classpathOf(settings),
    logger: logger.child({ component: 'native-repository' }),
  });
  return {
    repository: native,
    refresh: () => native.refresh(),
    health: () => {
      const missing = native.locations.filter((l) => !l.includes('{') && !existsSync(l));
      return missing.length === 0
        ? { status: 'UP', details: { repositories: native.locations } }
        : { status: 'DOWN', details: { missing } };
    },
  };
}

/** The git backend over `spring.cloud.config.server.git.*`, started and closed with the app. */
async function gitBackend(app: Application, settings: ConfigServerSettings): Promise<Backend> {
  const { git: gitSettings } = settings;
  const repoOptions = (repo: typeof gitSettings | (typeof gitSettings.repos)[string]) =>
    ({
      uri: repo.uri ?? '',
      username: repo.username,
      password: repo.password,
      searchPaths: repo.searchPaths,
      defaultLabel: repo.defaultLabel,
      tryMasterBranch: repo.tryMasterBranch,
    }) satisfies GitRepoOptions;
  const git = createGitRepository({
    ...repoOptions(gitSettings),
    repos: Object.entries(gitSettings.repos).map(([name, repo]) => ({
      name,
      pattern: repo.pattern,
      ...repoOptions(repo),
    })),
    basedir:
      gitSettings.basedir ?? join(resolve(settings.dataDir), CONFIG_SERVER_DEFAULTS.clonesFolder),
    refreshRateMs: gitSettings.refreshRateMs,
    timeoutMs: gitSettings.timeoutMs,
    cloneOnStart: gitSettings.cloneOnStart,
    logger: app.logger.child({ component: 'git-repository' }),
  });
  app.onClose(() => git.close());
  await git.start();
  return { repository: git, health: () => git.health(), refresh: () => git.refresh() };
}
