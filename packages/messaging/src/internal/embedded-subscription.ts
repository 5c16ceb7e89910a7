import { randomUUID } from 'node:crypto';
import type { Clock, Logger } from '@stratus/core';
import type { LagSample } from '../metrics.js';
import type { PausableSubscription } from '../transport.js';
import type { LogStore, MessageRow } from './log-store.js';
import { createMessage } from './message.js';
import { OffsetTracker, type TrackedOffset } from './offset-tracker.js';
import type { SubscriptionCore } from './subscription-core.js';
import { Waiter } from './waiter.js';

/** Settings of the embedded log a subscription needs. */
export interface EmbeddedSubscriptionSettings {
  clock: Clock;
  leaseMs: number;
  pollIntervalMs: number;
  fetchBatchSize: number;
}

interface TopicState {
  readonly topic: string;
  isHeld: boolean;
  /** Next offset to read while the lease is held. */
  position: number;
}

/**
 * One subscription on the embedded log. Groups are single-active-member per topic: the member
 * holding the (group, topic) lease reads; the others stand by until it is released or expires.
 */
export class EmbeddedSubscription implements PausableSubscription {
  readonly #owner = randomUUID();
  readonly #core: SubscriptionCore;
  readonly #store: LogStore;
  readonly #settings: EmbeddedSubscriptionSettings;
  readonly #topics: TopicState[];
  readonly #tracker = new OffsetTracker<null>();
  readonly #idle = new Waiter();
  readonly #renewTimer: NodeJS.Timeout;
  readonly #logger: Logger;
  readonly #onClosed: () => void;
  #running: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;

  constructor(
    core: SubscriptionCore,
    store: LogStore,
    settings: EmbeddedSubscriptionSettings,
    onClosed: () => void,
  ) {
    this.#core = core;
    this.#store = store;
    this.#settings = settings;
    this.#onClosed = onClosed;
    this.#topics = core.settings.topics.map((topic) => ({ topic, isHeld: false, position: 0 }));
    this.#logger = core.logger.child({ member: this.#owner });
    this.#renewTimer = setInterval(() => this.#renewLeases(), Math.max(1, settings.leaseMs / 3));
    this.#renewTimer.unref();
  }

  get isPaused(): boolean {
    return this.#core.isPaused;
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

  pause(): void {
    this.#core.pause();
  }

  resume(): void {
    this.#core.resume();
    this.#idle.wake();
  }

  /** Lag of each topic this member reads: head minus the group's committed offset. */
  async lag(): Promise<LagSample[]> {
    return this.#topics
      .filter((state) => state.isHeld)
      .map((state) => ({
        topic: state.topic,
        partition: 0,
        group: this.#core.groupId,
        lag: Math.max(
          0,
          this.#store.head(state.topic) -
            (this.#store.committed(this.#core.groupId, state.topic) ?? 0),
        ),
      }));
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#core.stop();
    this.#idle.wake();
    await this.#running;
    await this.#core.stopAndDrain();
    clearInterval(this.#renewTimer);
    for (const state of this.#topics) {
      if (!state.isHeld) continue;
      state.isHeld = false;
      try {
        this.#store.release(this.#core.groupId, state.topic, this.#owner);
      } catch (error) {
        this.#logger.warn(
          { err: error, topic: state.topic },
          'lease release failed; it will expire',
        );
      }
    }
    this.#onClosed();
  }

  async #run(): Promise<void> {
    while (!this.#core.isStopping) {
      await this.#core.whilePaused();
      let hasProgressed = false;
      for (const state of this.#topics) {
        if (this.#core.isStopping || this.#core.isPaused) break;
        try {
          if (!state.isHeld && !this.#acquire(state)) continue;
          if (await this.#read(state)) hasProgressed = true;
        } catch (error) {
          this.#logger.warn({ err: error, topic: state.topic }, 'embedded log poll failed');
        }
      }
      if (!hasProgressed && !this.#core.isStopping) {
        await this.#idle.sleep(this.#settings.pollIntervalMs);
      }
    }
  }

  #acquire(state: TopicState): boolean {
    const { clock, leaseMs } = this.#settings;
    const groupId = this.#core.groupId;
    if (!this.#store.tryAcquire(groupId, state.topic, this.#owner, clock.now(), leaseMs))
      return false;
    if (
      this.#store.committed(groupId, state.topic) === null &&
      !this.#core.settings.fromBeginning
    ) {
      // A group created by another member with fromBeginning: false would have a committed
      // row; reaching here means the row was never written.
      this.#store.initAtHead(groupId, state.topic);
    }
    state.position = this.#store.committed(groupId, state.topic) ?? 0;
    state.isHeld = true;
    this.#tracker.forget(state.topic);
    this.#logger.debug({ topic: state.topic, position: state.position }, 'lease acquired');
    return true;
  }

  /** Hands one batch to the dispatcher; true when it held any message. */
  async #read(state: TopicState): Promise<boolean> {
    const rows = this.#store.fetch(state.topic, state.position, this.#settings.fetchBatchSize);
    for (const row of rows) {
      if (this.#core.isStopping || this.#core.isPaused || !state.isHeld) break;
      const entry = this.#tracker.track(state.topic, BigInt(row.offset), null);
      state.position = row.offset + 1;
      if (entry === null) continue;
      const message = this.#toMessage(state.topic, row);
      await this.#core.submit(message, (outcome) => {
        if (outcome !== 'abandoned') this.#commit(state, entry);
      });
    }
    return rows.length > 0;
  }

  #toMessage(topic: string, row: MessageRow) {
    return createMessage({
      id: row.id,
      topic,
      key: row.key,
      headers: JSON.parse(row.headers) as Record<string, string>,
      payload: row.payload,
      offset: row.offset,
      timestamp: row.ts,
    });
  }

  /**
   * Commits at once when the finished message moves its topic's contiguous head: deferring it
   * would let a handler that only awaits resolved promises (a synchronous SQLite driver) run a
   * whole stream without a commit, and a crash would redeliver all of it.
   */
  #commit(state: TopicState, entry: TrackedOffset<null>): void {
    const head = this.#tracker.complete(entry);
    if (head === null || !state.isHeld) return;
    const { clock, leaseMs } = this.#settings;
    const next = Number(head.offset) + 1;
    try {
      if (
        this.#store.commit(
          this.#core.groupId,
          state.topic,
          this.#owner,
          next,
          clock.now() + leaseMs,
        )
      )
        return;
      this.#logger.info(
        { topic: state.topic, offset: next - 1 },
        'lease lost; offset not committed',
      );
    } catch (error) {
      this.#logger.warn({ err: error, topic: state.topic }, 'offset commit failed');
    }
    this.#loseLease(state);
  }

  #loseLease(state: TopicState): void {
    state.isHeld = false;
    this.#tracker.forget(state.topic);
    this.#core.dispatcher.discard((task) => task.lane.startsWith(`${state.topic}\0`));
  }

  #renewLeases(): void {
    const expiresAt = this.#settings.clock.now() + this.#settings.leaseMs;
    for (const state of this.#topics) {
      if (!state.isHeld) continue;
      try {
        if (!this.#store.renew(this.#core.groupId, state.topic, this.#owner, expiresAt)) {
          this.#logger.info({ topic: state.topic }, 'lease lost');
          this.#loseLease(state);
        }
      } catch (error) {
        this.#logger.warn({ err: error, topic: state.topic }, 'lease renewal failed');
      }
    }
  }
}
