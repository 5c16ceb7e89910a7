import { instanceIdOf, type InstanceInfo, type InstanceStatus } from '@stratus/discovery';
import { REGISTRY_DEFAULTS } from '../../defaults.js';
import type {
  RegisterOptions,
  RenewOptions,
  RenewResult,
  StatusUpdateOptions,
} from '../../registry-types.js';
import { Lease } from './lease.js';
import type { RegistryState } from './registry-state.js';

/** The write side of the lease table: Eureka's register, renew, cancel and status rules. */
export class LeaseWriter {
  readonly #state: RegistryState;
  readonly #assertOpen: () => void;

  constructor(state: RegistryState, assertOpen: () => void) {
    this.#state = state;
    this.#assertOpen = assertOpen;
  }

  /** Registers or replaces an instance (spring-wire §1.4) and returns what is stored. */
  register(incoming: InstanceInfo, { isReplication = false }: RegisterOptions = {}): InstanceInfo {
    this.#assertOpen();
    const { clock, table, overrides, preservation } = this.#state;
    const now = clock.now();
    const app = incoming.app.toUpperCase();
    const id = instanceIdOf(incoming);
    const existing = table.get(app, id);
    let registrant: InstanceInfo = incoming.app === app ? incoming : { ...incoming, app };
    if (existing === undefined) preservation.onNewLease();
    else if (existing.instance.lastDirtyTimestamp > registrant.lastDirtyTimestamp)
      registrant = existing.instance;
    if (registrant.overriddenStatus !== 'UNKNOWN' && !overrides.has(id))
      overrides.set(id, registrant.overriddenStatus);
    const override = overrides.get(id);
    if (override !== undefined) registrant = { ...registrant, overriddenStatus: override };
    const status = overrides.resolve(id, registrant, existing?.instance, isReplication);
    const durationSecs =
      registrant.leaseInfo.durationInSecs > 0
        ? registrant.leaseInfo.durationInSecs
        : REGISTRY_DEFAULTS.defaultLeaseDurationSecs;
    const lease = new Lease(
      { ...registrant, status, actionType: 'ADDED', lastUpdatedTimestamp: now },
      { nowMs: now, durationMs: durationSecs * 1000, serviceUpMs: existing?.serviceUpMs ?? 0 },
    );
    table.put(app, id, lease);
    this.#recordChange(lease, now);
    this.#state.log.debug({ app, instanceId: id, status, isReplication }, 'instance registered');
    this.#state.feed.emit({ kind: 'register', app, id, instance: lease.view, isReplication });
    return lease.view;
  }

  /** A heartbeat (spring-wire §1.5). */
  renew(app: string, id: string, options: RenewOptions = {}): RenewResult {
    const { isReplication = false } = options;
    const { clock, table, overrides } = this.#state;
    const lease = table.get(app, id);
    if (lease === undefined) return 'not-found';
    const now = clock.now();
    const effective = overrides.resolve(id, lease.instance, lease.instance, isReplication);
    if (effective === 'UNKNOWN') return 'not-found';
    if (effective !== lease.instance.status) {
      lease.replace({
        ...lease.instance,
        status: effective,
        actionType: 'MODIFIED',
        lastUpdatedTimestamp: now,
      });
      this.#recordChange(lease, now);
    }
    this.#state.preservation.recordRenewal();
    this.#renewLease(lease, now);
    // Eureka replicates every heartbeat that found its lease, before the dirty-timestamp check.
    // The view is built only if a listener reads it: a standalone server's heartbeat needs none.
    this.#state.feed.emit({
      kind: 'renew',
      app: lease.instance.app,
      id,
      get instance() {
        return lease.view;
      },
      isReplication,
    });
    return this.#compareDirtyTimestamps(lease, id, options);
  }

  /** Removes a lease; false when unknown. */
  cancel(app: string, id: string, { isReplication = false }: RegisterOptions = {}): boolean {
    const name = app.toUpperCase();
    const removed = this.removeLease(name, id, this.#state.clock.now());
    if (removed === null) return false;
    this.#state.log.debug({ app: name, instanceId: id, isReplication }, 'instance cancelled');
    this.#state.feed.emit({ kind: 'cancel', app: name, id, instance: removed, isReplication });
    return true;
  }

  /**
   * Eureka's `internalCancel`, shared by cancels and evictions: removes the lease, records the
   * DELETED change and lowers the renewal expectation. Returns the removed instance.
   */
  removeLease(app: string, id: string, nowMs: number): InstanceInfo | null {
    const { table, overrides } = this.#state;
    overrides.delete(id);
    const lease = table.remove(app, id);
    if (lease === undefined) return null;
    lease.markEvicted(nowMs);
    lease.replace({ ...lease.instance, actionType: 'DELETED', lastUpdatedTimestamp: nowMs });
    this.#recordChange(lease, nowMs);
    this.#state.preservation.onLeaseRemoved();
    return lease.view;
  }

  /** Stores a status override (`PUT …/status`, spring-wire §1.6); false when unknown. */
  statusUpdate(
    app: string,
    id: string,
    status: InstanceStatus,
    { lastDirtyTimestamp, isReplication = false }: StatusUpdateOptions = {},
  ): boolean {
    return this.#statusCall(app, id, 'status-update', isReplication, (lease, now) => {
      this.#state.overrides.set(id, status);
      const current = lease.instance;
      if (current.status === status && current.overriddenStatus === status) return;
      if (status === 'UP') lease.markUp(now);
      this.#modify(lease, { status, overriddenStatus: status }, lastDirtyTimestamp, now);
    });
  }

  /** Removes the override and sets `status` (`DELETE …/status`); false when unknown. */
  deleteStatusOverride(
    app: string,
    id: string,
    status: InstanceStatus = 'UNKNOWN',
    { lastDirtyTimestamp, isReplication = false }: StatusUpdateOptions = {},
  ): boolean {
    return this.#statusCall(app, id, 'delete-status-override', isReplication, (lease, now) => {
      if (this.#state.overrides.delete(id))
        this.#modify(lease, { status, overriddenStatus: 'UNKNOWN' }, lastDirtyTimestamp, now);
    });
  }

  /** Merges metadata and registers again (`PUT …/metadata`); false when unknown. */
  updateMetadata(
    app: string,
    id: string,
    entries: Readonly<Record<string, string>>,
    options?: RegisterOptions,
  ): boolean {
    const lease = this.#state.table.get(app, id);
    if (lease === undefined) return false;
    const current = lease.instance;
    const changed = Object.entries(entries).some(([key, value]) => current.metadata[key] !== value);
    if (changed)
      this.register({ ...current, metadata: { ...current.metadata, ...entries } }, options);
    return true;
  }

  /** `syncWhenTimestampDiffers` (spring-wire §1.5): 404 asks for newer data, 409 tells a peer. */
  #compareDirtyTimestamps(lease: Lease, id: string, options: RenewOptions): RenewResult {
    const incoming = options.lastDirtyTimestamp;
    if (incoming === undefined || !this.#state.settings().syncWhenTimestampDiffers) return 'ok';
    const stored = lease.instance.lastDirtyTimestamp;
    const isReplication = options.isReplication ?? false;
    if (incoming > stored) {
      const wanted = options.overriddenStatus;
      const overrides = this.#state.overrides;
      if (
        isReplication &&
        wanted !== undefined &&
        wanted !== 'UNKNOWN' &&
        overrides.get(id) !== wanted
      ) {
        overrides.set(id, wanted);
        lease.replace({ ...lease.instance, overriddenStatus: wanted });
        this.#state.views.touch(lease.instance.app);
      }
      return 'not-found';
    }
    return stored > incoming && isReplication ? 'conflict' : 'ok';
  }

  /** A status call counts as a renewal (Eureka's `InstanceResource`), then changes the lease. */
  #statusCall(
    app: string,
    id: string,
    kind: 'status-update' | 'delete-status-override',
    isReplication: boolean,
    change: (lease: Lease, nowMs: number) => void,
  ): boolean {
    const lease = this.#state.table.get(app, id);
    if (lease === undefined) return false;
    const now = this.#state.clock.now();
    this.#renewLease(lease, now);
    change(lease, now);
    const instance = lease.view;
    this.#state.feed.emit({ kind, app: instance.app, id, instance, isReplication });
    return true;
  }

  #modify(
    lease: Lease,
    statuses: { status: InstanceStatus; overriddenStatus: InstanceStatus },
    lastDirtyTimestamp: number | undefined,
    nowMs: number,
  ): void {
    const current = lease.instance;
    lease.replace({
      ...current,
      ...statuses,
      lastDirtyTimestamp: Math.max(current.lastDirtyTimestamp, lastDirtyTimestamp ?? 0),
      actionType: 'MODIFIED',
      lastUpdatedTimestamp: nowMs,
    });
    this.#recordChange(lease, nowMs);
  }

  /** A change clients see: into the delta, and its application rebuilt at the next read. */
  #recordChange(lease: Lease, nowMs: number): void {
    this.#state.deltas.record(lease.view, nowMs);
    this.#state.views.touch(lease.instance.app);
  }

  /** A renewal changes no read, unless it brings back a lease reads were hiding as expired. */
  #renewLease(lease: Lease, nowMs: number): void {
    if (lease.isExpired(nowMs)) this.#state.views.touch(lease.instance.app);
    lease.renew(nowMs);
  }
}
