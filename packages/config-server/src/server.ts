import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApplication, type Application } from '@stratus/boot';
import { StratusError, type Logger } from '@stratus/core';
import { createTextEncryptor, getList } from '@stratus/config';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes } from './routes.js';

/** Options of `createConfigServer`. */
export interface ConfigServerOptions {
  /** Spring flags (`--server.port=8890`, `--spring.cloud.config.server.native.search-locations=file:./config-repo`). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  defaults?: Record<string, unknown>;
  logger?: Logger;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates the config server (`@EnableConfigServer`) on the Stratus runtime:
 * the native backend over `spring.cloud.config.server.native.search-locations`,
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
  const profiles = config.environment.activeProfiles;
  const gitUri = config.getString('spring.cloud.config.server.git.uri');
  if (!profiles.includes('native')) {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      message: gitUri
        ? 'The git backend is not available yet; run with --spring.profiles.active=native'
        : 'No backend: set spring.profiles.active=native (and search-locations)',
      details: { problems: ['spring.profiles.active: must include native'] },
      retryable: false,
    });
  }
  const searchLocations = getList(
    config.environment,
    'spring.cloud.config.server.native.search-locations',
  );
  const locations = searchLocations.length > 0 ? searchLocations : ['file:./config-repo'];
  const repository = createNativeRepository({
    searchLocations: locations,
    logger: app.logger.child({ component: 'native-repository' }),
  });
  const key = config.getString('encrypt.key');
  const encryptor = key
    ? createTextEncryptor({ key, salt: config.getString('encrypt.salt') ?? 'deadbeef' })
    : null;
  await registerConfigServerRoutes(app.server, {
    repository,
    encryptor,
    decryptOnServer:
      config.getBoolean('spring.cloud.config.server.encrypt.enabled', true) !== false,
    prefix: config.getString('spring.cloud.config.server.prefix') ?? '',
    logger: app.logger.child({ component: 'config-server' }),
  });
  app.health.register('configServer', () => {
    const missing = locations.filter(
      (l) => !l.includes('{') && !existsSync(l.replace(/^file:(\/\/)?/, '')),
    );
    return missing.length === 0
      ? { status: 'UP', details: { repositories: locations } }
      : { status: 'DOWN', details: { missing } };
  });
  return app;
}
