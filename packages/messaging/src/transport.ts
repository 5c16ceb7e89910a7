/**
 * The transport contract every Stratus message transport implements: the
 * embedded log, Kafka and RabbitMQ. All of them pass the contract suite in
 * `@stratus/messaging/testing`.
 *
 * Semantics every implementation guarantees:
 * - **confirmed publish**: `publish()` resolves only once the store or broker
 *   confirmed every message (Kafka `acks=all`, RabbitMQ publisher confirms).
 * - **at-least-once**: a message is delivered until a handler call for it
 *   resolves or it is dead-lettered; handlers must therefore be idempotent (see
 *   `createIdempotentHandler`).
 * - **per-key order within a topic**: messages with the same key are handed to
 *   a group's handler in publish order, one at a time, whatever `concurrency`.
 * - **commit after the handler resolves**: a group's position (Kafka offset,
 *   RabbitMQ ack) never moves past a message whose handler has not resolved.
 * - **retry, then dead letter**: a handler that throws is retried with backoff;
 *   after `retry.maxAttempts` (or at once for a payload that cannot be
 *   deserialized) the message goes to `<topic>.DLT`, Spring Kafka's name.
 */

/** A message to publish. */
export interface OutgoingMessage {
  /** Topic name: 1–249 of `[A-Za-z0-9._-]` (Kafka's rule, applied on every transport). */
  topic: string;
  /** Ordering key: messages with the same key keep their order. @default null */
  key?: string | null;
  /** Stable message id used by idempotent consumers. @default crypto.randomUUID() */
  id?: string;
  /** String headers, delivered unchanged. @default {} */
  headers?: Record<string, string>;
  /** Body; a string is encoded as UTF-8. */
  payload: string | Buffer;
}

/** A delivered message. `T` is the type its subscription's deserializer returns. */
export interface Message<T = unknown> {
  /**
   * The id given at publish time (or generated then); equal across redeliveries. A message
   * written by a foreign producer without an id gets `<topic>-<partition>-<offset>` on Kafka.
   */
  readonly id: string;
  readonly topic: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Buffer;
  /** Partition of the topic (Kafka); 0 on transports without partitions. */
  readonly partition: number;
  /** Position in the partition (embedded log, Kafka) or the channel's delivery tag (RabbitMQ). */
  readonly offset: bigint | number;
  /** When the transport stored the message, in milliseconds since the epoch. */
  readonly timestamp: number;
  /** 1 on the first handler call for this delivery, then 2, 3, … while it is retried. */
  readonly deliveryAttempt: number;
  /** The payload as the subscription's deserializer returned it; `undefined` without one. */
  readonly value: T;
  /** The payload decoded as UTF-8. */
  text(): string;
  /**
   * The payload parsed as JSON.
   * @throws StratusError `MSG_ERR_INVALID_JSON` when the payload is not JSON (not retryable:
   *   thrown from a handler, it sends the message to the dead-letter topic at once).
   */
  json<V = unknown>(): V;
}

/** Handles one message; resolve to commit it, throw to have it retried (then dead-lettered). */
export type MessageHandler<T = unknown> = (message: Message<T>) => Promise<void>;

/**
 * Turns a payload into a value before the handler runs. Throwing marks the message as poison:
 * it is logged once with its topic, partition and offset, dead-lettered without retries, and
 * the subscription goes on (Spring's `ErrorHandlingDeserializer`).
 */
export interface Deserializer<T> {
  deserialize(payload: Buffer, headers: Readonly<Record<string, string>>, topic: string): T;
}

/** Retry of a failing handler (Spring Kafka's `DefaultErrorHandler` with an exponential back-off). */
export interface RetryOptions {
  /** Handler calls per message, the first included; `Infinity` never gives up. @default 10 */
  maxAttempts?: number;
  /** Delay before the second call, in ms. @default 50 */
  initialIntervalMs?: number;
  /** Factor applied to the delay after each failure. @default 2 */
  multiplier?: number;
  /** Longest delay between two calls, in ms. @default 2000 */
  maxIntervalMs?: number;
}

/** What to consume and how. */
export interface SubscribeOptions<T = unknown> {
  /** Topics to consume; at least one. */
  topics: string[];
  /**
   * Consumer group: every group receives every message once (at least once); the members of a
   * group share the work. Required unless `broadcast` is set.
   */
  groupId?: string;
  /**
   * Every instance receives every message (Spring Cloud Stream's anonymous consumer group, what
   * Spring Cloud Bus uses): Kafka gives the subscription a unique group starting at the latest
   * offset, RabbitMQ an exclusive auto-delete queue bound to the topic exchange, the embedded
   * log a throw-away group. Messages published while no instance listens are not seen.
   * @default false
   */
  broadcast?: boolean;
  handler: MessageHandler<T>;
  /**
   * Where a group with no committed position on a topic starts: at the oldest retained message
   * (`true`, Kafka's `auto-offset-reset: earliest`) or after the last message published before
   * `subscribe()` resolved (`false`, `latest`). RabbitMQ starts a new group's queue empty.
   * @default the transport's `autoOffsetReset`, which defaults to true
   */
  fromBeginning?: boolean;
  /**
   * Handler calls running at once. Messages with the same key (and, on Kafka, partition) still
   * run one at a time, in order. @default 1
   */
  concurrency?: number;
  /** Retry of a failing handler before the message is dead-lettered. @default see RetryOptions */
  retry?: RetryOptions;
  /**
   * Send a message whose handler kept failing, or whose payload cannot be deserialized, to
   * `<topic>.DLT` with Spring Kafka's `kafka_dlt-*` headers, then commit it. With `false` the
   * message is logged and skipped (Spring's default error handler without a recoverer).
   * @default true (false for a broadcast subscription)
   */
  deadLetter?: boolean;
  /** Decodes each payload into `message.value`; a throw dead-letters the message. */
  deserializer?: Deserializer<T>;
  /** Names the subscription in metrics and logs (Spring's listener id). @default groupId */
  name?: string;
}

/** A running subscription. */
export interface Subscription {
  /**
   * Stops consuming. Waits for the in-flight handler calls to finish (their messages are
   * committed if they resolved); a message that was being retried is left uncommitted and will
   * be redelivered. Idempotent.
   */
  close(): Promise<void>;
}

/** What `Transport.subscribe` returns: a subscription that can also be paused (Spring's container `pause()`). */
export interface PausableSubscription extends Subscription {
  /** Stops fetching new messages; in-flight handler calls finish. Idempotent. */
  pause(): void;
  /** Fetches again after `pause()`. Idempotent. */
  resume(): void;
  readonly isPaused: boolean;
}

/** A component's health, in the shape of a Spring Boot health indicator. */
export interface TransportHealth {
  status: 'UP' | 'DOWN';
  details: Record<string, unknown>;
}

/** A message transport. */
export interface Transport {
  /** `embedded`, `kafka` or `rabbitmq`. */
  readonly kind: string;
  /**
   * Publishes one or more messages; resolves once the store or broker confirmed them all.
   * @throws StratusError `MSG_ERR_INVALID_MESSAGE`, `MSG_ERR_PUBLISH_FAILED`, `MSG_ERR_CLOSED`
   */
  publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void>;
  /**
   * Starts consuming; resolves once the subscription is registered (for
   * `fromBeginning: false`, once its start position is fixed). With the broker unreachable it
   * resolves after the first failed attempt and keeps reconnecting with backoff.
   * @throws StratusError `MSG_ERR_INVALID_OPTIONS`, `MSG_ERR_CLOSED`
   */
  subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<PausableSubscription>;
  /** UP while the store or broker answers; never throws. */
  health(): Promise<TransportHealth>;
  /** Closes every subscription (see {@link Subscription.close}), then the connection. Idempotent. */
  close(): Promise<void>;
}
