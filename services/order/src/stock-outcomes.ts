import type { Transaction } from 'kysely';
import type { Clock, Logger } from '@stratus/core';
import type { Message } from '@stratus/messaging';
import type { OrderDatabase } from './db.js';
import { orderStatusOf, parseStockOutcome, type ShopEvents } from './shop-contract.js';

/** Consumer group of order-service on the stock topics. */
export const ORDER_GROUP_ID = 'order-service';
/** Inbox name: each stock message id takes effect once (kept when topics are renamed). */
export const STOCK_EVENTS_CONSUMER = 'order-service.stock-events';

/** What {@link stockOutcomeHandler} needs. */
export interface StockOutcomeContext {
  readonly events: ShopEvents;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The end of the order saga: `stock.reserved` confirms a `PENDING` order, `stock.rejected`
 * rejects it. Only a pending order changes, so a duplicate or late event is a no-op; a
 * malformed payload is logged and skipped (committed, never retried).
 */
export function stockOutcomeHandler({ events, clock, logger }: StockOutcomeContext) {
  const log = logger.child({ component: 'order-status-consumer' });
  return async (message: Message, trx: Transaction<OrderDatabase>): Promise<void> => {
    const status = orderStatusOf(message.topic, events);
    const outcome = status === null ? null : parseStockOutcome(jsonOrNull(message));
    if (status === null || outcome === null) {
      log.warn(
        { messageId: message.id, topic: message.topic, offset: String(message.offset) },
        'malformed stock event skipped',
      );
      return;
    }
    const result = await trx
      .updateTable('orders')
      .set({ status, updated_at: new Date(clock.now()).toISOString() })
      .where('order_id', '=', outcome.orderId)
      .where('status', '=', 'PENDING')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) {
      log.info({ orderId: outcome.orderId, status }, 'order status changed');
    } else {
      log.debug(
        { orderId: outcome.orderId, status },
        'stock event for an order that is not pending; ignored',
      );
    }
  };
}

function jsonOrNull(message: Message): unknown {
  try {
    return message.json();
  } catch {
    return null;
  }
}
