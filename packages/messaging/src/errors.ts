import { StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * Every error code `@stratus/messaging` throws, with its HTTP status and title.
 * A shipped code is never reused for another meaning.
 */
export const MESSAGING_ERRORS = Object.freeze({
  /** Options failed validation (a programming or configuration error). */
  MSG_ERR_INVALID_OPTIONS: { status: 500, title: 'Invalid messaging options' },
  /** An outgoing message is malformed (empty topic, non-string header, …). */
  MSG_ERR_INVALID_MESSAGE: { status: 400, title: 'Invalid message' },
  /** The transport, subscription or outbox was closed. */
  MSG_ERR_CLOSED: { status: 503, title: 'Messaging component is closed' },
  /** The transport could not store or send the messages; nothing was published. */
  MSG_ERR_PUBLISH_FAILED: { status: 503, title: 'Publish failed' },
  /** The embedded log's database could not be opened or prepared. */
  MSG_ERR_STORE_UNAVAILABLE: { status: 503, title: 'Message store unavailable' },
  /** `Message.json()` was called on a payload that is not JSON. */
  MSG_ERR_INVALID_JSON: { status: 400, title: 'Message payload is not valid JSON' },
} as const);

/** One of the codes in {@link MESSAGING_ERRORS}. */
export type MessagingErrorCode = keyof typeof MESSAGING_ERRORS;

/**
 * Builds the {@link StratusError} for a messaging code.
 *
 * @example
 * throw messagingError('MSG_ERR_CLOSED', { details: { component: 'embedded-log' } });
 */
export function messagingError(
  code: MessagingErrorCode,
  options: StratusErrorOptions = {},
): StratusError {
  const { status, title } = MESSAGING_ERRORS[code];
  return new StratusError(code, status, title, options);
}
