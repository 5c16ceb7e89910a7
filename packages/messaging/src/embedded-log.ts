import { randomUUID } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { EMBEDDED_LOG_DEFAULTS } from './defaults.js';
import { messagingError } from './errors.js';
import { LogStore, type MessageRow } from './internal/log-store.js';
import { createMessage, normalizeBatch } from './internal/message.js';
import { Waiter, backoffMs } from './internal/waiter.js';
import type {
  MessageHandler,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  Transport,
} from './transport.js';

/** Options of {@link createEmbeddedLog}. */
export interface EmbeddedLogOptions {
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
  /** First delay before retrying a failed handler, in ms; doubles per attempt. @default 50 */
  retryBackoffInitialMs?: number;
  /** Longest delay between handler retries, in ms. @default 2000 */
  retryBackoffMaxMs?: number;
  /** Messages read per poll and topic. @default 100 */
  fetchBatchSize?: number;
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

type ResolvedOptions = Required<Omit<EmbeddedLogOptions, 'clock' | 'logger'>> & {
  clock: Clock;
  logger: Logger;
};

function resolveOptions(options: EmbeddedLogOptions): ResolvedOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) {
    throw messagingError('MSG_ERR_INVALID_OPTIONS', {
      details: { problems: ['options must be an object'] },
    });
  }
  const path = options.path;
  if (typeof path !== 'string' || path.trim() === '')
    problems.push('path must be a non-empty file path');
  else if (path === ':memory:' || path.startsWith('file::memory:') || /mode=memory/.test(path)) {
    problems.push('path must be a file: an in-memory database cannot be shared between processes');
  }
  const merged: Record<keyof typeof EMBEDDED_LOG_DEFAULTS, number> = { ...EMBEDDED_LOG_DEFAULTS };
  for (const name of Object.keys(EMBEDDED_LOG_DEFAULTS) as (keyof typeof EMBEDDED_LOG_DEFAULTS)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      problems.push(`${name} must be a positive number`);
    } else {
      merged[name] = value;
    }
  }
  if (problems.length > 0) {
    throw messagingError('MSG_ERR_INVALID_OPTIONS', {
      message: `Invalid embedded log options: ${problems.join('; ')}`,
      details: { problems },
    });
  }
  return Object.freeze({
    ...merged,
    path,
    clock: options.clock ?? systemClock,
    logger: (options.logger ?? createSilentLogger()).child({ component: 'embedded-log' }),
  });
}

interface TopicState {
  readonly topic: string;
  isHeld: boolean;
  /** Next offset to deliver while the lease is held. */
  position: number;
}

class EmbeddedSubscription implements Subscription {
  readonly #owner = randomUUID();
  readonly #log: EmbeddedLogTransport;
  readonly #store: LogStore;
  readonly #options: ResolvedOptions;
  readonly #groupId: string;
  readonly #handler: MessageHandler;
  readonly #fromBeginning: boolean;
  readonly #topics: TopicState[];
  readonly #idle = new Waiter();
  readonly #backoff = new Waiter();
  readonly #renewTimer: NodeJS.Timeout;
  readonly #logger: Logger;
  #isClosed = false;
  #closing: Promise<void> | null = null;
  #running: Promise<void> = Promise.resolve();

  constructor(
    log: EmbeddedLogTransport,
    store: LogStore,
    options: ResolvedOptions,
    sub: SubscribeOptions,
  ) {
    this.#log = log;
    this.#store = store;
    this.#options = options;
    this.#groupId = sub.groupId;
    this.#handler = sub.handler;
    this.#fromBeginning = sub.fromBeginning ?? true;
    this.#topics = [...new Set(sub.topics)].map((topic) => ({ topic, isHeld: false, position: 0 }));
    this.#logger = options.logger.child({ groupId: sub.groupId, member: this.#owner });
    this.#renewTimer = setInterval(() => this.#renewLeases(), Math.max(1, options.leaseMs / 3));
    this.#renewTimer.unref();
  }

  start(): void {
    this.#running = this.#run().catch((error: unknown) => {
      this.#logger.error({ err: error }, 'embedded log consumer stopped unexpectedly');
    });
  }

  /** Called when new messages may be available. */
  notify(): void {
    this.#idle.wake();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#isClosed = true;
    this.#idle.wake();
    this.#backoff.wake();
    await this.#running;
    clearInterval(this.#renewTimer);
    for (const state of this.#topics) {
      if (!state.isHeld) continue;
      state.isHeld = false;
      try {
        this.#store.release(this.#groupId, state.topic, this.#owner);
      } catch (error) {
        this.#logger.warn(
          { err: error, topic: state.topic },
          'lease release failed; it will expire',
        );
      }
    }
    this.#log.forget(this);
  }

  async #run(): Promise<void> {
    while (!this.#isClosed) {
      let hasProgressed = false;
      for (const state of this.#topics) {
        if (this.#isClosed) break;
        try {
          if (!state.isHeld && !this.#acquire(state)) continue;
          if (await this.#drain(state)) hasProgressed = true;
        } catch (error) {
          this.#logger.warn({ err: error, topic: state.topic }, 'embedded log poll failed');
        }
      }
      if (!hasProgressed && !this.#isClosed) await this.#idle.sleep(this.#options.pollIntervalMs);
    }
  }

  #acquire(state: TopicState): boolean {
    const { clock, leaseMs } = this.#options;
    if (!this.#store.tryAcquire(this.#groupId, state.topic, this.#owner, clock.now(), leaseMs))
      return false;
    const committed = this.#store.committed(this.#groupId, state.topic);
    if (committed === null && !this.#fromBeginning) {
      // A group created by another member with fromBeginning: false would have
      // a committed row; reaching here means the row was never written.
      this.#store.initAtHead(this.#groupId, state.topic);
    }
    state.position = this.#store.committed(this.#groupId, state.topic) ?? 0;
    state.isHeld = true;
    this.#logger.debug({ topic: state.topic, position: state.position }, 'lease acquired');
    return true;
  }

  /** Delivers one batch; true when at least one message was committed. */
  async #drain(state: TopicState): Promise<boolean> {
    const rows = this.#store.fetch(state.topic, state.position, this.#options.fetchBatchSize);
    let hasCommitted = false;
    for (const row of rows) {
      if (this.#isClosed || !state.isHeld) break;
      if (!(await this.#deliver(state, row))) break;
      const { clock, leaseMs } = this.#options;
      const next = row.offset + 1;
      if (
        !this.#store.commit(this.#groupId, state.topic, this.#owner, next, clock.now() + leaseMs)
      ) {
        state.isHeld = false;
        this.#logger.info(
          { topic: state.topic, offset: row.offset },
          'lease lost; offset not committed',
        );
        break;
      }
      state.position = next;
      hasCommitted = true;
    }
    return hasCommitted;
  }

  /** Calls the handler until it resolves (true) or the subscription stops or loses the lease (false). */
  async #deliver(state: TopicState, row: MessageRow): Promise<boolean> {
    const message = createMessage({
      id: row.id,
      topic: state.topic,
      key: row.key,
      headers: JSON.parse(row.headers) as Record<string, string>,
      payload: row.payload,
      offset: row.offset,
      timestamp: row.ts,
    });
    const { retryBackoffInitialMs, retryBackoffMaxMs } = this.#options;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#handler(message);
        return true;
      } catch (error) {
        this.#logger.warn(
          { err: error, topic: state.topic, offset: row.offset, messageId: row.id, attempt },
          'message handler failed; will retry',
        );
      }
      if (this.#isClosed || !state.isHeld) return false;
      await this.#backoff.sleep(backoffMs(attempt, retryBackoffInitialMs, retryBackoffMaxMs));
      if (this.#isClosed || !state.isHeld) return false;
    }
  }

  #renewLeases(): void {
    const expiresAt = this.#options.clock.now() + this.#options.leaseMs;
    for (const state of this.#topics) {
      if (!state.isHeld) continue;
      try {
        if (!this.#store.renew(this.#groupId, state.topic, this.#owner, expiresAt)) {
          state.isHeld = false;
          this.#logger.info({ topic: state.topic }, 'lease lost');
        }
      } catch (error) {
        this.#logger.warn({ err: error, topic: state.topic }, 'lease renewal failed');
      }
    }
  }
}

class EmbeddedLogTransport implements EmbeddedLog {
  readonly path: string;
  readonly #options: ResolvedOptions;
  readonly #store: LogStore;
  readonly #subscriptions = new Set<EmbeddedSubscription>();
  readonly #retentionTimer: NodeJS.Timeout;
  #watcher: FSWatcher | null = null;
  #isClosed = false;
  #closing: Promise<void> | null = null;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.path = options.path;
    this.#store = new LogStore(options.path, options.busyTimeoutMs);
    this.#retentionTimer = setInterval(
      () => this.#purgeInBackground(),
      options.retentionCheckIntervalMs,
    );
    this.#retentionTimer.unref();
    this.#purgeInBackground();
    this.#watch();
  }

  async publish(messages: OutgoingMessage | OutgoingMessage[]): Promise<void> {
    if (this.#isClosed)
      throw messagingError('MSG_ERR_CLOSED', { details: { component: 'embedded-log' } });
    const batch = normalizeBatch(messages);
    if (batch.length === 0) return;
    try {
      this.#store.append(batch, this.#options.clock.now());
    } catch (cause) {
      throw messagingError('MSG_ERR_PUBLISH_FAILED', { cause, details: { count: batch.length } });
    }
    for (const subscription of this.#subscriptions) subscription.notify();
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.#isClosed)
      throw messagingError('MSG_ERR_CLOSED', { details: { component: 'embedded-log' } });
    const problems: string[] = [];
    if (typeof options !== 'object' || options === null) problems.push('options must be an object');
    else {
      const { topics, groupId, handler, fromBeginning } = options;
      if (!Array.isArray(topics) || topics.length === 0)
        problems.push('topics must be a non-empty array');
      else if (topics.some((t) => typeof t !== 'string' || t.length === 0))
        problems.push('every topic must be a non-empty string');
      if (typeof groupId !== 'string' || groupId.length === 0)
        problems.push('groupId must be a non-empty string');
      if (typeof handler !== 'function') problems.push('handler must be a function');
      if (fromBeginning !== undefined && typeof fromBeginning !== 'boolean')
        problems.push('fromBeginning must be a boolean');
    }
    if (problems.length > 0) {
      throw messagingError('MSG_ERR_INVALID_OPTIONS', {
        message: `Invalid subscribe options: ${problems.join('; ')}`,
        details: { problems },
      });
    }
    if (options.fromBeginning === false) {
      for (const topic of new Set(options.topics)) this.#store.initAtHead(options.groupId, topic);
    }
    const subscription = new EmbeddedSubscription(this, this.#store, this.#options, options);
    this.#subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  purgeExpired(): number {
    if (this.#isClosed) return 0;
    const deleted = this.#store.purgeBefore(this.#options.clock.now() - this.#options.retentionMs);
    if (deleted > 0) this.#options.logger.debug({ deleted }, 'retention deleted messages');
    return deleted;
  }

  /** Removes a closed subscription. */
  forget(subscription: EmbeddedSubscription): void {
    this.#subscriptions.delete(subscription);
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
 * or expires (crash). The group's position is committed after each handler
 * resolves, so a crash before the commit redelivers that message.
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
