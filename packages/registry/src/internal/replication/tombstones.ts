import type { Clock } from '@stratus/core';
import { REPLICATION_DEFAULTS } from '../../defaults.js';

interface Tombstone {
  readonly atMs: number;
  readonly lastDirtyTimestamp: number;
}

/**
 * Recently cancelled instances (app/id → the cancelled `lastDirtyTimestamp`).
 * A replicated register carrying the same or an older `lastDirtyTimestamp`
 * is stale (it crossed the cancel on another path) and is refused, so a
 * cancelled instance is not resurrected by a late batch, the start-up sync
 * or the anti-entropy pass. Entries live `retentionMs`; at most `maxEntries`
 * are kept (oldest dropped).
 */
export class Tombstones {
  readonly #entries = new Map<string, Tombstone>();
  readonly #clock: Clock;
  readonly #retentionMs: number;
  readonly #maxEntries: number;

  constructor(clock: Clock, retentionMs: number, maxEntries = REPLICATION_DEFAULTS.maxTombstones) {
    this.#clock = clock;
    this.#retentionMs = retentionMs;
    this.#maxEntries = maxEntries;
  }

  /** Records a cancel; keeps the larger timestamp if one is already there. */
  record(app: string, id: string, lastDirtyTimestamp: number): void {
    const key = `${app.toUpperCase()}\u0000${id}`;
    const previous = this.#entries.get(key);
    this.#entries.delete(key);
    this.#entries.set(key, {
      atMs: this.#clock.now(),
      lastDirtyTimestamp: Math.max(lastDirtyTimestamp, previous?.lastDirtyTimestamp ?? 0),
    });
    this.#purge();
  }

  /** Forgets a cancel (a client registered again directly). */
  clear(app: string, id: string): void {
    this.#entries.delete(`${app.toUpperCase()}\u0000${id}`);
  }

  /** True when a register with this `lastDirtyTimestamp` is older than a recorded cancel. */
  isStale(app: string, id: string, lastDirtyTimestamp: number): boolean {
    this.#purge();
    const entry = this.#entries.get(`${app.toUpperCase()}\u0000${id}`);
    return entry !== undefined && lastDirtyTimestamp <= entry.lastDirtyTimestamp;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops the entries older than the retention time (the server's timer calls it). */
  purge(): void {
    this.#purge();
  }

  #purge(): void {
    const cutoff = this.#clock.now() - this.#retentionMs;
    for (const [key, entry] of this.#entries) {
      if (entry.atMs >= cutoff && this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
