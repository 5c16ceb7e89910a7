import { loadConfiguration, type LoadedConfiguration } from '@stratus/config';
import { systemClock, type Clock, type Logger, type LoggingSystem } from '@stratus/core';
import type { ApplicationOptions } from '../application.js';
import { createClientDecryption } from '../client-decryption.js';
import { EnvironmentManager } from '../environment-manager.js';
import { BOOT_DEFAULTS } from '../defaults.js';
import { LiveConfig } from '../live-config.js';
import { createBootLogging, setupLogging } from '../logging-setup.js';
import { bindBootSettings, type BootSettings } from '../settings.js';
import { strayStratusKeys } from './stray-keys.js';

/** What an application is made from: its configuration, logging and first settings. */
export interface Runtime {
  readonly env: Record<string, string | undefined>;
  readonly config: LiveConfig;
  /** The logging system boot created, or null when the caller gave a logger. */
  readonly logging: LoggingSystem | null;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly settings: BootSettings;
  /** Properties set at run time (busenv): the `manager` source, above all others on every load. */
  readonly environmentManager: EnvironmentManager;
}

/**
 * Loads configuration (files, config server, environment, flags), sets logging up as Spring
 * Boot does, and binds boot's settings.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG`, `BOOT_ERR_DECRYPT`, `CFG_ERR_SERVER_UNAVAILABLE`
 */
export async function loadRuntime(options: ApplicationOptions): Promise<Runtime> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const defaults = {
    'spring.application.name': options.name,
    'server.port': BOOT_DEFAULTS.serverPort,
    ...options.defaults,
  };
  const randomCache = new Map<string, string>();
  const isTty = Boolean(process.stdout.isTTY);
  const logging = options.logger ? null : createBootLogging(options.name, argv, env, isTty);
  const logger = options.logger ?? logging!.logger;
  const decrypt = options.decrypt ?? createClientDecryption({ logger });
  const environmentManager = new EnvironmentManager();
  const load = async (previous?: LoadedConfiguration): Promise<LoadedConfiguration> =>
    environmentManager.applyTo(
      await loadConfiguration({
        baseDir: options.baseDir,
        argv,
        env,
        defaults,
        randomCache,
        decrypt,
        previous,
        logger,
      }),
    );
  const config = new LiveConfig(await load(), load, logger);
  const name = String(config.get('spring.application.name', options.name));
  setupLogging(logging, config, { name, isTty, formatOverride: env.STRATUS_LOG_FORMAT });
  const settings = bindBootSettings(config.environment);
  for (const stray of strayStratusKeys(config.environment))
    logger.warn(stray, 'stratus.* key that no Stratus component reads; ignored');
  const clock = options.clock ?? systemClock;
  return { env, config, logging, logger, clock, settings, environmentManager };
}
