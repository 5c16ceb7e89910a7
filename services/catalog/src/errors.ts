import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * Every error code catalog-service answers with, its HTTP status and title.
 * A shipped code is never reused for another meaning.
 */
export const CATALOG_ERRORS = Object.freeze({
  /** No product with this id. */
  SHOP_ERR_PRODUCT_NOT_FOUND: { status: 404, title: 'Product not found' },
} as const);

/** One of the codes in {@link CATALOG_ERRORS}. */
export type CatalogErrorCode = keyof typeof CATALOG_ERRORS;

/**
 * Builds the {@link StratusError} for a catalog-service code.
 *
 * @example
 * throw catalogError('SHOP_ERR_PRODUCT_NOT_FOUND', { details: { productId } });
 */
export function catalogError(
  code: CatalogErrorCode,
  options: StratusErrorOptions = {},
): StratusError {
  const { status, title } = CATALOG_ERRORS[code];
  return new StratusError(code, status, title, { retryable: false, ...options });
}
