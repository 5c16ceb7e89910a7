import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * Every error code order-service answers with, its HTTP status and title.
 * A shipped code is never reused for another meaning.
 */
export const ORDER_ERRORS = Object.freeze({
  /** No valid bearer token (missing, malformed, forged, expired). */
  SHOP_ERR_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** A valid token whose subject is another user. */
  SHOP_ERR_FORBIDDEN: { status: 403, title: 'Forbidden' },
  /** No order with this id visible to the caller. */
  SHOP_ERR_ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
} as const);

/** One of the codes in {@link ORDER_ERRORS}. */
export type OrderErrorCode = keyof typeof ORDER_ERRORS;

/**
 * Builds the {@link StratusError} for an order-service code.
 *
 * @example
 * throw orderError('SHOP_ERR_ORDER_NOT_FOUND', { details: { orderId } });
 */
export function orderError(code: OrderErrorCode, options: StratusErrorOptions = {}): StratusError {
  const { status, title } = ORDER_ERRORS[code];
  return new StratusError(code, status, title, { retryable: false, ...options });
}
