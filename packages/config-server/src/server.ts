import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type HealthResult } from '@stratus/boot';
import { Secret, StratusError, type Logger } from '@stratus/core';
import { createEncryptorFromProperties, getList, type ConfigEnvironment } from '@stratus/config';
import type { EnvironmentRepository } from './environment.js';
import {
  createGitRepository,
  type GitEnvironmentRepository,
  type GitPatternRepoOptions,
} from './git/git-repository.js';
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
   * Called for every change accepted by `POST /monitor` (until the bus publishes refreshes).
   * @default none (the change is only logged)
   */
  onChange?: (event: ConfigChangeEvent) => void;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates the config server (`@EnableConfigServer`) on the Stratus runtime:
 * the native backend over `spring.cloud.config.server.native.search-locations` when the
 * `native` profile is active, the git backend over `spring.cloud.config.server.git.*`
 * otherwise (or when `git.uri` is set and `native` only comes from the packaged defaults, or
 * the `git` profile is active), `POST /monitor` for git webhooks,
 * `/encrypt` and `/decrypt` when `encrypt.key` is set, server-side decryption
 * unless `spring.cloud.config.server.encrypt.enabled=false`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when no supported backend is configured.
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
  const { config } = app;
  protectConfigServer(app.server, {
    credentials: () => ({
      username: String(config.get('spring.security.user.name', 'user')),
      password: config.getString('spring.security.user.password') ?? null,
    }),
    requireForAll: () =>
      config.getBoolean('stratus.config-server.security.enabled', false) === true,
  });
  const profiles = config.environment.activeProfiles;
  const gitUri = config.getString('spring.cloud.config.server.git.uri');
  const nativeSource = config.environment.lookupRaw('spring.profiles.active')?.source ?? '';
  const nativeIsPackagedDefault = nativeSource.includes(`[${join(BASE_DIR, 'application.yml')}]`);
  const useGit =
    gitUri !== undefined &&
    gitUri.trim() !== '' &&
    (profiles.includes('git') || !profiles.includes('native') || nativeIsPackagedDefault);
  if (!useGit && !profiles.includes('native')) {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      message:
        'No backend: set spring.cloud.config.server.git.uri, or spring.profiles.active=native',
      details: {
        problems: ['spring.cloud.config.server.git.uri: required without the native profile'],
      },
      retryable: false,
    });
  }
  let repository: EnvironmentRepository;
  let health: () => HealthResult;
  let refresh = (): void => undefined;
  if (useGit) {
    const git = createGitFromConfig(config.environment, app.logger);
    app.onClose(() => git.close());
    await git.start();
    repository = git;
    health = () => git.health();
    refresh = () => git.refresh();
  } else {
    const searchLocations = getList(
      config.environment,
      'spring.cloud.config.server.native.search-locations',
    );
    const locations = searchLocations.length > 0 ? searchLocations : ['file:./config-repo'];
    repository = createNativeRepository({
      searchLocations: locations,
      logger: app.logger.child({ component: 'native-repository' }),
    });
    health = () => {
      const missing = locations.filter(
        (l) => !l.includes('{') && !existsSync(l.replace(/^file:(\/\/)?/, '')),
      );
      return missing.length === 0
        ? { status: 'UP', details: { repositories: locations } }
        : { status: 'DOWN', details: { missing } };
    };
  }
  // Symmetric encrypt.key, an RSA PEM, or a PKCS#12 key store; relative paths from the working
  // directory, as Spring resolves `file:./…`.
  const encryptor = createEncryptorFromProperties((key) => config.getString(key), process.cwd());
  await registerConfigServerRoutes(app.server, {
    repository,
    encryptor,
    decryptOnServer:
      config.getBoolean('spring.cloud.config.server.encrypt.enabled', true) !== false,
    prefix: config.getString('spring.cloud.config.server.prefix') ?? '',
    logger: app.logger.child({ component: 'config-server' }),
  });
  await registerMonitorRoute(app.server, {
    refresh,
    onChange: options.onChange,
    prefix: config.getString('spring.cloud.config.server.prefix') ?? '',
    logger: app.logger.child({ component: 'config-monitor' }),
  });
  app.health.register('configServer', health);
  return app;
}

const GIT = 'spring.cloud.config.server.git';

/** Binds `spring.cloud.config.server.git.*` (Spring's names and units) to the git backend. */
function createGitFromConfig(env: ConfigEnvironment, logger: Logger): GitEnvironmentRepository {
  const text = (key: string): string | undefined => {
    const value = env.get(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const flag = (key: string): boolean | undefined => {
    const value = text(key);
    return value === undefined ? undefined : value.toLowerCase() === 'true';
  };
  const seconds = (key: string): number | undefined => {
    const value = text(key);
    return value === undefined ? undefined : Number(value) * 1000;
  };
  const repoOptions = (prefix: string) => {
    const password = text(`${prefix}.password`);
    return {
      uri: text(`${prefix}.uri`) ?? '',
      username: text(`${prefix}.username`),
      password: password === undefined ? undefined : new Secret(password),
      searchPaths: getList(env, `${prefix}.search-paths`),
      defaultLabel: text(`${prefix}.default-label`),
      tryMasterBranch: flag(`${prefix}.try-master-branch`),
    };
  };
  const repos: GitPatternRepoOptions[] = Object.keys(env.getObject(`${GIT}.repos`) ?? {}).map(
    (name) => ({
      name,
      pattern: getList(env, `${GIT}.repos.${name}.pattern`),
      ...repoOptions(`${GIT}.repos.${name}`),
    }),
  );
  const dataDir = resolve(String(env.get('stratus.data-dir', './data')));
  return createGitRepository({
    ...repoOptions(GIT),
    repos,
    basedir: text(`${GIT}.basedir`) ?? join(dataDir, 'config-repo-clones'),
    refreshRateMs: seconds(`${GIT}.refresh-rate`),
    timeoutMs: seconds(`${GIT}.timeout`),
    cloneOnStart: flag(`${GIT}.clone-on-start`),
    logger: logger.child({ component: 'git-repository' }),
  });
}
