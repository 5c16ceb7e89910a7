import type { Lease } from './lease.js';

/**
 * The leases by upper-case application name, then instance id, in registration order (the
 * order `GET /apps` lists them). An application without leases is removed.
 */
export class LeaseTable {
  readonly #apps = new Map<string, Map<string, Lease>>();

  /** The lease of `app` (any case) and `id`. */
  get(app: string, id: string): Lease | undefined {
    return this.#apps.get(app.toUpperCase())?.get(id);
  }

  /** Stores `lease` under `app` (upper case) and `id`, keeping the position of a replaced one. */
  put(app: string, id: string, lease: Lease): void {
    let leases = this.#apps.get(app);
    if (leases === undefined) {
      leases = new Map();
      this.#apps.set(app, leases);
    }
    leases.set(id, lease);
  }

  /** Removes and returns the lease of `app` (upper case) and `id`. */
  remove(app: string, id: string): Lease | undefined {
    const leases = this.#apps.get(app);
    const lease = leases?.get(id);
    if (leases === undefined || lease === undefined) return undefined;
    leases.delete(id);
    if (leases.size === 0) this.#apps.delete(app);
    return lease;
  }

  /** Number of leases. */
  get size(): number {
    let count = 0;
    for (const leases of this.#apps.values()) count += leases.size;
    return count;
  }

  /** Application names, upper case. */
  appNames(): IterableIterator<string> {
    return this.#apps.keys();
  }

  /** `[name, leases]` of every application, or of `onlyApp` (upper case) when given. */
  *applications(onlyApp?: string): Generator<[string, Iterable<Lease>]> {
    if (onlyApp === undefined) {
      for (const [name, leases] of this.#apps) yield [name, leases.values()];
      return;
    }
    yield [onlyApp, this.#apps.get(onlyApp)?.values() ?? []];
  }

  /** Every lease. */
  *leases(): Generator<Lease> {
    for (const leases of this.#apps.values()) yield* leases.values();
  }
}
