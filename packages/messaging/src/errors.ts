import { defineErrors, type StratusError, type StratusErrorOptions } from '@stratus/core';

/**
 * The errors of `@stratus/messaging`, one factory per code (`MSG_ERR_<ROW>`). A shipped code is
 * never reused for another meaning.
 *
 * - `MSG_ERR_INVALID_OPTIONS` (500): options failed validation (a programming or configuration
 *   error); `details.problems` lists every problem.
 * - `MSG_ERR_INVALID_MESSAGE` (400): an outgoing message is malformed (empty or illegal topic,
 *   non-string header, …); nothing of the batch was published.
 * - `MSG_ERR_CLOSED` (503): the transport, subscription or outbox was closed.
 * - `MSG_ERR_PUBLISH_FAILED` (503): the broker did not confirm the messages in time (it may be
 *   down); the caller (usually the outbox) retries.
 * - `MSG_ERR_STORE_UNAVAILABLE` (503): the embedded log's database could not be opened.
 * - `MSG_ERR_INVALID_JSON` (400): `Message.json()` or a JSON deserializer met a payload that is
 *   not JSON. Not retryable: a subscription dead-letters the message at once.
 * - `MSG_ERR_INVALID_PAYLOAD` (400): a deserializer rejected the payload (it fails its schema).
 *   Not retryable: dead-lettered at once, as Spring's `DeserializationException` is.
 *
 * @example
 * if (MessagingErrors.PUBLISH_FAILED.is(error)) scheduleRetry();
 */
export const MessagingErrors = defineErrors('MSG', {
  INVALID_OPTIONS: { status: 500, title: 'Invalid messaging options', retryable: false },
  INVALID_MESSAGE: { status: 400, title: 'Invalid message' },
  CLOSED: { status: 503, title: 'Messaging component is closed' },
  PUBLISH_FAILED: { status: 503, title: 'Publish failed' },
  STORE_UNAVAILABLE: { status: 503, title: 'Message store unavailable' },
  INVALID_JSON: { status: 400, title: 'Message payload is not valid JSON' },
  INVALID_PAYLOAD: { status: 400, title: 'Message payload fails its schema' },
});

/**
 * Every error code `@stratus/messaging` throws, with its HTTP status and title.
 * @deprecated Use {@link MessagingErrors}; kept for code written against the first release.
 */
export const MESSAGING_ERRORS = Object.freeze(
  Object.fromEntries(
    Object.values(MessagingErrors).map((factory) => [
      factory.code,
      { status: factory.status, title: factory({}).title },
    ]),
  ),
) as Readonly<Record<MessagingErrorCode, { status: number; title: string }>>;

/** One of the codes in {@link MessagingErrors}. */
export type MessagingErrorCode = (typeof MessagingErrors)[keyof typeof MessagingErrors]['code'];

/**
 * Builds the error of a messaging code.
 * @deprecated Use the factories of {@link MessagingErrors}.
 * @example
 * throw messagingError('MSG_ERR_CLOSED', { details: { component: 'embedded-log' } });
 */
export function messagingError(
  code: MessagingErrorCode,
  options: StratusErrorOptions = {},
): StratusError {
  const row = code.slice('MSG_ERR_'.length) as keyof typeof MessagingErrors;
  return MessagingErrors[row](options);
}

/** `MSG_ERR_INVALID_OPTIONS` listing every problem. */
export function invalidOptions(what: string, problems: readonly string[]): StratusError {
  return MessagingErrors.INVALID_OPTIONS({
    message: `Invalid ${what}: ${problems.join('; ')}`,
    details: { problems: [...problems] },
  });
}
