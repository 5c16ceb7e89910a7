import { defineErrors } from '@stratus/core';

/**
 * Every error code order-service answers with (`SHOP_ERR_<ROW>`), its HTTP status and title.
 * A shipped code is never reused for another meaning.
 *
 * @example
 * throw OrderErrors.ORDER_NOT_FOUND({ message: 'No such order' });
 */
export const OrderErrors = defineErrors('SHOP', {
  /** No valid bearer token (missing, malformed, forged, expired). */
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** A valid token whose subject is another user. */
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  /** No order with this id visible to the caller. */
  ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
});
