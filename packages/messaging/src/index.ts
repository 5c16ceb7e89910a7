export type {
  OutgoingMessage,
  Message,
  MessageHandler,
  Deserializer,
  RetryOptions,
  SubscribeOptions,
  Subscription,
  PausableSubscription,
  Transport,
  TransportHealth,
} from './transport.js';
export { createEmbeddedLog, type EmbeddedLog, type EmbeddedLogOptions } from './embedded-log.js';
export { type ConsumerDefaults } from './consumer-defaults.js';
export { createKafkaTransport } from './kafka/kafka-transport.js';
export type {
  KafkaTransportOptions,
  KafkaProducerOptions,
  KafkaConsumerOptions,
  KafkaSaslOptions,
} from './kafka/kafka-options.js';
export { kafkaPropertyOptions, type KafkaPropertyOptions } from './kafka/kafka-properties.js';
export { createRabbitTransport } from './rabbitmq/rabbit-transport.js';
export type { RabbitTransportOptions } from './rabbitmq/rabbit-options.js';
export {
  createOutbox,
  ensureOutboxSchema,
  OUTBOX_TABLE,
  OUTBOX_LEASE_TABLE,
  type Outbox,
  type OutboxOptions,
  type ClaimStrategy,
} from './outbox.js';
export {
  createIdempotentHandler,
  ensureInboxSchema,
  pruneInbox,
  INBOX_TABLE,
  type IdempotentHandlerOptions,
  type PruneInboxOptions,
} from './inbox.js';
export { sqlDialectOf, type SqlDialect } from './sql-dialect.js';
export {
  createJsonSerde,
  TYPE_ID_HEADER,
  type JsonSerdeOptions,
  type Serde,
  type Encoded,
} from './serde/json-serde.js';
export { createConnectJsonSerde, type ConnectJsonOptions } from './serde/connect-json.js';
export type { ConnectSchema, ConnectType } from './serde/connect-schema.js';
export type { MetersOptions } from './metrics.js';
export { DLT_HEADERS } from './dead-letter.js';
export { EMBEDDED_LOG_DEFAULTS, OUTBOX_DEFAULTS, INBOX_DEFAULTS } from './defaults.js';
export {
  MessagingErrors,
  MESSAGING_ERRORS,
  messagingError,
  type MessagingErrorCode,
} from './errors.js';
// Spring Cloud Bus (bus/): events, destinations and the bus participant.
export { createBus, type Bus } from './bus/bus.js';
export {
  BUS_DEFAULTS,
  type BusOptions,
  type BusHandlers,
  type BusActivity,
} from './bus/bus-options.js';
export {
  encodeBusEvent,
  decodeBusEvent,
  BUS_EVENT_PACKAGE,
  MAX_BUS_EVENT_BYTES,
  type BusEventType,
  type RemoteApplicationEvent,
  type RefreshRemoteApplicationEvent,
  type EnvironmentChangeRemoteApplicationEvent,
  type ShutdownRemoteApplicationEvent,
  type AckRemoteApplicationEvent,
  type DecodedBusEvent,
} from './bus/bus-event.js';
export { busHeaders, BUS_CONTENT_TYPE } from './bus/bus-headers.js';
export {
  normalizeDestination,
  createServiceMatcher,
  busPathMatch,
  type ServiceMatcher,
} from './bus/destination.js';
export { antPathMatch } from './bus/ant-path-matcher.js';
export { defaultBusId, type BusIdOptions, type PropertyLookup } from './bus/bus-id.js';
