import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { EMBEDDED_LOG_DEFAULTS } from './defaults.js';
import { MessagingErrors, invalidOptions } from './errors.js';
import { EmbeddedSubscription } from './internal/embedded-subscription.js';
import { LogStore } from './internal/log-store.js';
import { normalizeBatch } from './internal/message.js';
import { resolveSubscription } from './internal/subscribe-options.js';
import { SubscriptionCore } from './internal/subscription-core.js';
import { consumerDefaults, type ConsumerDefaults } from './consumer-defaults.js';
import { MessagingMeters, type MetersOptions } from './metrics.js';
import type {
  OutgoingMessage,
  SubscribeOptions,
  PausableSubscription,
  Transport,
  TransportHealth,
} from './transport.js';

/** Options of {@link createEmbeddedLog}. */
export interface EmbeddedLogOptions extends MetersOptions {
  /**
   * SQLite file shared by every local process, e.g. `./data/events.db`; its
   * folder is created. `:memory:` and `''` are rejected: they cannot be shared.
   */
  path: string;
  /** How often an idle consumer polls, in ms. @default 100 */
  pollIntervalMs?: number;
  /** Messages older than this are deleted, in ms. @default 604800000 (7 days) */
  retentionMs?: number;
  /** How often retention runs, in ms. @default 60000 */
  retentionCheckIntervalMs?: number;
  /** Consumer-group lease duration, in ms; renewed every `leaseMs / 3` while held. @default 10000 */
  leaseMs?: number;
  /** SQLite `busy_timeout`, in ms. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * First delay before retrying a failed handler, in ms; multiplied by `consumer.retry.multiplier`
   * per attempt. Shorthand for `consumer.retry.initialIntervalMs`. @default 50
   */
  retryBackoffInitialMs?: number;
  /** Longest delay between handler retries, in ms (`consumer.retry.maxIntervalMs`). @default 2000 */
  retryBackoffMaxMs?: number;
  /** Messages read per poll and topic. @default 100 */
  fetchBatchSize?: number;
  /** Defaults of every subscription (start position, concurrency, retry). */
  consumer?: ConsumerDefaults;
  /** Time source for message timestamps, leases and retention. @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** The embedded log: a {@link Transport} plus maintenance hooks. */
export interface EmbeddedLog extends Transport {
  /** The SQLite file this log uses. */
  readonly path: string;
  /** Runs retention now (it also runs periodically); returns the number of messages deleted. */
  purgeExpired(): number;
}

type NumericOption = keyof typeof EMBEDDED_LOG_DEFAULTS;
type ResolvedOptions = Record<NumericOption, number> & {
  path: string;
  clock: Clock;
  logger: Logger;
  consumer: ConsumerDefaults;
  meters: MetersOptions;
};

function resolveOptions(options: EmbeddedLogOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOptions('embedded log options', ['options must be an object']);
  }
  const problems: string[] = [];
  const path = options.path;
  if (typeof path !== 'string' || path.trim() === '')
    problems.push('path must be a non-empty file path');
  else if (path === ':memory:' || path.startsWith('file::memory:') || /mode=memory/.test(path)) {
    problems.push('path must be a file: an in-memory database cannot be shared between processes');
  }
  const merged: Record<NumericOption, number> = { ...EMBEDDED_LOG_DEFAULTS };
  for (const name of Object.keys(EMBEDDED_LOG_DEFAULTS) as NumericOption[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push(`${name} must be a positive number`);
    } else {
      merged[name] = value;
    }
  }
  if (problems.length > 0) throw invalidOptions('embedded log options', problems);
  return Object.freeze({
    ...merged,
    path,
    clock: options.clock ?? systemClock,
    logger: (options.logger ?? createSilentLogger()).child({ component: 'embedded-log' }),
    consumer: {
      ...options.consumer,
      retry: {
        initialIntervalMs: merged.retryBackoffInitialMs,
        maxIntervalMs: merged.retryBackoffMaxMs,
        ...options.consumer?.retry,
      },
    },
    meters: { registry: options.registry, recordTimers: options.recordTimers },
  });
}

class EmbeddedLogTransport implements EmbeddedLog {
  readonly kind = 'embedded';
  readonly path: string;
  readonly #options: ResolvedOptions;
  readonly #store: LogStore;
  readonly #meters: MessagingMeters;
  readonly #defaults;
  readonly #subscriptions = new Set<EmbeddedSubscription>();
  readonly #retentionTimer: NodeJS.Timeout;
  #watcher: FSWatcher | null = null;
  #isClosed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.path = options.path;
    this.#defaults = consumerDefaults(options.consumer, 'embedded log options');
    this.#store = new LogStore(options.path, options.busyTimeoutMs);
    this.#meters = new MessagingMeters(options.meters, 'embedded', 'embedded-log');
    this.#retentionTimer = setInterval(
      () => this.#purgeInBackground(),
      options.retentionCheckIntervalMs,
    );
    this.#retentionTimer.unref();
    this.#purgeInBackground();
    this.#watch();
  }

  async publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'embedded-log' } });
    const batch = normalizeBatch(messages);
    if (batch.length === 0) return;
    const started = performance.now();
    try {
      this.#store.append(batch, this.#options.clock.now());
    } catch (cause) {
      this.#meters.recordPublish((performance.now() - started) / 1000, 'MSG_ERR_PUBLISH_FAILED');
      throw MessagingErrors.PUBLISH_FAILED({ cause, details: { count: batch.length } });
    }
    this.#meters.recordPublish((performance.now() - started) / 1000, null);
    for (const subscription of this.#subscriptions) subscription.notify();
  }

  async subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<PausableSubscription> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'embedded-log' } });
    const settings = resolveSubscription(options as SubscribeOptions<unknown>, this.#defaults);
    const groupId = settings.groupId ?? `anonymous.${randomUUID()}`;
    if (!settings.fromBeginning) {
      for (const topic of settings.topics) this.#store.initAtHead(groupId, topic);
    }
    const core = new SubscriptionCore(settings, groupId, {
      publish: (message) => this.publish(message),
      meters: this.#meters,
      logger: this.#options.logger,
    });
    let removeLag = (): void => undefined;
    const subscription = new EmbeddedSubscription(core, this.#store, this.#options, () => {
      this.#subscriptions.delete(subscription);
      removeLag();
      if (settings.isBroadcast) this.#forgetGroup(groupId);
    });
    removeLag = this.#meters.addLagSource(() => subscription.lag());
    this.#subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async health(): Promise<TransportHealth> {
    if (this.#isClosed) return { status: 'DOWN', details: { error: 'closed' } };
    try {
      this.#store.ping();
      return { status: 'UP', details: { transport: 'embedded', path: this.path } };
    } catch (error) {
      return { status: 'DOWN', details: { transport: 'embedded', error: (error as Error).name } };
    }
  }

  purgeExpired(): number {
    if (this.#isClosed) return 0;
    const deleted = this.#store.purgeBefore(this.#options.clock.now() - this.#options.retentionMs);
    if (deleted > 0) this.#options.logger.debug({ deleted }, 'retention deleted messages');
    return deleted;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    clearInterval(this.#retentionTimer);
    this.#watcher?.close();
    this.#watcher = null;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    this.#store.close();
  }

  #forgetGroup(groupId: string): void {
    try {
      this.#store.deleteGroup(groupId);
    } catch (error) {
      this.#options.logger.debug({ err: error, groupId }, 'broadcast group cleanup failed');
    }
  }

  #purgeInBackground(): void {
    try {
      this.purgeExpired();
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'retention failed');
    }
  }

  /** Wakes consumers early when another process writes (best effort; polling remains the guarantee). */
  #watch(): void {
    try {
      this.#watcher = watch(`${this.path}-wal`, { persistent: false }, () => {
        for (const subscription of this.#subscriptions) subscription.notify();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch (error) {
      this.#options.logger.debug({ err: error }, 'file watch unavailable; polling only');
    }
  }
}

/**
 * Opens the embedded durable log: a {@link Transport} over one SQLite file in
 * WAL mode that several local processes share.
 *
 * Consumer groups are **single-active-member, not partitioned**: for each
 * (group, topic) one member holds a lease row and consumes; the other members
 * of the group stand by and take over when the lease is released (`close()`)
 * or expires (crash). The group's position is committed as handler calls
 * resolve (a contiguous run of them with `concurrency` > 1), so a crash before
 * the commit redelivers those messages. Failing messages are retried, then
 * written to `<topic>.DLT` in the same log.
 *
 * For development and tests; it does not pretend to be a distributed system.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`, `MSG_ERR_STORE_UNAVAILABLE`
 * @example
 * const log = createEmbeddedLog({ path: './data/events.db' });
 * await log.subscribe({ topics: ['order.created'], groupId: 'inventory', handler: async (m) => reserve(m.json()) });
 * await log.publish({ topic: 'order.created', key: orderId, payload: JSON.stringify(order) });
 */
export function createEmbeddedLog(options: EmbeddedLogOptions): EmbeddedLog {
  return new EmbeddedLogTransport(resolveOptions(options));
}
