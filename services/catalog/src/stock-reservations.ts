import type { Transaction } from 'kysely';
import type { Clock, Logger } from '@stratus/core';
import type { Message, Outbox } from '@stratus/messaging';
import type { CatalogDatabase } from './db.js';
import {
  parseOrderCreated,
  stockOutcomeMessage,
  type RejectReason,
  type ShopEvents,
  type StockRequest,
} from './shop-contract.js';

/** Consumer group of catalog-service on `order.created`. */
export const CATALOG_GROUP_ID = 'catalog-service';
/** Inbox name: each `order.created` message id takes effect once (kept when topics are renamed). */
export const ORDER_CREATED_CONSUMER = 'catalog-service.order-created';

/** What {@link stockReservationHandler} needs. */
export interface StockReservationContext {
  readonly outbox: Outbox;
  readonly events: ShopEvents;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The stock side of the order saga, for each `order.created`: reserve the stock and answer
 * `stock.reserved`, or answer `stock.rejected`; the decision and its answer commit with the
 * message's inbox row. A malformed payload is logged and skipped (committed, never retried).
 */
export function stockReservationHandler(context: StockReservationContext) {
  const log = context.logger.child({ component: 'stock-consumer' });
  return async (message: Message, trx: Transaction<CatalogDatabase>): Promise<void> => {
    const request = parseOrderCreated(jsonOrNull(message));
    if (request === null) {
      log.warn(
        { messageId: message.id, topic: message.topic, offset: String(message.offset) },
        'malformed order.created skipped',
      );
      return;
    }
    await reserveStock(trx, request, { ...context, logger: log });
  };
}

/**
 * Reserves stock for one order inside `trx`: decrements the product's stock when enough is
 * left and records `stock.reserved`, otherwise records `stock.rejected`; the outcome row and
 * the outbox message commit with the caller's transaction. An order already decided is left
 * alone, so a second `order.created` for the same order (even with another message id) cannot
 * produce a second outcome.
 */
export async function reserveStock(
  trx: Transaction<CatalogDatabase>,
  request: StockRequest,
  { outbox, events, clock, logger }: StockReservationContext,
): Promise<void> {
  const decided = await trx
    .selectFrom('stock_reservations')
    .select('outcome')
    .where('order_id', '=', request.orderId)
    .executeTakeFirst();
  if (decided) {
    logger.debug(
      { orderId: request.orderId, outcome: decided.outcome },
      'order already decided; event ignored',
    );
    return;
  }
  const reason = await takeStock(trx, request);
  await trx
    .insertInto('stock_reservations')
    .values({
      order_id: request.orderId,
      product_id: request.productId,
      qty: request.qty,
      outcome: reason === null ? 'RESERVED' : 'REJECTED',
      reason,
      created_at: new Date(clock.now()).toISOString(),
    })
    .execute();
  const answer = stockOutcomeMessage(request, reason, events);
  await outbox.add(trx, answer);
  logger.info(
    {
      orderId: request.orderId,
      productId: request.productId,
      qty: request.qty,
      outcome: answer.topic,
      reason,
    },
    'stock decision recorded',
  );
}

/** Decrements the stock when enough is left; otherwise why not. */
async function takeStock(
  trx: Transaction<CatalogDatabase>,
  request: StockRequest,
): Promise<RejectReason | null> {
  const product = await trx
    .selectFrom('catalog')
    .select('stock')
    .where('product_id', '=', request.productId)
    .executeTakeFirst();
  if (!product) return 'UNKNOWN_PRODUCT';
  // The stock condition in the UPDATE itself: safe even if another writer got in between.
  const updated = await trx
    .updateTable('catalog')
    .set((eb) => ({ stock: eb('stock', '-', request.qty) }))
    .where('product_id', '=', request.productId)
    .where('stock', '>=', request.qty)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? null : 'OUT_OF_STOCK';
}

function jsonOrNull(message: Message): unknown {
  try {
    return message.json();
  } catch {
    return null;
  }
}
