import { compatibilityPartitioner, Producer, type MessageToProduce } from '@platformatic/kafka';
import type { Logger } from '@stratus/core';
import type { NormalizedMessage } from '../internal/message.js';
import { baseClientOptions, forceClose } from './kafka-clients.js';
import { toKafkaHeaders } from './kafka-headers.js';
import type { ResolvedKafkaOptions } from './kafka-options.js';

/**
 * The transport's producer (Spring's `KafkaTemplate`): idempotent with `acks=all` unless
 * configured otherwise, keys partitioned with Java's murmur2 rule so a key lands on the same
 * partition as from a Java producer. After a failed send the producer is replaced: a new
 * producer id restarts the sequence numbers the broker checks, so a half-failed batch cannot
 * wedge later sends with out-of-order-sequence errors.
 *
 * Sends go out one at a time. @platformatic/kafka 1.x advances an idempotent producer's
 * per-partition sequence only when a send's response arrives, so two sends in flight to one
 * partition carry the same sequence number and the broker acknowledges the second as a
 * duplicate of the first without writing it (found by the contract suite: a lost dead letter).
 */
export class KafkaProducer {
  readonly #options: ResolvedKafkaOptions;
  readonly #logger: Logger;
  #producer: Producer | null = null;
  /** The send in flight (or last finished); the next one starts after it. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: ResolvedKafkaOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  #client(): Producer {
    const options = this.#options;
    this.#producer ??= new Producer({
      ...baseClientOptions(options, `${options.clientId}-producer`, options.retries),
      idempotent: options.isIdempotent,
      acks: options.acks,
      compression: options.compression,
      partitioner: compatibilityPartitioner,
    });
    return this.#producer;
  }

  /** Sends a batch; resolves once the broker acknowledged every record (per `acks`). */
  send(messages: NormalizedMessage[]): Promise<void> {
    const sending = this.#tail.then(() => this.#sendNow(messages));
    this.#tail = sending.catch(() => undefined);
    return sending;
  }

  async #sendNow(messages: NormalizedMessage[]): Promise<void> {
    const producer = this.#client();
    const records: MessageToProduce[] = messages.map((m) => ({
      topic: m.topic,
      key: m.key === null ? undefined : Buffer.from(m.key, 'utf8'),
      value: m.payload,
      headers: toKafkaHeaders(m.headers, m.id),
    }));
    try {
      await producer.send({ messages: records });
    } catch (error) {
      this.#discard(producer);
      throw error;
    }
  }

  #discard(producer: Producer): void {
    if (this.#producer !== producer) return;
    this.#producer = null;
    void forceClose(producer);
    this.#logger.debug('kafka producer replaced after a failed send');
  }

  async close(): Promise<void> {
    await this.#tail;
    const producer = this.#producer;
    this.#producer = null;
    if (producer) await forceClose(producer);
  }
}
