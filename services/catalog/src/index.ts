import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type ServiceOptions } from '@stratus/boot';
import { CATALOG_MIGRATIONS, type CatalogDatabase } from './db.js';
import { catalogRoutes } from './routes.js';
import { bindShopEvents } from './shop-contract.js';
import {
  CATALOG_GROUP_ID,
  ORDER_CREATED_CONSUMER,
  stockReservationHandler,
} from './stock-reservations.js';

export { CatalogErrors } from './errors.js';
export { SEED_PRODUCTS } from './db.js';
export { CATALOG_GROUP_ID, ORDER_CREATED_CONSUMER } from './stock-reservations.js';
export type { CatalogResponse } from './routes.js';

/** This service's folder (holding `application.yml`), from `dist/` or `src/`. */
const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates catalog-service: the product list (seeded with CATALOG-001..003) and the stock side
 * of the order saga — it consumes `order.created` once per message (idempotent inbox) and
 * answers `stock.reserved` or `stock.rejected` through its transactional outbox
 * (`shop.events.*` names the topics). Call `start()` to listen.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG`, `BOOT_ERR_DATASOURCE`
 * @example
 * const app = await createCatalogService();
 * await app.start();
 */
export function createCatalogService(options: ServiceOptions = {}): Promise<Application> {
  return createApplication(
    { ...options, name: 'catalog-service', baseDir: BASE_DIR },
    async (app) => {
      const events = app.bindSettings(bindShopEvents)();
      const db = app.database<CatalogDatabase>({ migrations: CATALOG_MIGRATIONS });
      const outbox = app.outbox();
      app.subscribe<CatalogDatabase>({
        topic: events.topics.orderCreated,
        group: CATALOG_GROUP_ID,
        consumer: ORDER_CREATED_CONSUMER,
        idempotent: true,
        handle: stockReservationHandler({ outbox, events, clock: app.clock, logger: app.logger }),
      });
      await app.server.register(catalogRoutes, { db });
    },
  );
}
