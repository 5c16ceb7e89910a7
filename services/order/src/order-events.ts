import type { Kysely } from 'kysely';
import type { Logger } from '@stratus/core';
import {
  createIdempotentHandler,
  type Message,
  type Subscription,
  type Transport,
} from '@stratus/messaging';
import type { OrderDatabase, OrderStatus } from './db.js';

/** Topic published for each new order. */
export const ORDER_CREATED_TOPIC = 'order.created';
/** Topic consumed: catalog-service reserved the stock. */
export const STOCK_RESERVED_TOPIC = 'stock.reserved';
/** Topic consumed: catalog-service could not reserve the stock. */
export const STOCK_REJECTED_TOPIC = 'stock.rejected';
/** Consumer group of order-service on the stock topics. */
export const ORDER_GROUP_ID = 'order-service';
/** Inbox consumer name: each stock message id takes effect once. */
export const STOCK_EVENTS_CONSUMER = 'order-service.stock-events';

const STATUS_BY_TOPIC: Readonly<Record<string, OrderStatus>> = {
  [STOCK_RESERVED_TOPIC]: 'CONFIRMED',
  [STOCK_REJECTED_TOPIC]: 'REJECTED',
};

/** The order id of a stock event payload, or `null` when it is not usable. */
export function parseStockEvent(value: unknown): { orderId: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { orderId } = value as Record<string, unknown>;
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 128) return null;
  return { orderId };
}

/**
 * Subscribes order-service to `stock.reserved` / `stock.rejected` (group
 * `order-service`) through an idempotent handler. Only a `PENDING` order
 * changes: a duplicate or late event is a no-op. Malformed payloads are
 * logged and committed as processed.
 */
export async function startOrderStatusConsumer(options: {
  db: Kysely<OrderDatabase>;
  transport: Transport;
  logger: Logger;
}): Promise<Subscription> {
  const logger = options.logger.child({ component: 'order-status-consumer' });
  const handler = createIdempotentHandler({
    db: options.db,
    consumer: STOCK_EVENTS_CONSUMER,
    logger,
    handle: async (trx, message: Message) => {
      const status = STATUS_BY_TOPIC[message.topic];
      let event: { orderId: string } | null = null;
      try {
        event = parseStockEvent(message.json());
      } catch {
        event = null;
      }
      if (status === undefined || event === null) {
        logger.warn(
          { messageId: message.id, topic: message.topic, offset: String(message.offset) },
          'malformed stock event skipped',
        );
        return;
      }
      const result = await (trx as Kysely<OrderDatabase>)
        .updateTable('orders')
        .set({ status, updated_at: new Date().toISOString() })
        .where('order_id', '=', event.orderId)
        .where('status', '=', 'PENDING')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        logger.info({ orderId: event.orderId, status }, 'order status changed');
      } else {
        logger.debug(
          { orderId: event.orderId, status },
          'stock event for an order that is not pending; ignored',
        );
      }
    },
  });
  return options.transport.subscribe({
    topics: [STOCK_RESERVED_TOPIC, STOCK_REJECTED_TOPIC],
    groupId: ORDER_GROUP_ID,
    handler,
  });
}
