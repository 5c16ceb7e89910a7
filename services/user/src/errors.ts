import { defineErrors } from '@stratus/core';

/**
 * Every error code user-service answers with (`SHOP_ERR_<ROW>`), its HTTP status and title.
 * A shipped code is never reused for another meaning.
 *
 * @example
 * throw UserErrors.USER_NOT_FOUND({ message: 'No user with this id', details: { userId } });
 */
export const UserErrors = defineErrors('SHOP', {
  /** Sign-up with an e-mail address that is already registered. */
  DUPLICATE_EMAIL: { status: 409, title: 'Email already registered' },
  /** Login with an unknown e-mail or a wrong password (one answer for both). */
  BAD_CREDENTIALS: { status: 401, title: 'Bad credentials' },
  /** No valid bearer token (missing, malformed, forged, expired). */
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  /** A valid token whose subject is another user. */
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  /** No user with this id. */
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
});
