import type { Logger } from '@stratus/core';
import type { LeaseSettings } from './lease-settings.js';

/**
 * The registry's owned, unref'ed timers: Eureka's `EvictionTask` every `evictionIntervalMs`
 * and its `deltaRetentionTimer` every `deltaRetentionTimerIntervalMs` (0 disables either).
 * Without the latter an idle registry would hold every change of a burst until the next write.
 */
export class RegistryTimers {
  readonly #log: Logger;
  readonly #tasks: { evict: () => void; purgeDeltas: () => void };
  #eviction: NodeJS.Timeout | undefined;
  #deltaRetention: NodeJS.Timeout | undefined;
  #intervals = { evictionMs: -1, deltaRetentionMs: -1 };

  constructor(log: Logger, tasks: { evict: () => void; purgeDeltas: () => void }) {
    this.#log = log;
    this.#tasks = tasks;
  }

  /** (Re)starts the timers whose interval changed. */
  schedule(settings: LeaseSettings): void {
    if (settings.evictionIntervalMs !== this.#intervals.evictionMs) {
      clearInterval(this.#eviction);
      this.#eviction = this.#every(settings.evictionIntervalMs, () => this.#runEviction());
    }
    if (settings.deltaRetentionTimerIntervalMs !== this.#intervals.deltaRetentionMs) {
      clearInterval(this.#deltaRetention);
      this.#deltaRetention = this.#every(settings.deltaRetentionTimerIntervalMs, () =>
        this.#tasks.purgeDeltas(),
      );
    }
    this.#intervals = {
      evictionMs: settings.evictionIntervalMs,
      deltaRetentionMs: settings.deltaRetentionTimerIntervalMs,
    };
  }

  stop(): void {
    clearInterval(this.#eviction);
    clearInterval(this.#deltaRetention);
    this.#eviction = undefined;
    this.#deltaRetention = undefined;
  }

  #every(intervalMs: number, task: () => void): NodeJS.Timeout | undefined {
    return intervalMs > 0 ? setInterval(task, intervalMs).unref() : undefined;
  }

  #runEviction(): void {
    try {
      this.#tasks.evict();
    } catch (error) {
      this.#log.error({ err: error }, 'eviction run failed');
    }
  }
}
