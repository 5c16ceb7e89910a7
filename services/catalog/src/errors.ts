import { defineErrors } from '@stratus/core';

/**
 * Every error code catalog-service answers with (`SHOP_ERR_<ROW>`), its HTTP status and title.
 * A shipped code is never reused for another meaning.
 *
 * @example
 * throw CatalogErrors.PRODUCT_NOT_FOUND({ details: { productId } });
 */
export const CatalogErrors = defineErrors('SHOP', {
  /** No product with this id. */
  PRODUCT_NOT_FOUND: { status: 404, title: 'Product not found' },
});
