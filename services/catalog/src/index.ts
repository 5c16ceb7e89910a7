import { fileURLToPath } from 'node:url';
import { createApplication, openDatabase, type Application } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import { createOutbox } from '@stratus/messaging';
import { CATALOG_MIGRATIONS, type CatalogDatabase } from './db.js';
import { registerCatalogRoutes } from './routes.js';
import { startStockConsumer } from './stock-events.js';

export { CATALOG_ERRORS, type CatalogErrorCode } from './errors.js';
export { SEED_PRODUCTS } from './db.js';
export {
  ORDER_CREATED_TOPIC,
  STOCK_RESERVED_TOPIC,
  STOCK_REJECTED_TOPIC,
  CATALOG_GROUP_ID,
  ORDER_CREATED_CONSUMER,
  type RejectReason,
} from './stock-events.js';
export type { CatalogResponse } from './routes.js';

/** Options of {@link createCatalogService}. */
export interface CatalogServiceOptions {
  /** Spring-style flags. @default process.argv.slice(2) */
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
 * Creates catalog-service: the product list (seeded with CATALOG-001..003)
 * and the stock side of the order saga — it consumes `order.created` once per
 * message (idempotent inbox) and answers `stock.reserved` or `stock.rejected`
 * through its transactional outbox. The consumer and relay run from here on;
 * `close()` stops them. Call `start()` to listen.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG`, `BOOT_ERR_DATASOURCE`
 * @example
 * const app = await createCatalogService();
 * await app.start();
 */
export async function createCatalogService(
  options: CatalogServiceOptions = {},
): Promise<Application> {
  const app = await createApplication({
    name: 'catalog-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    logger: options.logger,
    defaults: options.defaults,
  });
  try {
    const dataDir = String(app.config.get('stratus.data-dir', './data'));
    const db = await openDatabase<CatalogDatabase>({
      url:
        app.config.getString('spring.datasource.url') ??
        `jdbc:sqlite:${dataDir}/catalog-service.db`,
      migrations: CATALOG_MIGRATIONS,
    });
    app.onClose(() => db.destroy());
    registerCatalogRoutes(app, db);
    const outbox = createOutbox({ db, transport: app.messaging, logger: app.logger });
    app.onClose(() => outbox.close());
    outbox.start();
    const subscription = await startStockConsumer({
      db,
      transport: app.messaging,
      outbox,
      logger: app.logger,
    });
    app.onClose(() => subscription.close());
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
