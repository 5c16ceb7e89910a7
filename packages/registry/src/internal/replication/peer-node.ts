import type { Clock, Logger } from '@stratus/core';
import type { PeerStatus } from '../../replication-types.js';
import type { PeerClient } from './peer-client.js';
import { PeerQueue } from './peer-queue.js';
import type { ReplicationItem } from './replication-item.js';
import type { ReplicationSettings } from './replication-settings.js';

/** What a {@link PeerNode} works with. */
export interface PeerNodeContext {
  readonly settings: () => ReplicationSettings;
  readonly clock: Clock;
  readonly log: Logger;
  /** Sends one batch from the node's queue. */
  readonly send: (node: PeerNode) => Promise<void>;
  readonly isClosed: () => boolean;
}

/**
 * One peer (Netflix `PeerEurekaNode`): its queue, its health, and the timer that sends the
 * next batch — after the batching delay, at once when a batch is full, after an exponential
 * backoff while the peer fails.
 */
export class PeerNode {
  readonly client: PeerClient;
  readonly queue: PeerQueue;
  /** Instances registered from this peer by the start-up sync, or null. */
  syncedInstances: number | null = null;
  #failures = 0;
  #lastSuccessMs = 0;
  #lastFailureMs = 0;
  #lastError: string | null = null;
  #sending: Promise<void> | null = null;
  #timer: NodeJS.Timeout | undefined;
  readonly #context: PeerNodeContext;

  constructor(client: PeerClient, context: PeerNodeContext) {
    this.client = client;
    this.#context = context;
    this.queue = new PeerQueue(() => context.settings().maxQueueSize);
  }

  get url(): string {
    return this.client.endpoint.url;
  }

  /** The batch in flight, or null. */
  get sending(): Promise<void> | null {
    return this.#sending;
  }

  /** Whether the last request failed and the queue waits for a retry. */
  get isFailing(): boolean {
    return this.#failures > 0;
  }

  /** Queues a task and schedules a send. */
  enqueue(item: ReplicationItem): void {
    if (this.#context.isClosed()) return;
    this.#reportDropped(this.queue.push(item));
    this.schedule();
  }

  /** Puts a batch that failed transiently back in front of the queue. */
  putBack(batch: readonly ReplicationItem[]): void {
    if (this.#context.isClosed()) return;
    this.#reportDropped(this.queue.putBack(batch));
  }

  /** Schedules the next send unless one is pending or in flight. */
  schedule(delayMs?: number): void {
    const { settings, isClosed, send } = this.#context;
    if (
      isClosed() ||
      this.#sending !== null ||
      this.#timer !== undefined ||
      this.queue.length === 0
    )
      return;
    const { maxBatchSize, batchDelayMs } = settings();
    const delay = delayMs ?? (this.queue.length >= maxBatchSize ? 0 : batchDelayMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sending = send(this).finally(() => {
        this.#sending = null;
        this.schedule(this.#failures > 0 ? this.#backoffMs() : undefined);
      });
    }, delay).unref();
  }

  /** Sends now rather than after the pending delay or backoff. */
  sendNow(): void {
    if (this.#sending !== null) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.schedule(0);
  }

  markFailure(reason: string): void {
    this.#lastFailureMs = this.#context.clock.now();
    this.#lastError = reason;
    this.#failures += 1;
    if (this.#failures === 1)
      this.#context.log.warn({ peer: this.url, reason }, 'peer replication failing, will retry');
  }

  /** A failure that retrying cannot fix: recorded, but no backoff follows. */
  markRejected(reason: string): void {
    this.markFailure(reason);
    this.#failures = 0;
  }

  /** A failed start-up sync or anti-entropy fetch: recorded without touching the send backoff. */
  markSyncFailure(reason: string): void {
    this.#lastFailureMs = this.#context.clock.now();
    this.#lastError = reason;
  }

  /** A successful start-up sync. */
  markSyncSuccess(): void {
    this.#lastSuccessMs = this.#context.clock.now();
  }

  markSuccess(): void {
    if (this.#failures > 0)
      this.#context.log.info({ peer: this.url }, 'peer replication recovered');
    this.#failures = 0;
    this.#lastError = null;
    this.#lastSuccessMs = this.#context.clock.now();
  }

  /** Stops the timer and drops what is queued. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.queue.clear();
  }

  status(): PeerStatus {
    return {
      url: this.url,
      queued: this.queue.length,
      dropped: this.queue.dropped,
      lastSuccessMs: this.#lastSuccessMs,
      lastFailureMs: this.#lastFailureMs,
      lastError: this.#lastError,
      isHealthy: this.#lastFailureMs <= this.#lastSuccessMs,
      syncedInstances: this.syncedInstances,
    };
  }

  #backoffMs(): number {
    const { retryInitialMs, retryMaxMs } = this.#context.settings();
    return Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.#failures - 1, 20));
  }

  #reportDropped(dropped: number): void {
    if (dropped === 0) return;
    const { maxQueueSize } = this.#context.settings();
    this.#context.log.warn(
      { peer: this.url, dropped, maxQueueSize },
      'replication queue full, oldest tasks dropped',
    );
  }
}
