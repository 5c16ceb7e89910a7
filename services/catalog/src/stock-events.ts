import type { Kysely, Transaction } from 'kysely';
import type { Logger } from '@stratus/core';
import {
  createIdempotentHandler,
  type Message,
  type Outbox,
  type Subscription,
  type Transport,
} from '@stratus/messaging';
import type { CatalogDatabase } from './db.js';

/** Topic consumed: an order was placed. */
export const ORDER_CREATED_TOPIC = 'order.created';
/** Topic published when stock was reserved for an order. */
export const STOCK_RESERVED_TOPIC = 'stock.reserved';
/** Topic published when stock could not be reserved for an order. */
export const STOCK_REJECTED_TOPIC = 'stock.rejected';
/** Consumer group of catalog-service on `order.created`. */
export const CATALOG_GROUP_ID = 'catalog-service';
/** Inbox consumer name: each `order.created` message id takes effect once. */
export const ORDER_CREATED_CONSUMER = 'catalog-service.order-created';

/** The fields of `order.created` that catalog-service reads. */
export interface OrderCreatedEvent {
  orderId: string;
  productId: string;
  qty: number;
}

/** Why a reservation was rejected. */
export type RejectReason = 'OUT_OF_STOCK' | 'UNKNOWN_PRODUCT';

/** The `order.created` fields, or `null` when the payload is not a usable event. */
export function parseOrderCreated(value: unknown): OrderCreatedEvent | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { orderId, productId, qty } = value as Record<string, unknown>;
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 128) return null;
  if (typeof productId !== 'string' || productId.length === 0 || productId.length > 64) return null;
  if (typeof qty !== 'number' || !Number.isSafeInteger(qty) || qty < 1) return null;
  return { orderId, productId, qty };
}

/** What the consumer needs. */
export interface StockConsumerOptions {
  db: Kysely<CatalogDatabase>;
  transport: Transport;
  outbox: Outbox;
  logger: Logger;
}

/**
 * Reserves stock for one order inside `trx`: decrements the product's stock
 * when enough is left and records `stock.reserved`, otherwise records
 * `stock.rejected`; the outcome row and the outbox message commit with the
 * caller's transaction. An order already decided is left alone, so a second
 * `order.created` for the same order (even with another message id) cannot
 * produce a second outcome.
 */
export async function reserveStock(
  trx: Transaction<CatalogDatabase>,
  outbox: Outbox,
  event: OrderCreatedEvent,
  logger: Logger,
): Promise<void> {
  const decided = await trx
    .selectFrom('stock_reservations')
    .select('outcome')
    .where('order_id', '=', event.orderId)
    .executeTakeFirst();
  if (decided) {
    logger.debug(
      { orderId: event.orderId, outcome: decided.outcome },
      'order already decided; event ignored',
    );
    return;
  }
  let reason: RejectReason | null = null;
  const product = await trx
    .selectFrom('catalog')
    .select('stock')
    .where('product_id', '=', event.productId)
    .executeTakeFirst();
  if (!product) {
    reason = 'UNKNOWN_PRODUCT';
  } else {
    // The stock condition in the UPDATE itself: safe even if another writer got in between.
    const updated = await trx
      .updateTable('catalog')
      .set((eb) => ({ stock: eb('stock', '-', event.qty) }))
      .where('product_id', '=', event.productId)
      .where('stock', '>=', event.qty)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) reason = 'OUT_OF_STOCK';
  }
  await trx
    .insertInto('stock_reservations')
    .values({
      order_id: event.orderId,
      product_id: event.productId,
      qty: event.qty,
      outcome: reason === null ? 'RESERVED' : 'REJECTED',
      reason,
      created_at: new Date().toISOString(),
    })
    .execute();
  const topic = reason === null ? STOCK_RESERVED_TOPIC : STOCK_REJECTED_TOPIC;
  const payload = {
    orderId: event.orderId,
    productId: event.productId,
    qty: event.qty,
    ...(reason === null ? {} : { reason }),
  };
  await outbox.add(trx, {
    topic,
    key: event.orderId,
    id: `stock-${event.orderId}`,
    headers: { type: topic },
    payload: JSON.stringify(payload),
  });
  logger.info(
    { orderId: event.orderId, productId: event.productId, qty: event.qty, outcome: topic, reason },
    'stock decision recorded',
  );
}

/**
 * Subscribes catalog-service to `order.created` (group `catalog-service`)
 * through an idempotent handler; after each commit the outbox is flushed.
 * Malformed payloads are logged and committed as processed, never retried.
 */
export async function startStockConsumer(options: StockConsumerOptions): Promise<Subscription> {
  const { db, transport, outbox } = options;
  const logger = options.logger.child({ component: 'stock-consumer' });
  const idempotent = createIdempotentHandler({
    db,
    consumer: ORDER_CREATED_CONSUMER,
    logger,
    handle: async (trx, message: Message) => {
      let event: OrderCreatedEvent | null = null;
      try {
        event = parseOrderCreated(message.json());
      } catch {
        event = null;
      }
      if (event === null) {
        logger.warn(
          { messageId: message.id, topic: message.topic, offset: String(message.offset) },
          'malformed order.created skipped',
        );
        return;
      }
      await reserveStock(trx as Transaction<CatalogDatabase>, outbox, event, logger);
    },
  });
  return transport.subscribe({
    topics: [ORDER_CREATED_TOPIC],
    groupId: CATALOG_GROUP_ID,
    handler: async (message) => {
      await idempotent(message);
      void outbox.flush();
    },
  });
}
