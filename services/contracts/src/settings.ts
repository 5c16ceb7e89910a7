import { bindProperties, type ConfigEnvironment } from '@stratus/config';

/**
 * How `order.created` is written:
 * - `stratus`: JSON with the order id as the message key, a stable message id and a `type`
 *   header, so consumers can deduplicate and keep per-order order;
 * - `order-dto`: what the course's Java order-service sends with `kafkaTemplate.send(topic,
 *   json)`: the `OrderDto` fields in Jackson's order, no key, no headers.
 */
export type OrderCreatedFormat = 'stratus' | 'order-dto';

/** Where the shop's events go (`shop.events.*`); both sides read the same keys. */
export interface ShopEvents {
  readonly topics: {
    /** `shop.events.order-created.topic`. @default 'order.created' */
    readonly orderCreated: string;
    /** `shop.events.stock-reserved.topic`. @default 'stock.reserved' */
    readonly stockReserved: string;
    /** `shop.events.stock-rejected.topic`. @default 'stock.rejected' */
    readonly stockRejected: string;
  };
  /** `shop.events.order-created.format`. @default 'stratus' */
  readonly orderCreatedFormat: OrderCreatedFormat;
}

/** The default topics: `order.created`, `stock.reserved`, `stock.rejected`. */
export const SHOP_EVENT_DEFAULTS: ShopEvents = Object.freeze({
  topics: Object.freeze({
    orderCreated: 'order.created',
    stockReserved: 'stock.reserved',
    stockRejected: 'stock.rejected',
  }),
  orderCreatedFormat: 'stratus',
});

// Kafka's topic rule, which every Stratus transport applies.
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const topicSpec = (event: string, fallback: string) =>
  ({ key: `${event}.topic`, type: 'string', pattern: TOPIC, default: fallback }) as const;

const SHOP_EVENT_PROPERTIES = {
  orderCreated: topicSpec('order-created', SHOP_EVENT_DEFAULTS.topics.orderCreated),
  stockReserved: topicSpec('stock-reserved', SHOP_EVENT_DEFAULTS.topics.stockReserved),
  stockRejected: topicSpec('stock-rejected', SHOP_EVENT_DEFAULTS.topics.stockRejected),
  format: {
    key: 'order-created.format',
    type: 'enum',
    values: ['stratus', 'order-dto'],
    default: SHOP_EVENT_DEFAULTS.orderCreatedFormat,
  },
} as const;

/**
 * Binds `shop.events.*`: the three topics and the `order.created` format. A shop talking to
 * the course's Java catalog-service sets, for both sides:
 *
 * ```yaml
 * shop:
 *   events:
 *     order-created:
 *       topic: example-catalog-topic
 *       format: order-dto
 * ```
 *
 * @throws StratusError `CFG_ERR_INVALID_CONFIG` for a bad topic name, an unknown format, or an
 *   unknown key under `shop.events` (each named with its file).
 * @example
 * const events = bindShopEvents(app.config.environment);
 * app.subscribe({ topic: events.topics.orderCreated, idempotent: true, handle });
 */
export function bindShopEvents(env: ConfigEnvironment): ShopEvents {
  const bound = bindProperties(
    env,
    { events: { key: 'shop.events', type: 'object', properties: SHOP_EVENT_PROPERTIES } },
    { ownedPrefixes: ['shop.events'] },
  ).events;
  return Object.freeze({
    topics: Object.freeze({
      orderCreated: bound.orderCreated,
      stockReserved: bound.stockReserved,
      stockRejected: bound.stockRejected,
    }),
    orderCreatedFormat: bound.format,
  });
}
