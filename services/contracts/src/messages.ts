import type { OutgoingMessage } from '@stratus/messaging';
import type { OrderCreated, RejectReason, StockRejected, StockReserved } from './events.js';
import type { OrderCreatedFormat, ShopEvents } from './settings.js';

/** Writes `order.created` as `format` says. */
type OrderCreatedWriter = (event: OrderCreated, topic: string) => OutgoingMessage;

const ORDER_CREATED_WRITERS: Readonly<Record<OrderCreatedFormat, OrderCreatedWriter>> = {
  stratus: (event, topic) => ({
    topic,
    key: event.orderId,
    // Stable per order: a relay that publishes twice publishes the same id, which consumers drop.
    id: `order-created-${event.orderId}`,
    headers: { type: 'order.created' },
    payload: JSON.stringify({
      orderId: event.orderId,
      userId: event.userId,
      productId: event.productId,
      qty: event.qty,
      unitPrice: event.unitPrice,
      totalPrice: event.totalPrice,
    }),
  }),
  // The course's KafkaProducer: `kafkaTemplate.send(topic, objectMapper.writeValueAsString(orderDto))`.
  'order-dto': (event, topic) => ({
    topic,
    id: `order-created-${event.orderId}`,
    payload: JSON.stringify({
      productId: event.productId,
      qty: event.qty,
      unitPrice: event.unitPrice,
      totalPrice: event.totalPrice,
      orderId: event.orderId,
      userId: event.userId,
    }),
  }),
};

/**
 * The message announcing `event`, on the configured topic and in the configured format.
 *
 * @example
 * await outbox.add(trx, orderCreatedMessage(event, events));
 */
export function orderCreatedMessage(event: OrderCreated, events: ShopEvents): OutgoingMessage {
  return ORDER_CREATED_WRITERS[events.orderCreatedFormat](event, events.topics.orderCreated);
}

/**
 * The message answering an order: `stock.reserved` when `reason` is null, else
 * `stock.rejected` with the reason. One id per order, whatever the outcome.
 *
 * @example
 * await outbox.add(trx, stockOutcomeMessage(request, null, events));
 */
export function stockOutcomeMessage(
  request: StockReserved,
  reason: RejectReason | null,
  events: ShopEvents,
): OutgoingMessage {
  const topic = reason === null ? events.topics.stockReserved : events.topics.stockRejected;
  const payload: StockReserved | StockRejected = {
    orderId: request.orderId,
    productId: request.productId,
    qty: request.qty,
    ...(reason === null ? {} : { reason }),
  };
  return {
    topic,
    key: request.orderId,
    id: `stock-${request.orderId}`,
    headers: { type: reason === null ? 'stock.reserved' : 'stock.rejected' },
    payload: JSON.stringify(payload),
  };
}

/** The order status a stock outcome on `topic` leads to, or `null` for another topic. */
export function orderStatusOf(topic: string, events: ShopEvents): 'CONFIRMED' | 'REJECTED' | null {
  if (topic === events.topics.stockReserved) return 'CONFIRMED';
  if (topic === events.topics.stockRejected) return 'REJECTED';
  return null;
}
