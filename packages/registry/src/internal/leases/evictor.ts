import { instanceIdOf } from '@stratus/discovery';
import type { EvictionResult } from '../../registry-types.js';
import { pickForEviction } from './eviction-pick.js';
import type { Lease } from './lease.js';
import type { LeaseWriter } from './lease-writer.js';
import type { RegistryState } from './registry-state.js';

/**
 * Eureka's `EvictionTask`: removes expired leases unless self-preservation blocks it, at most
 * `evictionLimit` per run, picked at random. Evictions are not replicated (spring-wire §1.10).
 */
export class Evictor {
  readonly #state: RegistryState;
  readonly #writer: LeaseWriter;
  readonly #random: () => number;

  constructor(state: RegistryState, writer: LeaseWriter, random: () => number) {
    this.#state = state;
    this.#writer = writer;
    this.#random = random;
  }

  /** One eviction run. */
  evict(): EvictionResult {
    const { clock, table, preservation, log } = this.#state;
    const now = clock.now();
    this.#state.deltas.purge(now);
    const size = table.size;
    preservation.maybeUpdate(now, size);
    const expired: Lease[] = [];
    for (const lease of table.leases()) if (lease.isExpired(now)) expired.push(lease);
    if (!preservation.isLeaseExpirationEnabled()) {
      if (expired.length > 0) {
        const { renewsLastMin, threshold } = preservation;
        log.warn(
          { expired: expired.length, renewsLastMin, threshold },
          'self-preservation blocks eviction',
        );
      }
      return Object.freeze({ expired: expired.length, evicted: Object.freeze([]), blocked: true });
    }
    const evicted: string[] = [];
    for (const lease of pickForEviction(expired, preservation.evictionLimit(size), this.#random)) {
      const { app } = lease.instance;
      const id = instanceIdOf(lease.instance);
      const removed = this.#writer.removeLease(app, id, now);
      if (removed !== null)
        this.#state.feed.emit({ kind: 'evict', app, id, instance: removed, isReplication: false });
      evicted.push(`${app}/${id}`);
      log.warn({ app, instanceId: id }, 'lease expired, instance evicted');
    }
    return Object.freeze({
      expired: expired.length,
      evicted: Object.freeze(evicted),
      blocked: false,
    });
  }
}
