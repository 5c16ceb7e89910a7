import type { ReplicationItem } from './replication-item.js';

/**
 * The tasks waiting for one peer, oldest first, bounded: beyond `maxSize()` the oldest are
 * dropped and counted (Eureka's `TaskDispatcher` drops on overflow too).
 */
export class PeerQueue {
  readonly #maxSize: () => number;
  #items: ReplicationItem[] = [];
  #dropped = 0;

  constructor(maxSize: () => number) {
    this.#maxSize = maxSize;
  }

  get length(): number {
    return this.#items.length;
  }

  /** Tasks dropped since start. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends a task; returns how many old ones were dropped to make room. */
  push(item: ReplicationItem): number {
    this.#items.push(item);
    return this.#trim();
  }

  /** Puts a failed batch back in front; returns how many tasks were dropped to make room. */
  putBack(batch: readonly ReplicationItem[]): number {
    this.#items.unshift(...batch);
    return this.#trim();
  }

  /** Removes and returns up to `count` tasks, oldest first. */
  take(count: number): ReplicationItem[] {
    return this.#items.splice(0, count);
  }

  clear(): void {
    this.#items = [];
  }

  #trim(): number {
    const excess = this.#items.length - this.#maxSize();
    if (excess <= 0) return 0;
    this.#items.splice(0, excess);
    this.#dropped += excess;
    return excess;
  }
}
