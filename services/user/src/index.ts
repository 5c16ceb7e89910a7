import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type ServiceOptions } from '@stratus/boot';
import { defineClient } from '@stratus/http';
import { USER_MIGRATIONS, type UserDatabase } from './db.js';
import { UserErrors } from './errors.js';
import { OrderServiceClient } from './order-service-client.js';
import { createPasswordUpgrader } from './password-upgrades.js';
import { createPasswordHasher } from './passwords.js';
import { userRoutes } from './routes.js';
import { bindUserSettings } from './settings.js';

export { UserErrors } from './errors.js';
export { DEFAULT_TOKEN_EXPIRATION_MS, type UserSettings } from './settings.js';
export { OrderServiceClient, type ResponseOrder, type UserOrders } from './order-service-client.js';

/**
 * Below every file: the orders call always runs under its breaker with the fallback, as the
 * course's code-level configuration does; config-repo/user-service.yml tunes it.
 */
const SERVICE_DEFAULTS = { 'spring.cloud.openfeign.circuitbreaker.enabled': true };

/** This service's folder (holding `application.yml`), from `dist/` or `src/`. */
const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates user-service: sign-up (argon2id, stored as Spring Security's
 * `{argon2@SpringSecurity_v5_8}`; Spring's bcrypt, pbkdf2 and scrypt hashes verify and are
 * re-hashed at the next login), login issuing HS512 JWTs (`token.secret`,
 * `token.expiration_time`, read live), user detail with the user's orders from order-service
 * through the declarative `OrderServiceClient` (`lb://order-service`, or `shop.order-service.url`
 * at start; `spring.cloud.openfeign.client.config.order-service.*` live), whose circuit breaker
 * and fallback answer without orders when it cannot, and the seed's `/health_check`. Call `start()`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when `token.secret` is missing or shorter than
 *   32 characters, or `token.expiration_time` is not a positive number.
 * @example
 * const app = await createUserService({ argv: ['--token.secret=' + secret] });
 * await app.start();
 */
export function createUserService(options: ServiceOptions = {}): Promise<Application> {
  const defaults = { ...SERVICE_DEFAULTS, ...options.defaults };
  return createApplication(
    { ...options, defaults, name: 'user-service', baseDir: BASE_DIR },
    async (app) => {
      const settings = app.bindSettings(bindUserSettings);
      const auth = app.requireBearer({ error: UserErrors.UNAUTHORIZED });
      const db = app.database<UserDatabase>({ migrations: USER_MIGRATIONS });
      const logger = app.logger.child({ component: 'passwords' });
      const passwords = await createPasswordHasher({ ...settings().argon2, logger });
      const passwordUpgrades = createPasswordUpgrader({ db, passwords, logger });
      // Close hooks run before the database closes: pending upgrades finish first.
      app.onClose(() => passwordUpgrades.close());
      // A URL in code, as @FeignClient(url = …): spring.cloud.openfeign.client.config.order-service.url wins.
      const orderService = app.feignClient(
        defineClient({ ...OrderServiceClient, url: settings().orderServiceUrl }),
      );
      await app.server.register(userRoutes, {
        app,
        db,
        passwords,
        passwordUpgrades,
        settings,
        auth,
        orderService,
      });
    },
  );
}
