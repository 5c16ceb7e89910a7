import type { Logger } from '@stratus/core';
import type { LagSample } from '../metrics.js';
import type { SubscriptionCore } from '../internal/subscription-core.js';
import type { PausableSubscription } from '../transport.js';
import { KafkaSession } from './kafka-session.js';
import type { ResolvedKafkaOptions } from './kafka-options.js';

/**
 * A subscription on Kafka: one consumer connection at a time (a {@link KafkaSession}); when it
 * fails (broker down, network cut) the work in flight is finished, nothing unfinished is
 * committed, and a new connection is made with exponential backoff until `close()`.
 */
export class KafkaSubscription implements PausableSubscription {
  readonly #core: SubscriptionCore;
  readonly #options: ResolvedKafkaOptions;
  readonly #logger: Logger;
  readonly #onClosed: () => Promise<void>;
  #session: KafkaSession | null = null;
  #isConnected = false;
  #running: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;

  constructor(
    core: SubscriptionCore,
    options: ResolvedKafkaOptions,
    onClosed: () => Promise<void>,
  ) {
    this.#core = core;
    this.#options = options;
    this.#logger = core.logger;
    this.#onClosed = onClosed;
  }

  get isPaused(): boolean {
    return this.#core.isPaused;
  }

  /** Whether a consumer connection is established right now. */
  get isConnected(): boolean {
    return this.#isConnected;
  }

  /** Starts the connection loop; resolves once joined, or after the first failed attempt. */
  start(): Promise<void> {
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    this.#running = this.#run(ready).catch((error: unknown) => {
      this.#logger.error({ err: error }, 'kafka consumer stopped unexpectedly');
      ready();
    });
    return isReady;
  }

  pause(): void {
    this.#core.pause();
  }

  resume(): void {
    this.#core.resume();
  }

  async lag(): Promise<LagSample[]> {
    return (await this.#session?.lag()) ?? [];
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#core.stop();
      this.#session?.interrupt();
      await this.#running;
      await this.#onClosed();
    })();
    return this.#closing;
  }

  async #run(ready: () => void): Promise<void> {
    let failures = 0;
    while (!this.#core.isStopping) {
      const session = new KafkaSession(this.#core, this.#options);
      this.#session = session;
      try {
        await session.open();
        this.#connected(failures);
        failures = 0;
        ready();
        await session.consume();
      } catch (error) {
        failures += 1;
        this.#disconnected(error, failures);
        ready();
      }
      this.#isConnected = false;
      await session.dispose(this.#core.isStopping);
      this.#session = null;
      if (this.#core.isStopping) break;
      await this.#core.sleep(this.#backoffMs(failures));
    }
  }

  #connected(failures: number): void {
    this.#isConnected = true;
    if (failures > 0) this.#logger.info({ failures }, 'kafka consumer reconnected');
    else this.#logger.debug('kafka consumer joined its group');
  }

  #disconnected(error: unknown, failures: number): void {
    if (this.#core.isStopping) return;
    const fields = { err: error, failures, delayMs: this.#backoffMs(failures) };
    if (failures === 1) this.#logger.warn(fields, 'kafka consumer disconnected; reconnecting');
    else this.#logger.debug(fields, 'kafka consumer reconnect failed');
  }

  #backoffMs(failures: number): number {
    const { reconnectInitialMs, reconnectMaxMs } = this.#options;
    return Math.min(
      reconnectMaxMs,
      reconnectInitialMs * 2 ** Math.min(Math.max(0, failures - 1), 20),
    );
  }
}
