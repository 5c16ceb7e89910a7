import { fileURLToPath } from 'node:url';
import { createApplication, openDatabase, type Application } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import { USER_MIGRATIONS, type UserDatabase } from './db.js';
import { createPasswordHasher } from './passwords.js';
import { registerUserRoutes } from './routes.js';
import { DEFAULT_TOKEN_EXPIRATION_MS, assertTokenSettings, tokenProblems } from './settings.js';

export { USER_ERRORS, type UserErrorCode } from './errors.js';
export { MIN_TOKEN_SECRET_LENGTH, DEFAULT_TOKEN_EXPIRATION_MS } from './settings.js';

/** Options of {@link createUserService}. */
export interface UserServiceOptions {
  /** Spring-style flags (`--token.secret=…`). @default process.argv.slice(2) */
  argv?: readonly string[];
  /** Environment variables. @default process.env */
  env?: Record<string, string | undefined>;
  /** Built-in defaults, below every configuration file. */
  defaults?: Record<string, unknown>;
  /** Root logger to use instead of one built from `logging.*`. */
  logger?: Logger;
}

/** This service's folder (holding `application.yml`), from `dist/` or `src/`. */
const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates user-service: sign-up (argon2id), login issuing HS512 JWTs
 * (`token.secret`, `token.expiration_time`, read live), user detail with the
 * user's orders from order-service (`lb://order-service`, empty on failure),
 * and the seed's `/health_check`. Not started: call `start()`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when `token.secret` is missing
 *   or shorter than 32 characters, or `token.expiration_time` is not a positive number.
 * @example
 * const app = await createUserService({ argv: ['--token.secret=' + secret] });
 * await app.start();
 */
export async function createUserService(options: UserServiceOptions = {}): Promise<Application> {
  const app = await createApplication({
    name: 'user-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    logger: options.logger,
    defaults: { 'token.expiration_time': DEFAULT_TOKEN_EXPIRATION_MS, ...options.defaults },
  });
  try {
    assertTokenSettings(app.config);
    app.config.addValidator((candidate) => tokenProblems(candidate));
    const dataDir = String(app.config.get('stratus.data-dir', './data'));
    const db = await openDatabase<UserDatabase>({
      url:
        app.config.getString('spring.datasource.url') ?? `jdbc:sqlite:${dataDir}/user-service.db`,
      migrations: USER_MIGRATIONS,
    });
    app.onClose(() => db.destroy());
    const passwords = await createPasswordHasher({
      memoryCostKib: app.config.getNumber('shop.password.argon2.memory-cost'),
      timeCost: app.config.getNumber('shop.password.argon2.time-cost'),
      parallelism: app.config.getNumber('shop.password.argon2.parallelism'),
    });
    registerUserRoutes({ app, db, passwords });
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
