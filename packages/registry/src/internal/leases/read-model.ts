import type { Clock } from '@stratus/core';
import type { Application, Applications, InstanceInfo } from '@stratus/discovery';
import type { DeltaQueue } from './delta-queue.js';
import type { LeaseTable } from './lease-table.js';
import type { SelfPreservation } from './self-preservation.js';

/** One application as reads show it, and how many of its leases were hidden as expired. */
interface AppView {
  /** `null` when no lease of the application is visible. */
  readonly application: Application | null;
  readonly hidden: number;
  /** Visible instances by status, for the registry's hash. */
  readonly statuses: ReadonlyMap<string, number>;
}

/**
 * Eureka's `apps__hashcode` from status counts (as `appsHashCode` of discovery computes it from
 * instances): `STATUS_count_` for each status, sorted by name.
 */
function hashOf(counts: ReadonlyMap<string, number>): string {
  return [...counts.keys()]
    .sort()
    .map((status) => `${status}_${counts.get(status)}_`)
    .join('');
}

/** What the read model is built from. */
export interface ReadModelParts {
  readonly clock: Clock;
  readonly table: LeaseTable;
  readonly deltas: DeltaQueue;
  readonly preservation: SelfPreservation;
  /** `response-cache-auto-expiration-in-seconds` × 1000, read at every check. */
  readonly maxAgeMs: () => number;
}

/**
 * Eureka's read/write response cache, held as objects (spring-wire §1.11): the full registry
 * and the delta as reads return them, rebuilt only for the applications that changed since.
 * The objects are frozen and stay the same (`===`) until something a client can see changes,
 * so encoders can cache by identity. A renewal is no change: lease renewal times inside are
 * those of the application's last change, refreshed at least every `maxAgeMs`, as Eureka's
 * cached payloads hold them. Leases that expired since are found without a scan per read:
 * nothing can expire before the earliest `lastRenewal + duration` seen at the last build.
 */
export class ReadModel {
  readonly #parts: ReadModelParts;
  readonly #apps = new Map<string, AppView>();
  readonly #dirty = new Set<string>();
  #full: Applications | null = null;
  #delta: { applications: Applications; generation: number; full: Applications } | null = null;
  #builtAtMs = Number.NEGATIVE_INFINITY;
  #hideExpired = false;
  #nextExpiryMs = Number.POSITIVE_INFINITY;

  constructor(parts: ReadModelParts) {
    this.#parts = parts;
  }

  /** Something visible about `app` (upper case) changed: rebuild it at the next read. */
  touch(app: string): void {
    this.#dirty.add(app);
    this.#full = null;
  }

  /** The full registry (`versions__delta` 1); the same object while nothing visible changed. */
  applications(): Applications {
    const now = this.#parts.clock.now();
    if (now - this.#builtAtMs > this.#parts.maxAgeMs()) {
      for (const name of this.#parts.table.appNames()) this.touch(name);
      this.#builtAtMs = now;
    }
    this.#checkExpiry(now);
    if (this.#full !== null) return this.#full;
    for (const name of this.#dirty) this.#rebuild(name, now);
    this.#dirty.clear();
    const applications: Application[] = [];
    const statuses = new Map<string, number>();
    for (const name of this.#parts.table.appNames()) {
      const view = this.#apps.get(name) ?? this.#rebuild(name, now);
      if (view.application !== null) applications.push(view.application);
      for (const [status, count] of view.statuses)
        statuses.set(status, (statuses.get(status) ?? 0) + count);
    }
    this.#full = Object.freeze({
      versionDelta: 1,
      appsHashCode: hashOf(statuses),
      applications: Object.freeze(applications),
    });
    return this.#full;
  }

  /** Changes within the retention window with the full registry's hash; cached the same way. */
  delta(): Applications {
    const { deltas, clock } = this.#parts;
    const now = clock.now();
    deltas.purge(now);
    const full = this.applications();
    const cached = this.#delta;
    if (cached !== null && cached.generation === deltas.generation && cached.full === full)
      return cached.applications;
    const applications = Object.freeze({
      versionDelta: deltas.version,
      appsHashCode: full.appsHashCode,
      applications: Object.freeze(deltas.applications(now)),
    });
    this.#delta = { applications, generation: deltas.generation, full };
    return applications;
  }

  /**
   * Touches the applications whose hidden leases differ from their last build: a lease expired
   * (while expiry hides leases), or self-preservation switched hiding on or off. Without either
   * the set of expired leases cannot have grown, since a renewal only pushes expiry back and a
   * revived, new or removed lease touches its application anyway.
   */
  #checkExpiry(now: number): void {
    const hide = this.#parts.preservation.isLeaseExpirationEnabled();
    if (hide === this.#hideExpired && now <= this.#nextExpiryMs) return;
    this.#hideExpired = hide;
    let next = Number.POSITIVE_INFINITY;
    for (const [name, leases] of this.#parts.table.applications()) {
      let hidden = 0;
      for (const lease of leases) {
        const expiryMs = lease.lastRenewalMs + lease.durationMs;
        if (now <= expiryMs) next = Math.min(next, expiryMs);
        else if (hide) hidden += 1;
      }
      if (hidden !== (this.#apps.get(name)?.hidden ?? 0)) this.touch(name);
    }
    this.#nextExpiryMs = next;
  }

  #rebuild(name: string, now: number): AppView {
    const instances: InstanceInfo[] = [];
    const statuses = new Map<string, number>();
    let hidden = 0;
    let found = false;
    for (const [, leases] of this.#parts.table.applications(name)) {
      for (const lease of leases) {
        found = true;
        const expiryMs = lease.lastRenewalMs + lease.durationMs;
        if (now <= expiryMs) this.#nextExpiryMs = Math.min(this.#nextExpiryMs, expiryMs);
        else if (this.#hideExpired) {
          hidden += 1;
          continue;
        }
        const view = lease.view;
        instances.push(view);
        statuses.set(view.status, (statuses.get(view.status) ?? 0) + 1);
      }
    }
    const view: AppView = {
      application:
        instances.length === 0
          ? null
          : Object.freeze({ name, instances: Object.freeze(instances) }),
      hidden,
      statuses,
    };
    if (found) this.#apps.set(name, view);
    else this.#apps.delete(name);
    return view;
  }
}
