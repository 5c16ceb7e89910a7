import { randomUUID } from 'node:crypto';
import { MessagingErrors } from '../errors.js';
import { errorTypeName } from '../dead-letter.js';
import { normalizeBatch } from '../internal/message.js';
import { publishMeasured } from '../internal/measured-publish.js';
import { deadLetterTopic } from '../internal/names.js';
import { resolveSubscription } from '../internal/subscribe-options.js';
import { SubscriptionCore } from '../internal/subscription-core.js';
import { MessagingMeters } from '../metrics.js';
import type {
  OutgoingMessage,
  PausableSubscription,
  SubscribeOptions,
  Transport,
  TransportHealth,
} from '../transport.js';
import { KafkaAdmin } from './kafka-clients.js';
import {
  resolveKafkaOptions,
  type KafkaTransportOptions,
  type ResolvedKafkaOptions,
} from './kafka-options.js';
import { KafkaProducer } from './kafka-producer.js';
import { KafkaSubscription } from './kafka-subscription.js';

/** How long a health probe may take, in ms. */
const HEALTH_TIMEOUT_MS = 2_000;

class KafkaTransport implements Transport {
  readonly kind = 'kafka';
  readonly #options: ResolvedKafkaOptions;
  readonly #producer: KafkaProducer;
  readonly #admin: KafkaAdmin;
  readonly #meters: MessagingMeters;
  readonly #subscriptions = new Set<KafkaSubscription>();
  #isClosed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ResolvedKafkaOptions) {
    this.#options = options;
    this.#producer = new KafkaProducer(options, options.logger);
    this.#admin = new KafkaAdmin(options);
    this.#meters = new MessagingMeters(options.meters, 'kafka', options.clientId);
  }

  async publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'kafka' } });
    const batch = normalizeBatch(messages);
    if (batch.length === 0) return;
    await publishMeasured(
      this.#meters,
      batch.length,
      async () => {
        await this.#admin.ensureTopics(batch.map((m) => m.topic));
        await this.#producer.send(batch);
      },
      'Kafka did not acknowledge the messages',
    );
  }

  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<PausableSubscription> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'kafka' } });
    const settings = resolveSubscription(
      options as SubscribeOptions<unknown>,
      this.#options.subscriptionDefaults,
    );
    // Spring Cloud Stream names a consumer without a group `anonymous.<uuid>`, starting at latest.
    const groupId = settings.groupId ?? `anonymous.${randomUUID()}`;
    const topics = settings.isDeadLetterOn
      ? [...settings.topics, ...settings.topics.map(deadLetterTopic)]
      : settings.topics;
    await this.#admin.ensureTopics(topics).catch((error: unknown) => {
      this.#options.logger.warn({ err: error }, 'kafka topics could not be created yet');
    });
    const core = new SubscriptionCore(settings, groupId, {
      publish: (message) => this.publish(message),
      meters: this.#meters,
      logger: this.#options.logger,
    });
    let removeLag = (): void => undefined;
    const subscription = new KafkaSubscription(core, this.#options, async () => {
      this.#subscriptions.delete(subscription);
      removeLag();
      if (settings.isBroadcast) await this.#admin.deleteGroup(groupId);
    });
    removeLag = this.#meters.addLagSource(() => subscription.lag());
    this.#subscriptions.add(subscription);
    await subscription.start();
    return subscription;
  }

  async health(): Promise<TransportHealth> {
    const details: Record<string, unknown> = {
      transport: 'kafka',
      bootstrapServers: this.#options.bootstrapServers,
    };
    if (this.#isClosed) return { status: 'DOWN', details: { ...details, error: 'closed' } };
    let timer: NodeJS.Timeout | undefined;
    try {
      const probe = await Promise.race([
        this.#admin.probe(),
        new Promise<never>((_, reject) => {
          // Not unref'ed: the caller awaits this bounded wait.
          timer = setTimeout(() => reject(new Error('timeout')), HEALTH_TIMEOUT_MS);
        }),
      ]);
      const subscriptions = [...this.#subscriptions];
      return {
        status: 'UP',
        details: {
          ...details,
          ...probe,
          consumers: subscriptions.length,
          consumersConnected: subscriptions.filter((s) => s.isConnected).length,
        },
      };
    } catch (error) {
      return { status: 'DOWN', details: { ...details, error: errorTypeName(error) } };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#isClosed = true;
      await Promise.all([...this.#subscriptions].map((s) => s.close()));
      await this.#producer.close();
      await this.#admin.close();
    })();
    return this.#closing;
  }
}

/**
 * Creates the Kafka transport (Spring Kafka's `KafkaTemplate` and `@KafkaListener` containers
 * in one): an idempotent producer with `acks=all`, one consumer group member per subscription
 * with manual commits after the handler, retry then `<topic>.DLT`, reconnection with backoff.
 * Keys are UTF-8 strings and payloads raw bytes, as Spring's `StringSerializer` and
 * `JsonSerializer` write them. Nothing connects until the first publish or subscribe.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`
 * @example
 * const kafka = createKafkaTransport({ bootstrapServers: ['127.0.0.1:9092'], clientId: 'order-service' });
 * await kafka.subscribe({ topics: ['example-catalog-topic'], groupId: 'catalog-service', handler });
 * await kafka.publish({ topic: 'example-catalog-topic', key: orderId, payload: JSON.stringify(order) });
 */
export function createKafkaTransport(options: KafkaTransportOptions): Transport {
  return new KafkaTransport(resolveKafkaOptions(options));
}
