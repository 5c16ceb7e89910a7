export type {
  OutgoingMessage,
  Message,
  MessageHandler,
  SubscribeOptions,
  Subscription,
  Transport,
} from './transport.js';
export { createEmbeddedLog, type EmbeddedLog, type EmbeddedLogOptions } from './embedded-log.js';
export {
  createOutbox,
  ensureOutboxSchema,
  OUTBOX_TABLE,
  OUTBOX_LEASE_TABLE,
  type Outbox,
  type OutboxOptions,
} from './outbox.js';
export {
  createIdempotentHandler,
  ensureInboxSchema,
  INBOX_TABLE,
  type IdempotentHandlerOptions,
} from './inbox.js';
export { EMBEDDED_LOG_DEFAULTS, OUTBOX_DEFAULTS } from './defaults.js';
export { MESSAGING_ERRORS, messagingError, type MessagingErrorCode } from './errors.js';
export { runTransportContract } from './testing/transport-contract.js';
