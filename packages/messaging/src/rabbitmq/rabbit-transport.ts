import { MessagingErrors } from '../errors.js';
import { errorTypeName } from '../dead-letter.js';
import { normalizeBatch } from '../internal/message.js';
import { publishMeasured } from '../internal/measured-publish.js';
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
import { RabbitConnection } from './rabbit-connection.js';
import {
  resolveRabbitOptions,
  type RabbitTransportOptions,
  type ResolvedRabbitOptions,
} from './rabbit-options.js';
import { RabbitPublisher } from './rabbit-publisher.js';
import { RabbitSubscription } from './rabbit-subscription.js';

class RabbitTransport implements Transport {
  readonly kind = 'rabbitmq';
  readonly #options: ResolvedRabbitOptions;
  readonly #connection: RabbitConnection;
  readonly #publisher: RabbitPublisher;
  readonly #meters: MessagingMeters;
  readonly #subscriptions = new Set<RabbitSubscription>();
  #isClosed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ResolvedRabbitOptions) {
    this.#options = options;
    this.#connection = new RabbitConnection(options);
    this.#publisher = new RabbitPublisher(options, this.#connection);
    this.#meters = new MessagingMeters(options.meters, 'rabbitmq', options.connectionName);
  }

  async publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'rabbitmq' } });
    const batch = normalizeBatch(messages);
    if (batch.length === 0) return;
    await publishMeasured(
      this.#meters,
      batch.length,
      () => this.#publisher.publish(batch),
      'RabbitMQ did not confirm the messages',
    );
  }

  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<PausableSubscription> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'rabbitmq' } });
    const settings = resolveSubscription(
      options as SubscribeOptions<unknown>,
      this.#options.subscriptionDefaults,
    );
    const groupId = settings.groupId ?? 'anonymous';
    const core = new SubscriptionCore(settings, groupId, {
      publish: (message) => this.publish(message),
      meters: this.#meters,
      logger: this.#options.logger,
      // The broker already bounds unacknowledged deliveries to `prefetch`; hold them all.
      maxPending: this.#options.prefetch + settings.concurrency,
    });
    let removeLag = (): void => undefined;
    const subscription = new RabbitSubscription(
      core,
      this.#connection,
      this.#options.prefetch,
      () => {
        this.#subscriptions.delete(subscription);
        removeLag();
      },
    );
    removeLag = this.#meters.addLagSource(() => subscription.lag());
    this.#subscriptions.add(subscription);
    await subscription.start(this.#options.connectionTimeoutMs);
    return subscription;
  }

  async health(): Promise<TransportHealth> {
    const details: Record<string, unknown> = {
      transport: 'rabbitmq',
      host: this.#options.host,
      port: this.#options.port,
    };
    if (this.#isClosed) return { status: 'DOWN', details: { ...details, error: 'closed' } };
    try {
      await this.#connection.ready(Math.min(2_000, this.#options.connectionTimeoutMs));
    } catch {
      return {
        status: 'DOWN',
        details: { ...details, error: this.#connection.lastError ?? 'unreachable' },
      };
    }
    const subscriptions = [...this.#subscriptions];
    return {
      status: 'UP',
      details: {
        ...details,
        version: this.#connection.serverVersion,
        consumers: subscriptions.length,
        consumersConnected: subscriptions.filter((s) => s.isConnected).length,
      },
    };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#isClosed = true;
      await Promise.all([...this.#subscriptions].map((s) => s.close()));
      await this.#connection.close();
    })();
    return this.#closing;
  }
}

/**
 * Creates the RabbitMQ transport (Spring AMQP / Spring Cloud Stream Rabbit binder semantics):
 * a topic exchange per topic, one durable queue per consumer group, publisher confirms,
 * `prefetch` unacknowledged messages per consumer, manual acks after the handler, retry then a
 * dead-letter exchange `<topic>.DLT`, reconnection with backoff. RabbitMQ has no offsets: a new
 * group's queue starts empty whatever `fromBeginning` says, and ordering holds per queue
 * consumer (one member per group keeps per-key order across the group).
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`
 * @example
 * const rabbit = createRabbitTransport({ host: '127.0.0.1', username: 'guest', password: 'guest' });
 * await rabbit.subscribe({ topics: ['springCloudBus'], broadcast: true, handler: onBusEvent });
 */
export function createRabbitTransport(options: RabbitTransportOptions = {}): Transport {
  return new RabbitTransport(resolveRabbitOptions(options));
}
