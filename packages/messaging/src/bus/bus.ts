import { randomUUID } from 'node:crypto';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { MessagingErrors, invalidOptions } from '../errors.js';
import type { Subscription } from '../transport.js';
import {
  encodeBusEvent,
  type EnvironmentChangeRemoteApplicationEvent,
  type RefreshRemoteApplicationEvent,
  type RemoteApplicationEvent,
  type ShutdownRemoteApplicationEvent,
} from './bus-event.js';
import { busHeaders } from './bus-headers.js';
import {
  BUS_DEFAULTS,
  type BusActivity,
  type BusHandlers,
  type BusOptions,
} from './bus-options.js';
import { receiveBusMessage, type ReceiverContext } from './bus-receiver.js';
import { createServiceMatcher, normalizeDestination, type ServiceMatcher } from './destination.js';

/** A Spring Cloud Bus participant. */
export interface Bus {
  /** This instance's bus id (`originService` of what it sends). */
  readonly id: string;
  /** The topic / exchange (`spring.cloud.bus.destination`). */
  readonly destination: string;
  /** Subscribes to the bus (every instance gets every event); idempotent. */
  start(): Promise<void>;
  /**
   * Sends a `RefreshRemoteApplicationEvent` (`POST /actuator/busrefresh[/{destination}]`) and,
   * when the destination includes this instance, refreshes here too; resolves after both.
   * `destination` is normalised as Spring does (`customers` → `customers:**`).
   * @throws StratusError `MSG_ERR_PUBLISH_FAILED`, `MSG_ERR_CLOSED`; the local refresh's error.
   */
  publishRefresh(destination?: string | null): Promise<RefreshRemoteApplicationEvent>;
  /**
   * Sends an `EnvironmentChangeRemoteApplicationEvent` (`POST /actuator/busenv`) and applies it
   * here when the destination includes this instance.
   * @throws StratusError `MSG_ERR_INVALID_MESSAGE` for values that are not strings, `MSG_ERR_PUBLISH_FAILED`, `MSG_ERR_CLOSED`.
   */
  publishEnvironmentChange(
    values: Readonly<Record<string, string>>,
    destination?: string | null,
  ): Promise<EnvironmentChangeRemoteApplicationEvent>;
  /**
   * Sends a `ShutdownRemoteApplicationEvent`; when it includes this instance, its shutdown
   * handler runs once the call has returned.
   * @throws StratusError `MSG_ERR_PUBLISH_FAILED`, `MSG_ERR_CLOSED`.
   */
  publishShutdown(destination?: string | null): Promise<ShutdownRemoteApplicationEvent>;
  /** Observes what the bus receives, sends and applies; returns the unsubscribe function. */
  observe(listener: (activity: BusActivity) => void): () => void;
  /** Unsubscribes; later publishes fail with `MSG_ERR_CLOSED`. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a Spring Cloud Bus participant on a Stratus transport: Spring's event JSON on the
 * `springCloudBus` topic (a Kafka topic, or a RabbitMQ topic exchange with one anonymous
 * exclusive queue per instance), Spring's message headers, destination matching with the
 * `:`-separated Ant patterns, acks. Events from this instance are not applied twice, events for
 * other destinations are ignored, and unreadable messages are logged once and skipped.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS` for a missing transport or id, or a bad destination.
 * @example
 * const bus = createBus({
 *   transport,
 *   id: defaultBusId((key) => config.getString(key), { localPort: 9000 }),
 *   handlers: { refresh: () => config.refresh() },
 * });
 * await bus.start();
 * await bus.publishRefresh('customers');   // every customers instance reloads its configuration
 */
export function createBus(options: BusOptions): Bus {
  return new BusParticipant(options);
}

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

class BusParticipant implements Bus {
  readonly id: string;
  readonly destination: string;
  readonly #options: BusOptions;
  readonly #matcher: ServiceMatcher;
  readonly #handlers: BusHandlers;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #observers = new Set<(activity: BusActivity) => void>();
  readonly #seen = new Set<string>();
  readonly #context: ReceiverContext;
  #subscription: Promise<Subscription> | null = null;
  #isClosed = false;
  #closing: Promise<void> | null = null;

  constructor(options: BusOptions) {
    const problems: string[] = [];
    if (typeof options?.transport?.subscribe !== 'function') problems.push('transport is required');
    if (typeof options?.id !== 'string' || options.id.trim() === '')
      problems.push('id must be a non-empty string');
    const destination = options?.destination ?? BUS_DEFAULTS.destination;
    if (!TOPIC.test(destination)) problems.push('destination must be 1-249 of [A-Za-z0-9._-]');
    if (problems.length > 0) throw invalidOptions('bus options', problems);
    this.#options = options;
    this.id = options.id;
    this.destination = destination;
    this.#matcher = createServiceMatcher(options.id, options.configNames ?? []);
    this.#handlers = { ...options.handlers };
    this.#clock = options.clock ?? systemClock;
    this.#logger = (options.logger ?? createSilentLogger()).child({ component: 'bus' });
    this.#context = this.#receiverContext();
  }

  start(): Promise<void> {
    if (this.#isClosed)
      return Promise.reject(MessagingErrors.CLOSED({ details: { component: 'bus' } }));
    this.#subscription ??= this.#options.transport.subscribe({
      topics: [this.destination],
      broadcast: true,
      name: 'springCloudBus',
      deadLetter: false,
      handler: (message) => receiveBusMessage(message, this.#context),
    });
    return this.#subscription.then(() => {
      this.#logger.info({ busId: this.id, destination: this.destination }, 'bus started');
    });
  }

  async publishRefresh(destination?: string | null): Promise<RefreshRemoteApplicationEvent> {
    const event: RefreshRemoteApplicationEvent = {
      type: 'RefreshRemoteApplicationEvent',
      ...this.#newFields(destination),
    };
    await this.#send(event);
    const refresh = this.#handlers.refresh;
    if (refresh) await this.#applyHere(event, () => refresh(event));
    return event;
  }

  async publishEnvironmentChange(
    values: Readonly<Record<string, string>>,
    destination?: string | null,
  ): Promise<EnvironmentChangeRemoteApplicationEvent> {
    const entries = Object.entries(values ?? {});
    if (entries.length === 0 || entries.some(([, value]) => typeof value !== 'string'))
      throw MessagingErrors.INVALID_MESSAGE({
        message: 'Environment change values must be a non-empty map of strings',
      });
    const event: EnvironmentChangeRemoteApplicationEvent = {
      type: 'EnvironmentChangeRemoteApplicationEvent',
      ...this.#newFields(destination),
      values: Object.fromEntries(entries),
    };
    await this.#send(event);
    const apply = this.#handlers.environmentChange;
    if (apply) await this.#applyHere(event, () => apply(event));
    return event;
  }

  async publishShutdown(destination?: string | null): Promise<ShutdownRemoteApplicationEvent> {
    const event: ShutdownRemoteApplicationEvent = {
      type: 'ShutdownRemoteApplicationEvent',
      ...this.#newFields(destination),
    };
    await this.#send(event);
    const shutdown = this.#handlers.shutdown;
    if (shutdown && this.#matcher.isForSelf(event.destinationService)) {
      this.#logger.warn({ origin: this.id }, 'shutdown requested on the bus; shutting down');
      setImmediate(() => {
        Promise.resolve()
          .then(() => shutdown(event))
          .catch((error: unknown) => this.#logger.error({ err: error }, 'bus shutdown failed'));
      });
    }
    return event;
  }

  observe(listener: (activity: BusActivity) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    const subscription = await this.#subscription?.catch(() => null);
    await subscription?.close();
  }

  /** Spring publishes a bus event locally too: the sender applies it when it is addressed. */
  async #applyHere(
    event: RemoteApplicationEvent,
    apply: () => Promise<readonly string[]>,
  ): Promise<void> {
    if (!this.#matcher.isForSelf(event.destinationService)) return;
    try {
      this.#report({ kind: 'applied', event, changed: await apply() });
    } catch (error) {
      this.#report({ kind: 'failed', event, error });
      throw error;
    }
  }

  #newFields(destination: string | null | undefined) {
    return {
      id: randomUUID(),
      originService: this.id,
      destinationService: normalizeDestination(destination ?? null),
      timestamp: this.#clock.now(),
    };
  }

  /** Publishes on the bus; acks still leave while the subscription drains (`isAck`). */
  async #send(event: RemoteApplicationEvent, isAck = false): Promise<void> {
    if (this.#isClosed && !isAck) throw MessagingErrors.CLOSED({ details: { component: 'bus' } });
    const { transport } = this.#options;
    await transport.publish({
      topic: this.destination,
      id: event.id,
      headers: busHeaders(transport.kind),
      payload: encodeBusEvent(event),
    });
    this.#report({ kind: 'sent', event });
    if (this.#options.trace?.enabled === true && event.type !== 'AckRemoteApplicationEvent')
      this.#logger.info(
        {
          signal: 'spring.cloud.bus.sent',
          type: event.type,
          id: event.id,
          destination: event.destinationService,
        },
        'bus event sent',
      );
  }

  #report(activity: BusActivity): void {
    for (const observer of this.#observers) {
      try {
        observer(activity);
      } catch (error) {
        this.#logger.warn({ err: error }, 'bus observer failed');
      }
    }
  }

  #receiverContext(): ReceiverContext {
    const { ack, trace } = this.#options;
    return {
      matcher: this.#matcher,
      handlers: this.#handlers,
      isAckEnabled: ack?.enabled ?? BUS_DEFAULTS.ackEnabled,
      isTraceEnabled: trace?.enabled ?? BUS_DEFAULTS.traceEnabled,
      ackDestination: normalizeDestination(ack?.destinationService ?? null),
      logger: this.#logger,
      now: () => this.#clock.now(),
      newId: () => randomUUID(),
      publish: (event) => this.#send(event, true),
      report: (activity) => this.#report(activity),
      isFirstDelivery: (eventId) => this.#remember(eventId),
    };
  }

  /** True the first time; remembers the last `seenEventIds` ids (insertion order evicts). */
  #remember(eventId: string): boolean {
    if (this.#seen.has(eventId)) return false;
    this.#seen.add(eventId);
    if (this.#seen.size > BUS_DEFAULTS.seenEventIds) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }
}
