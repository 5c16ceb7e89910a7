import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { LagSample } from '../metrics.js';
import type { SubscriptionCore } from '../internal/subscription-core.js';
import type { PausableSubscription } from '../transport.js';
import { fromAmqp } from './rabbit-message.js';
import type { ConnectionListener, RabbitConnection } from './rabbit-connection.js';
import { declareAnonymousQueue, declareGroupQueue } from './rabbit-topology.js';

/** A delivery held while the subscription is paused. */
interface Held {
  readonly channel: Channel;
  readonly delivery: ConsumeMessage;
  readonly topic: string;
}

/**
 * A subscription on RabbitMQ: one channel per connection with `prefetch` unacknowledged
 * messages, one queue per topic (the group's durable queue, or an anonymous one for a
 * broadcast). A message is acked once its handler resolved or it was dead-lettered; one whose
 * handler had not finished is left unacked, so the broker redelivers it when the channel goes.
 */
export class RabbitSubscription implements PausableSubscription, ConnectionListener {
  readonly #core: SubscriptionCore;
  readonly #connection: RabbitConnection;
  readonly #prefetch: number;
  readonly #onClosed: () => void;
  #channel: Channel | null = null;
  #queues = new Map<string, string>();
  #consumerTags: string[] = [];
  #held: Held[] = [];
  #setup: Promise<void> = Promise.resolve();
  #unlisten: () => void = () => undefined;
  #closing: Promise<void> | null = null;
  #ready: (() => void) | null = null;
  /** The drain of the last lost channel; a new channel waits for it. */
  #draining: Promise<void> = Promise.resolve();
  #reopenTimer: NodeJS.Timeout | null = null;
  #setupFailures = 0;

  constructor(
    core: SubscriptionCore,
    connection: RabbitConnection,
    prefetch: number,
    onClosed: () => void,
  ) {
    this.#core = core;
    this.#connection = connection;
    this.#prefetch = Math.max(prefetch, core.settings.concurrency);
    this.#onClosed = onClosed;
  }

  get isPaused(): boolean {
    return this.#core.isPaused;
  }

  get isConnected(): boolean {
    return this.#channel !== null;
  }

  /** Resolves once consuming, or after the first failed attempt to connect. */
  start(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve) => {
      this.#ready = resolve;
      // Not unref'ed: subscribe() awaits this bounded wait.
      timer = setTimeout(resolve, timeoutMs);
    }).finally(() => clearTimeout(timer));
    this.#unlisten = this.#connection.listen(this);
    return ready;
  }

  onConnected(connection: ChannelModel): void {
    // Handler calls of the lost channel finish first: while they drain, new deliveries would be
    // dropped unacked and hold prefetch slots.
    this.#setup = this.#setup
      .then(() => this.#draining)
      .then(() => this.#open(connection))
      .then(() => {
        this.#setupFailures = 0;
      })
      .catch((error: unknown) => {
        this.#setupFailures += 1;
        this.#core.logger.warn({ err: error }, 'rabbitmq consumer setup failed; retrying');
        this.#markReady();
        this.#reopenLater(connection);
      });
  }

  onLost(): void {
    this.#channel = null;
    this.#consumerTags = [];
    this.#held = [];
    this.#draining = this.#core.interruptAndDrain();
  }

  /**
   * A channel closed by the broker while the connection stays up (a redeclaration refused, a
   * queue deleted) is opened again with backoff; otherwise the subscription would wait for a
   * reconnect that never comes.
   */
  #reopenLater(connection: ChannelModel): void {
    if (this.#core.isStopping || this.#reopenTimer) return;
    const delayMs = Math.min(30_000, 1_000 * 2 ** Math.min(this.#setupFailures, 5));
    this.#reopenTimer = setTimeout(() => {
      this.#reopenTimer = null;
      if (
        !this.#core.isStopping &&
        this.#channel === null &&
        this.#connection.isCurrent(connection)
      )
        this.onConnected(connection);
    }, delayMs);
    this.#reopenTimer.unref();
  }

  pause(): void {
    if (this.#core.isPaused) return;
    this.#core.pause();
    const channel = this.#channel;
    const tags = this.#consumerTags;
    this.#consumerTags = [];
    for (const tag of tags) void channel?.cancel(tag).catch(() => undefined);
  }

  resume(): void {
    if (!this.#core.isPaused) return;
    this.#core.resume();
    const held = this.#held;
    this.#held = [];
    for (const item of held) void this.#accept(item.channel, item.delivery, item.topic);
    if (this.#channel) void this.#consume(this.#channel).catch(() => undefined);
  }

  async lag(): Promise<LagSample[]> {
    const channel = this.#channel;
    if (!channel) return [];
    const samples: LagSample[] = [];
    for (const [topic, queue] of this.#queues) {
      const { messageCount } = await channel.checkQueue(queue);
      samples.push({ topic, partition: 0, group: this.#core.groupId, lag: messageCount });
    }
    return samples;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#core.stop();
      if (this.#reopenTimer) clearTimeout(this.#reopenTimer);
      this.#unlisten();
      const channel = this.#channel;
      for (const tag of this.#consumerTags) await channel?.cancel(tag).catch(() => undefined);
      this.#consumerTags = [];
      this.#held = [];
      await this.#core.stopAndDrain();
      this.#channel = null;
      await channel?.close().catch(() => undefined);
      this.#onClosed();
    })();
    return this.#closing;
  }

  async #open(connection: ChannelModel): Promise<void> {
    if (this.#core.isStopping) return;
    const channel = await connection.createChannel();
    channel.on('error', (error: Error) =>
      this.#core.logger.warn({ err: error }, 'rabbitmq channel error'),
    );
    channel.once('close', () => {
      if (this.#channel !== channel) return;
      this.onLost();
      this.#reopenLater(connection);
    });
    await channel.prefetch(this.#prefetch);
    const queues = new Map<string, string>();
    for (const topic of this.#core.settings.topics) {
      const queue = this.#core.settings.isBroadcast
        ? await declareAnonymousQueue(channel, topic)
        : await declareGroupQueue(channel, topic, this.#core.groupId);
      queues.set(topic, queue);
    }
    this.#queues = queues;
    this.#channel = channel;
    if (!this.#core.isPaused) await this.#consume(channel);
    this.#markReady();
  }

  async #consume(channel: Channel): Promise<void> {
    for (const [topic, queue] of this.#queues) {
      const { consumerTag } = await channel.consume(queue, (delivery) => {
        if (delivery) {
          void this.#accept(channel, delivery, topic);
          return;
        }
        // basic.cancel from the broker (the queue was deleted): start over on a new channel,
        // which declares the queue again.
        this.#core.logger.warn({ queue }, 'rabbitmq consumer cancelled by the broker; reopening');
        void channel.close().catch(() => undefined);
      });
      this.#consumerTags.push(consumerTag);
    }
  }

  async #accept(channel: Channel, delivery: ConsumeMessage, topic: string): Promise<void> {
    if (this.#core.isPaused) {
      this.#held.push({ channel, delivery, topic });
      return;
    }
    await this.#core.submit(fromAmqp(delivery, topic), (outcome) => {
      if (outcome === 'abandoned' || this.#channel !== channel) return;
      try {
        channel.ack(delivery);
      } catch (error) {
        this.#core.logger.debug(
          { err: error },
          'ack on a closed channel; the message is redelivered',
        );
      }
    });
  }

  #markReady(): void {
    this.#ready?.();
    this.#ready = null;
  }
}
