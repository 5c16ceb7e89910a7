import type { Logger } from '@stratus/core';
import type { MessagingMeters } from '../metrics.js';
import type { Message, OutgoingMessage } from '../transport.js';
import { Dispatcher, type LaneTask } from './dispatcher.js';
import { createProcessor, type Outcome } from './processor.js';
import type { ResolvedSubscription } from './subscribe-options.js';

/** Extra room in the dispatcher beyond the handlers running at once. */
const PENDING_PER_SLOT = 32;
const MIN_PENDING = 64;

/** What every transport's subscription shares: pause state, stop signal, processing, dispatch. */
export class SubscriptionCore {
  readonly settings: ResolvedSubscription;
  readonly groupId: string;
  readonly name: string;
  readonly logger: Logger;
  readonly dispatcher: Dispatcher<LaneTask>;
  readonly process: (message: Message) => Promise<Outcome>;
  #isStopping = false;
  #isInterrupted = false;
  #isPaused = false;
  #resumeWaiters: Array<() => void> = [];
  #sleepers = new Set<() => void>();

  constructor(
    settings: ResolvedSubscription,
    groupId: string,
    deps: {
      publish: (message: OutgoingMessage) => Promise<void>;
      meters: MessagingMeters;
      logger: Logger;
      /** Messages held before the reader waits. @default 32 per concurrency slot, at least 64 */
      maxPending?: number;
    },
  ) {
    this.settings = settings;
    this.groupId = groupId;
    this.name = settings.name ?? groupId;
    this.logger = deps.logger.child({ groupId, subscription: this.name });
    this.dispatcher = new Dispatcher({
      concurrency: settings.concurrency,
      maxPending: deps.maxPending ?? Math.max(MIN_PENDING, settings.concurrency * PENDING_PER_SLOT),
    });
    this.process = createProcessor({
      handler: settings.handler,
      deserializer: settings.deserializer,
      retry: settings.retry,
      isDeadLetterOn: settings.isDeadLetterOn,
      groupId,
      name: this.name,
      publish: deps.publish,
      meters: deps.meters,
      logger: this.logger,
      isStopping: () => this.#isStopping || this.#isInterrupted,
      sleep: (ms) => this.sleep(ms),
    });
  }

  get isStopping(): boolean {
    return this.#isStopping;
  }

  get isPaused(): boolean {
    return this.#isPaused;
  }

  pause(): void {
    this.#isPaused = true;
  }

  resume(): void {
    if (!this.#isPaused) return;
    this.#isPaused = false;
    this.#wakeResumeWaiters();
  }

  /** Resolves at once unless paused; then when resumed or stopping. */
  async whilePaused(): Promise<void> {
    while (this.#isPaused && !this.#isStopping) {
      await new Promise<void>((resolve) => this.#resumeWaiters.push(resolve));
    }
  }

  /** Sleeps `ms`, or less when the subscription stops. */
  sleep(ms: number): Promise<void> {
    if (this.#isStopping || this.#isInterrupted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#sleepers.add(done);
    });
  }

  /**
   * Queues a message in its lane; `settle` gets the outcome once processed. A task that has not
   * started when the subscription stops is dropped (left uncommitted, so redelivered).
   */
  submit(message: Message, settle: (outcome: Outcome) => void): Promise<void> {
    return this.dispatcher.push({
      lane: laneOf(message),
      run: async () => {
        if (this.#isStopping || this.#isInterrupted) return;
        settle(await this.process(message));
      },
    });
  }

  /** Stops, drops queued messages and waits for the handler calls in flight. */
  async stopAndDrain(): Promise<void> {
    this.stop();
    this.dispatcher.discard(() => true);
    await this.dispatcher.idle();
  }

  /**
   * Ends the current connection's work without stopping the subscription (a broker connection
   * was lost): queued messages are dropped, retries give up, handler calls in flight finish.
   * Nothing of it is committed, so the broker redelivers it to the next connection.
   */
  async interruptAndDrain(): Promise<void> {
    this.#isInterrupted = true;
    for (const wake of [...this.#sleepers]) wake();
    this.dispatcher.discard(() => true);
    await this.dispatcher.idle();
    this.#isInterrupted = false;
  }

  /** Marks the subscription stopping: sleeps end, retries give up, paused readers wake. */
  stop(): void {
    this.#isStopping = true;
    for (const wake of [...this.#sleepers]) wake();
    this.#wakeResumeWaiters();
  }

  #wakeResumeWaiters(): void {
    const waiters = this.#resumeWaiters;
    this.#resumeWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The lane of a message: its key within its partition; keyless messages share one lane. */
export function laneOf(message: Message): string {
  return `${message.topic}\0${message.partition}\0${message.key ?? ''}`;
}
