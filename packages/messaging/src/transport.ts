/**
 * The transport contract every Stratus message transport implements (the
 * embedded log here; Kafka and RabbitMQ later). All of them pass
 * `runTransportContract`.
 *
 * Semantics every implementation guarantees:
 * - **at-least-once**: a message is delivered until a handler call for it
 *   resolves; handlers must therefore be idempotent (see
 *   `createIdempotentHandler`).
 * - **per-key order within a topic**: messages with the same key are handed to
 *   a group's handler in publish order, one at a time.
 * - **commit after the handler resolves**: a handler that throws (or rejects)
 *   is retried with a small, bounded backoff, and the group's position never
 *   moves past a message whose handler has not resolved.
 */

/** A message to publish. */
export interface OutgoingMessage {
  /** Topic name; a non-empty string. */
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

/** A delivered message. */
export interface Message {
  /** The id given at publish time (or generated then); equal across redeliveries. */
  readonly id: string;
  readonly topic: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Buffer;
  /** Position in the topic (or partition); unique and increasing per topic in the embedded log. */
  readonly offset: bigint | number;
  /** When the transport stored the message, in milliseconds since the epoch. */
  readonly timestamp: number;
  /** The payload decoded as UTF-8. */
  text(): string;
  /**
   * The payload parsed as JSON.
   * @throws StratusError `MSG_ERR_INVALID_JSON` when the payload is not JSON.
   */
  json<T = unknown>(): T;
}

/** Handles one message; resolve to commit it, throw to have it redelivered. */
export type MessageHandler = (message: Message) => Promise<void>;

/** What to consume and how. */
export interface SubscribeOptions {
  /** Topics to consume; at least one. */
  topics: string[];
  /** Consumer group: every group receives every message once (at least once). */
  groupId: string;
  handler: MessageHandler;
  /**
   * Where a group with no committed position on a topic starts: at the oldest
   * retained message (`true`) or after the last message published before
   * `subscribe()` resolved (`false`).
   * @default true
   */
  fromBeginning?: boolean;
}

/** A running subscription. */
export interface Subscription {
  /**
   * Stops consuming. Waits for the in-flight handler call to finish (its
   * message is committed if it resolved); a message that was being retried is
   * left uncommitted and will be redelivered. Idempotent.
   */
  close(): Promise<void>;
}

/** A message transport. */
export interface Transport {
  /**
   * Publishes one or more messages; resolves once they are durably accepted.
   * @throws StratusError `MSG_ERR_INVALID_MESSAGE`, `MSG_ERR_PUBLISH_FAILED`, `MSG_ERR_CLOSED`
   */
  publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void>;
  /**
   * Starts consuming; resolves once the subscription is registered (for
   * `fromBeginning: false`, once its start position is fixed).
   * @throws StratusError `MSG_ERR_INVALID_OPTIONS`, `MSG_ERR_CLOSED`
   */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Closes every subscription (see {@link Subscription.close}), then the connection. Idempotent. */
  close(): Promise<void>;
}
