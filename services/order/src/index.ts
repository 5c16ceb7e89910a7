import { fileURLToPath } from 'node:url';
import { createApplication, openDatabase, type Application } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import { createOutbox } from '@stratus/messaging';
import { ORDER_MIGRATIONS, type OrderDatabase } from './db.js';
import { startOrderStatusConsumer } from './order-events.js';
import { registerOrderRoutes } from './routes.js';
import { assertTokenSettings, tokenProblems } from './settings.js';

export { ORDER_ERRORS, type OrderErrorCode } from './errors.js';
export type { OrderStatus } from './db.js';
export type { OrderResponse, OrderCreatedPayload } from './routes.js';
export {
  ORDER_CREATED_TOPIC,
  STOCK_RESERVED_TOPIC,
  STOCK_REJECTED_TOPIC,
  ORDER_GROUP_ID,
  STOCK_EVENTS_CONSUMER,
} from './order-events.js';

/** Options of {@link createOrderService}. */
export interface OrderServiceOptions {
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
 * Creates order-service: orders placed by the token's user are stored
 * `PENDING` with an `order.created` event in the same transaction
 * (transactional outbox), and move to `CONFIRMED` / `REJECTED` when
 * catalog-service answers with `stock.reserved` / `stock.rejected`. The
 * consumer and relay run from here on; `close()` stops them. Call `start()` to listen.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when `token.secret` is missing or shorter than 32 characters.
 * @example
 * const app = await createOrderService({ argv: ['--token.secret=' + secret] });
 * await app.start();
 */
export async function createOrderService(options: OrderServiceOptions = {}): Promise<Application> {
  const app = await createApplication({
    name: 'order-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    logger: options.logger,
    defaults: options.defaults,
  });
  try {
    assertTokenSettings(app.config);
    app.config.addValidator((candidate) => tokenProblems(candidate));
    const dataDir = String(app.config.get('stratus.data-dir', './data'));
    const db = await openDatabase<OrderDatabase>({
      url:
        app.config.getString('spring.datasource.url') ?? `jdbc:sqlite:${dataDir}/order-service.db`,
      migrations: ORDER_MIGRATIONS,
    });
    app.onClose(() => db.destroy());
    const outbox = createOutbox({ db, transport: app.messaging, logger: app.logger });
    app.onClose(() => outbox.close());
    outbox.start();
    registerOrderRoutes({ app, db, outbox });
    const subscription = await startOrderStatusConsumer({
      db,
      transport: app.messaging,
      logger: app.logger,
    });
    app.onClose(() => subscription.close());
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
