import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type ServiceOptions } from '@stratus/boot';
import { ORDER_MIGRATIONS, type OrderDatabase } from './db.js';
import { OrderErrors } from './errors.js';
import { orderRoutes } from './routes.js';
import { bindShopEvents } from './shop-contract.js';
import { ORDER_GROUP_ID, STOCK_EVENTS_CONSUMER, stockOutcomeHandler } from './stock-outcomes.js';

export { OrderErrors } from './errors.js';
export type { OrderStatus } from './db.js';
export type { OrderResponse } from './routes.js';
export { ORDER_GROUP_ID, STOCK_EVENTS_CONSUMER } from './stock-outcomes.js';

/** This service's folder (holding `application.yml`), from `dist/` or `src/`. */
const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates order-service: orders placed by the token's user are stored `PENDING` with an
 * `order.created` event in the same transaction (transactional outbox), and move to
 * `CONFIRMED` / `REJECTED` when catalog-service answers with `stock.reserved` /
 * `stock.rejected` (`shop.events.*` names the topics). Call `start()` to listen.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when `token.secret` is missing or shorter than 32 characters.
 * @example
 * const app = await createOrderService({ argv: ['--token.secret=' + secret] });
 * await app.start();
 */
export function createOrderService(options: ServiceOptions = {}): Promise<Application> {
  return createApplication(
    { ...options, name: 'order-service', baseDir: BASE_DIR },
    async (app) => {
      const events = app.bindSettings(bindShopEvents)();
      const db = app.database<OrderDatabase>({ migrations: ORDER_MIGRATIONS });
      const outbox = app.outbox();
      app.subscribe<OrderDatabase>({
        topic: [events.topics.stockReserved, events.topics.stockRejected],
        group: ORDER_GROUP_ID,
        consumer: STOCK_EVENTS_CONSUMER,
        idempotent: true,
        handle: stockOutcomeHandler({ events, clock: app.clock, logger: app.logger }),
      });
      const auth = app.requireBearer({ error: OrderErrors.UNAUTHORIZED });
      await app.server.register(orderRoutes, { db, outbox, events, auth, clock: app.clock });
    },
  );
}
