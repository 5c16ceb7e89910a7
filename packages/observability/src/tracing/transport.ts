import { globalObservability } from '../global.js';
import type { Metrics } from '../metrics.js';
import { startProducerSpan, withConsumerSpan, type TracedMessage } from './messaging.js';
import type { Tracing } from './tracing.js';

/** What {@link instrumentTransport} needs of a message transport (`@stratus/messaging`'s `Transport`). */
export interface InstrumentableTransport {
  publish(messages: OutgoingLike | OutgoingLike[]): Promise<void>;
  subscribe(options: {
    topics: string[];
    /** Absent for a broadcast subscription. */
    groupId?: string;
    handler: (message: TracedMessage) => Promise<void>;
  }): Promise<unknown>;
}

/** An outgoing message as transports take it. */
export interface OutgoingLike extends TracedMessage {
  readonly payload: unknown;
}

/** Options of {@link instrumentTransport}. */
export interface TransportInstrumentationOptions {
  tracing: Tracing | null;
  metrics?: Metrics | null;
  /** `messaging.system`: `kafka`, `rabbitmq`, `stratus` (the embedded log). */
  system: string;
}

/**
 * Wraps a transport so every publish runs in a PRODUCER span per message (its context written
 * into the message headers, so it travels with the message on any transport) and every
 * delivered message is handled in a CONSUMER span continuing that trace; both also record
 * Spring Kafka's `spring.kafka.template` / `spring.kafka.listener` timers. Everything else
 * passes through to the transport unchanged.
 *
 * @example
 * const transport = instrumentTransport(createEmbeddedLog({ path }), { tracing, metrics, system: 'stratus' });
 */
export function instrumentTransport<T extends InstrumentableTransport>(
  transport: T,
  options: TransportInstrumentationOptions,
): T {
  const scope = {
    tracing: options.tracing,
    metrics: options.metrics ?? globalObservability().metrics,
    system: options.system,
  };
  const publish = async (messages: OutgoingLike | OutgoingLike[]): Promise<void> => {
    await publishBatch(transport, Array.isArray(messages) ? messages : [messages], scope);
  };
  const subscribe: InstrumentableTransport['subscribe'] = (subscription) =>
    transport.subscribe({
      ...subscription,
      handler: (message) =>
        withConsumerSpan(message, () => subscription.handler(message), {
          ...scope,
          ...(subscription.groupId === undefined ? {} : { group: subscription.groupId }),
        }),
    });
  return new Proxy(transport, {
    get(target, property) {
      if (property === 'publish') return publish;
      if (property === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

/** One producer span per message, all ended when the single transport call settles. */
async function publishBatch(
  transport: InstrumentableTransport,
  batch: OutgoingLike[],
  scope: { tracing: Tracing | null; metrics: Metrics | null; system: string },
): Promise<void> {
  const handles = batch.map((message) => startProducerSpan(message, scope));
  try {
    await transport.publish(
      batch.map((message, i) => ({ ...message, headers: handles[i]!.headers })),
    );
  } catch (error) {
    for (const handle of handles) handle.end(error ?? new Error('publish failed'));
    throw error;
  }
  for (const handle of handles) handle.end();
}
