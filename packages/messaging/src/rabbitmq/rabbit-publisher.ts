import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { DLT_HEADERS } from '../dead-letter.js';
import type { NormalizedMessage } from '../internal/message.js';
import { DEAD_LETTER_SUFFIX } from '../internal/names.js';
import { toAmqp } from './rabbit-message.js';
import type { RabbitConnection } from './rabbit-connection.js';
import { declareExchange, declareGroupQueue } from './rabbit-topology.js';
import type { ResolvedRabbitOptions } from './rabbit-options.js';

/**
 * Publishes on a confirm channel (publisher confirms): a batch resolves once the broker has
 * confirmed every message, and rejects if any is nacked or the channel closes first. Exchanges
 * (and required groups' queues) are declared once per connection before the first publish.
 */
export class RabbitPublisher {
  readonly #options: ResolvedRabbitOptions;
  readonly #connection: RabbitConnection;
  #channel: Promise<ConfirmChannel> | null = null;
  #channelOf: ChannelModel | null = null;
  #declared = new Set<string>();

  constructor(options: ResolvedRabbitOptions, connection: RabbitConnection) {
    this.#options = options;
    this.#connection = connection;
  }

  async publish(batch: NormalizedMessage[]): Promise<void> {
    const channel = await this.#confirmChannel();
    for (const topic of new Set(batch.map((m) => m.topic))) await this.#declare(channel, topic);
    const confirms = batch.map(
      (message) =>
        new Promise<void>((resolve, reject) => {
          const { content, options } = toAmqp(message);
          channel.publish(
            message.topic,
            routingKeyOf(message),
            content,
            options,
            (error: unknown) =>
              error
                ? reject(error instanceof Error ? error : new Error('message nacked by the broker'))
                : resolve(),
          );
        }),
    );
    let onClose = (): void => undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new Error('channel closed before the broker confirmed'));
      channel.once('close', onClose);
    });
    try {
      await Promise.race([Promise.all(confirms), closed]);
    } finally {
      channel.removeListener('close', onClose);
    }
  }

  async #confirmChannel(): Promise<ConfirmChannel> {
    const connection = await this.#connection.ready(this.#options.connectionTimeoutMs);
    if (this.#channelOf !== connection || this.#channel === null) {
      this.#channelOf = connection;
      this.#declared = new Set();
      const opening = connection.createConfirmChannel();
      this.#channel = opening;
      opening.then(
        (channel) => {
          channel.setMaxListeners(0);
          channel.on('error', () => undefined);
          channel.once('close', () => {
            if (this.#channel === opening) this.#channel = null;
          });
        },
        () => {
          if (this.#channel === opening) this.#channel = null;
        },
      );
    }
    return this.#channel;
  }

  async #declare(channel: ConfirmChannel, topic: string): Promise<void> {
    if (this.#declared.has(topic)) return;
    await declareExchange(channel, topic);
    for (const group of this.#options.requiredGroups.get(topic) ?? []) {
      await declareGroupQueue(channel, topic, group);
    }
    this.#declared.add(topic);
  }
}

/**
 * The routing key: the topic, as Spring Cloud Stream publishes; a dead letter carries its
 * original group instead, so it lands in that group's `.dlq` queue.
 */
function routingKeyOf(message: NormalizedMessage): string {
  const group = message.headers[DLT_HEADERS.originalConsumerGroup];
  return message.topic.endsWith(DEAD_LETTER_SUFFIX) && group ? group : message.topic;
}
