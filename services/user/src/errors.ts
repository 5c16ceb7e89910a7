import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * Every error code user-service answers with, its HTTP status and title.
 * A shipped code is never reused for another meaning.
 */
export const USER_ERRORS = Object.freeze({
  /** Sign-up with an e-mail address that is already registered. */
  SHOP_ERR_DUPLICATE_EMAIL: { status: 409, title: 'Email already registered' },
  /** Login with an unknown e-mail or a wrong password (one answer for both). */
  SHOP_ERR_BAD_CREDENTIALS: { status: 401, title: 'Bad credentials' },
  /** No valid bearer token (missing, malformed, forged, expired). */
  SHOP_ERR_UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** A valid token whose subject is another user. */
  SHOP_ERR_FORBIDDEN: { status: 403, title: 'Forbidden' },
  /** No user with this id. */
  SHOP_ERR_USER_NOT_FOUND: { status: 404, title: 'User not found' },
} as const);

/** One of the codes in {@link USER_ERRORS}. */
export type UserErrorCode = keyof typeof USER_ERRORS;

/**
 * Builds the {@link StratusError} for a user-service code.
 *
 * @example
 * throw userError('SHOP_ERR_USER_NOT_FOUND', { details: { userId } });
 */
export function userError(code: UserErrorCode, options: StratusErrorOptions = {}): StratusError {
  const { status, title } = USER_ERRORS[code];
  return new StratusError(code, status, title, { retryable: false, ...options });
}
