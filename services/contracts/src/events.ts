/**
 * `order.created`: an order was placed (order-service → catalog-service). The fields of the
 * course's `OrderDto`, which its Java order-service writes with Jackson.
 */
export interface OrderCreated {
  readonly orderId: string;
  readonly userId: string;
  readonly productId: string;
  readonly qty: number;
  /** Integer minor units. */
  readonly unitPrice: number;
  /** `qty × unitPrice`. */
  readonly totalPrice: number;
}

/** What a stock reservation needs from `order.created`: all a consumer may rely on. */
export type StockRequest = Pick<OrderCreated, 'orderId' | 'productId' | 'qty'>;

/** Why catalog-service could not reserve the stock of an order. */
export type RejectReason = 'OUT_OF_STOCK' | 'UNKNOWN_PRODUCT';

/** `stock.reserved`: the stock of an order is set aside (catalog-service → order-service). */
export interface StockReserved {
  readonly orderId: string;
  readonly productId: string;
  readonly qty: number;
}

/** `stock.rejected`: the order cannot be served (catalog-service → order-service). */
export interface StockRejected extends StockReserved {
  readonly reason: RejectReason;
}

const MAX_ORDER_ID_LENGTH = 128;
const MAX_PRODUCT_ID_LENGTH = 64;

/**
 * The {@link StockRequest} of an `order.created` payload (parsed JSON), or `null` when it is
 * not one: ids must be non-empty bounded strings and `qty` a positive whole number. Never throws.
 *
 * @example
 * const request = parseOrderCreated(message.json());
 * if (request === null) return; // logged and skipped
 */
export function parseOrderCreated(value: unknown): StockRequest | null {
  if (!isObject(value)) return null;
  const { orderId, productId, qty } = value;
  if (!isId(orderId, MAX_ORDER_ID_LENGTH) || !isId(productId, MAX_PRODUCT_ID_LENGTH)) return null;
  if (typeof qty !== 'number' || !Number.isSafeInteger(qty) || qty < 1) return null;
  return { orderId, productId, qty };
}

/**
 * The order id of a `stock.reserved` / `stock.rejected` payload (parsed JSON), or `null` when
 * it has none. Never throws.
 */
export function parseStockOutcome(value: unknown): { orderId: string } | null {
  if (!isObject(value)) return null;
  const { orderId } = value;
  return isId(orderId, MAX_ORDER_ID_LENGTH) ? { orderId } : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength;
}
