import { createSilentLogger, systemClock } from '@stratus/core';
import { REGISTRY_DEFAULTS } from './defaults.js';
import { registryClosed } from './errors.js';
import { validate } from './internal/options.js';
import { appsHashCode } from './internal/hashcode.js';
import { createMeasuredRate } from './internal/measured-rate.js';
import { resolveStatus } from './internal/status-rules.js';
import {
  instanceIdOf,
  type Application,
  type Applications,
  type InstanceInfo,
  type InstanceStatus,
} from './model.js';
import type {
  EurekaRegistry,
  EurekaRegistryOptions,
  RegistryChange,
  RegistryChangeListener,
} from './registry-types.js';

export type {
  EurekaRegistry,
  EurekaRegistryOptions,
  EvictionResult,
  RegisterOptions,
  RegistryStats,
  RenewOptions,
  RenewResult,
  RegistryChange,
  RegistryChangeListener,
  StatusUpdateOptions,
} from './registry-types.js';

interface Lease {
  instance: InstanceInfo;
  registrationMs: number;
  lastRenewalMs: number;
  evictionMs: number;
  serviceUpMs: number;
  durationMs: number;
  view: InstanceInfo | null;
}

interface Change {
  readonly atMs: number;
  readonly instance: InstanceInfo;
}

/**
 * Creates the in-memory Eureka lease table. Expiry is `durationInSecs` after
 * the last renewal (not Eureka's 2× quirk); self-preservation and the
 * per-run eviction cap follow Eureka (spring-wire §1.10).
 *
 * @throws StratusError `REG_ERR_INVALID_OPTIONS` listing every bad option.
 * @example
 * const registry = createEurekaRegistry({ clock: createManualClock(0), evictionIntervalMs: 0 });
 * registry.register(instance);
 * registry.renew('MYAPP', 'host:myapp:8080'); // 'ok'
 */
export function createEurekaRegistry(options: EurekaRegistryOptions = {}): EurekaRegistry {
  const settings = validate(options);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-registry' });
  const table = new Map<string, Map<string, Lease>>();
  const overrides = new Map<string, InstanceStatus>();
  const renewsLastMin = createMeasuredRate(clock);
  let changes: Change[] = [];
  let deltaVersion = 1;
  let expectedClients = settings.expectedNumberOfClientsSendingRenews;
  let threshold = 0;
  let nextThresholdUpdateMs = clock.now() + settings.renewalThresholdUpdateIntervalMs;
  let closed = false;
  const listeners = new Set<RegistryChangeListener>();
  const emit = (change: RegistryChange): void => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.warn({ err: error, kind: change.kind }, 'registry change listener failed');
      }
    }
  };

  const updateThreshold = (): void => {
    // Same operand order as Eureka so the double rounding matches.
    threshold = Math.trunc(
      expectedClients *
        (60 / settings.expectedClientRenewalIntervalSecs) *
        settings.renewalPercentThreshold,
    );
  };
  updateThreshold();

  const isLeaseExpirationEnabled = (): boolean =>
    !settings.enableSelfPreservation || (threshold > 0 && renewsLastMin.lastBucket() > threshold);

  const isExpired = (lease: Lease, now: number): boolean =>
    lease.evictionMs > 0 || now > lease.lastRenewalMs + lease.durationMs;

  const viewOf = (lease: Lease): InstanceInfo => {
    lease.view ??= Object.freeze({
      ...lease.instance,
      leaseInfo: Object.freeze({
        renewalIntervalInSecs: lease.instance.leaseInfo.renewalIntervalInSecs,
        durationInSecs: lease.durationMs / 1000,
        registrationTimestamp: lease.registrationMs,
        lastRenewalTimestamp: lease.lastRenewalMs,
        evictionTimestamp: lease.evictionMs,
        serviceUpTimestamp: lease.serviceUpMs,
      }),
    });
    return lease.view;
  };

  const setInstance = (lease: Lease, instance: InstanceInfo): void => {
    lease.instance = instance;
    lease.view = null;
  };

  const purgeChanges = (now: number): void => {
    const cutoff = now - settings.deltaRetentionMs;
    let first = 0;
    while (first < changes.length && changes[first]!.atMs < cutoff) first += 1;
    if (first > 0) changes = changes.slice(first);
  };

  const recordChange = (lease: Lease, now: number): void => {
    purgeChanges(now);
    changes.push({ atMs: now, instance: viewOf(lease) });
    deltaVersion += 1;
  };

  const leaseOf = (app: string, id: string): Lease | undefined =>
    table.get(app.toUpperCase())?.get(id);

  const visibleLeases = function* (now: number): Generator<Lease> {
    const hideExpired = isLeaseExpirationEnabled();
    for (const leases of table.values()) {
      for (const lease of leases.values()) if (!hideExpired || !isExpired(lease, now)) yield lease;
    }
  };

  const visibleApplications = (
    filter: (instance: InstanceInfo) => boolean,
    onlyApp?: string,
  ): Application[] => {
    const now = clock.now();
    const hideExpired = isLeaseExpirationEnabled();
    const result: Application[] = [];
    const selected =
      onlyApp === undefined
        ? table
        : new Map([[onlyApp, table.get(onlyApp) ?? new Map<string, Lease>()]]);
    for (const [name, leases] of selected) {
      const instances: InstanceInfo[] = [];
      for (const lease of leases.values()) {
        if (hideExpired && isExpired(lease, now)) continue;
        const instance = viewOf(lease);
        if (filter(instance)) instances.push(instance);
      }
      if (instances.length > 0)
        result.push(Object.freeze({ name, instances: Object.freeze(instances) }));
    }
    return result;
  };

  const snapshot = (
    applications: Application[],
    versionDelta: number,
    hash?: string,
  ): Applications =>
    Object.freeze({
      versionDelta,
      appsHashCode: hash ?? appsHashCode(applications.flatMap((app) => app.instances)),
      applications: Object.freeze(applications),
    });

  const fullHash = (): string => {
    const statuses: InstanceInfo[] = [];
    for (const lease of visibleLeases(clock.now())) statuses.push(lease.instance);
    return appsHashCode(statuses);
  };

  const internalCancel = (app: string, id: string, now: number): InstanceInfo | null => {
    const leases = table.get(app);
    const lease = leases?.get(id);
    overrides.delete(id);
    if (leases === undefined || lease === undefined) return null;
    leases.delete(id);
    if (leases.size === 0) table.delete(app);
    lease.evictionMs = now;
    setInstance(lease, { ...lease.instance, actionType: 'DELETED', lastUpdatedTimestamp: now });
    recordChange(lease, now);
    // Eureka decrements inside internalCancel, so evictions lower the expectation too.
    if (expectedClients > 0) {
      expectedClients -= 1;
      updateThreshold();
    }
    return viewOf(lease);
  };

  const maybeUpdateRenewalThreshold = (now: number): void => {
    if (settings.renewalThresholdUpdateIntervalMs === 0 || now < nextThresholdUpdateMs) return;
    nextThresholdUpdateMs = now + settings.renewalThresholdUpdateIntervalMs;
    let count = 0;
    for (const leases of table.values()) count += leases.size;
    // Only raise towards the observed count, so a partition cannot ratchet the threshold down.
    if (
      count > settings.renewalPercentThreshold * expectedClients ||
      !settings.enableSelfPreservation
    ) {
      expectedClients = count;
      updateThreshold();
    }
  };

  const assertOpen = (): void => {
    if (closed) throw registryClosed();
  };

  const registry: EurekaRegistry = {
    register(incoming, { isReplication = false } = {}) {
      assertOpen();
      const now = clock.now();
      const app = incoming.app.toUpperCase();
      const id = instanceIdOf(incoming);
      let leases = table.get(app);
      if (leases === undefined) {
        leases = new Map();
        table.set(app, leases);
      }
      const existing = leases.get(id);
      let registrant: InstanceInfo = incoming.app === app ? incoming : { ...incoming, app };
      if (existing !== undefined) {
        if (existing.instance.lastDirtyTimestamp > registrant.lastDirtyTimestamp)
          registrant = existing.instance;
      } else if (expectedClients > 0) {
        expectedClients += 1;
        updateThreshold();
      }
      if (registrant.overriddenStatus !== 'UNKNOWN' && !overrides.has(id)) {
        overrides.set(id, registrant.overriddenStatus);
      }
      const override = overrides.get(id);
      if (override !== undefined) registrant = { ...registrant, overriddenStatus: override };
      const status = resolveStatus(registrant, override, existing?.instance, isReplication);
      const durationSecs =
        registrant.leaseInfo.durationInSecs > 0
          ? registrant.leaseInfo.durationInSecs
          : REGISTRY_DEFAULTS.defaultLeaseDurationSecs;
      const lease: Lease = {
        instance: { ...registrant, status, actionType: 'ADDED', lastUpdatedTimestamp: now },
        registrationMs: now,
        lastRenewalMs: now,
        evictionMs: 0,
        serviceUpMs: existing?.serviceUpMs ?? 0,
        durationMs: durationSecs * 1000,
        view: null,
      };
      if (status === 'UP' && lease.serviceUpMs === 0) lease.serviceUpMs = now;
      leases.set(id, lease);
      recordChange(lease, now);
      log.debug({ app, instanceId: id, status, isReplication }, 'instance registered');
      const stored = viewOf(lease);
      emit({ kind: 'register', app, id, instance: stored, isReplication });
      return stored;
    },

    renew(app, id, renewOptions = {}) {
      const { isReplication = false } = renewOptions;
      const lease = leaseOf(app, id);
      if (lease === undefined) return 'not-found';
      const now = clock.now();
      const effective = resolveStatus(
        lease.instance,
        overrides.get(id),
        lease.instance,
        isReplication,
      );
      if (effective === 'UNKNOWN') return 'not-found';
      if (effective !== lease.instance.status) {
        setInstance(lease, {
          ...lease.instance,
          status: effective,
          actionType: 'MODIFIED',
          lastUpdatedTimestamp: now,
        });
        recordChange(lease, now);
      }
      renewsLastMin.increment();
      lease.lastRenewalMs = now;
      lease.view = null;
      // Eureka replicates every heartbeat that found its lease, before the dirty-timestamp check.
      emit({
        kind: 'renew',
        app: lease.instance.app,
        id,
        instance: viewOf(lease),
        isReplication,
      });
      const incoming = renewOptions.lastDirtyTimestamp;
      if (incoming === undefined || !settings.syncWhenTimestampDiffers) return 'ok';
      const stored = lease.instance.lastDirtyTimestamp;
      if (incoming > stored) {
        const wanted = renewOptions.overriddenStatus;
        if (
          isReplication &&
          wanted !== undefined &&
          wanted !== 'UNKNOWN' &&
          overrides.get(id) !== wanted
        ) {
          overrides.set(id, wanted);
          setInstance(lease, { ...lease.instance, overriddenStatus: wanted });
        }
        return 'not-found';
      }
      if (stored > incoming && isReplication) return 'conflict';
      return 'ok';
    },

    cancel(app, id, { isReplication = false } = {}) {
      const name = app.toUpperCase();
      const removed = internalCancel(name, id, clock.now());
      if (removed === null) return false;
      log.debug({ app: name, instanceId: id, isReplication }, 'instance cancelled');
      emit({ kind: 'cancel', app: name, id, instance: removed, isReplication });
      return true;
    },

    statusUpdate(app, id, status, { lastDirtyTimestamp, isReplication = false } = {}) {
      const lease = leaseOf(app, id);
      if (lease === undefined) return false;
      const now = clock.now();
      lease.lastRenewalMs = now;
      lease.view = null;
      overrides.set(id, status);
      const current = lease.instance;
      if (current.status !== status || current.overriddenStatus !== status) {
        if (status === 'UP' && lease.serviceUpMs === 0) lease.serviceUpMs = now;
        setInstance(lease, {
          ...current,
          status,
          overriddenStatus: status,
          lastDirtyTimestamp: Math.max(current.lastDirtyTimestamp, lastDirtyTimestamp ?? 0),
          actionType: 'MODIFIED',
          lastUpdatedTimestamp: now,
        });
        recordChange(lease, now);
      }
      emit({
        kind: 'status-update',
        app: lease.instance.app,
        id,
        instance: viewOf(lease),
        isReplication,
      });
      return true;
    },

    deleteStatusOverride(
      app,
      id,
      status = 'UNKNOWN',
      { lastDirtyTimestamp, isReplication = false } = {},
    ) {
      const lease = leaseOf(app, id);
      if (lease === undefined) return false;
      const now = clock.now();
      lease.lastRenewalMs = now;
      lease.view = null;
      const hadOverride = overrides.delete(id);
      if (hadOverride) {
        const current = lease.instance;
        setInstance(lease, {
          ...current,
          status,
          overriddenStatus: 'UNKNOWN',
          lastDirtyTimestamp: Math.max(current.lastDirtyTimestamp, lastDirtyTimestamp ?? 0),
          actionType: 'MODIFIED',
          lastUpdatedTimestamp: now,
        });
        recordChange(lease, now);
      }
      emit({
        kind: 'delete-status-override',
        app: lease.instance.app,
        id,
        instance: viewOf(lease),
        isReplication,
      });
      return true;
    },

    updateMetadata(app, id, entries, registerOptions) {
      const lease = leaseOf(app, id);
      if (lease === undefined) return false;
      const current = lease.instance;
      const changed = Object.entries(entries).some(
        ([key, value]) => current.metadata[key] !== value,
      );
      if (changed)
        registry.register(
          { ...current, metadata: { ...current.metadata, ...entries } },
          registerOptions,
        );
      return true;
    },

    getApplications() {
      return snapshot(
        visibleApplications(() => true),
        1,
      );
    },

    getDelta() {
      const now = clock.now();
      purgeChanges(now);
      const latest = new Map<string, InstanceInfo>();
      for (const change of changes) {
        const key = `${change.instance.app}\u0000${instanceIdOf(change.instance)}`;
        latest.delete(key);
        latest.set(key, change.instance);
      }
      const byApp = new Map<string, InstanceInfo[]>();
      for (const instance of latest.values()) {
        const list = byApp.get(instance.app) ?? [];
        list.push(instance);
        byApp.set(instance.app, list);
      }
      const applications = [...byApp].map(([name, instances]) =>
        Object.freeze({ name, instances: Object.freeze(instances) }),
      );
      return snapshot(applications, deltaVersion, fullHash());
    },

    getByVip(vip, secure = false) {
      const matches = (instance: InstanceInfo): boolean => {
        const addresses = secure ? instance.secureVipAddress : instance.vipAddress;
        return addresses !== null && addresses.split(',').includes(vip);
      };
      return snapshot(visibleApplications(matches), 1);
    },

    getApplication(app) {
      return visibleApplications(() => true, app.toUpperCase())[0] ?? null;
    },

    getInstance(app, id) {
      const lease = leaseOf(app, id);
      if (lease === undefined) return null;
      if (isLeaseExpirationEnabled() && isExpired(lease, clock.now())) return null;
      return viewOf(lease);
    },

    findInstance(id) {
      for (const app of table.keys()) {
        const instance = registry.getInstance(app, id);
        if (instance !== null) return instance;
      }
      return null;
    },

    getStatusOverrides() {
      return Object.fromEntries(overrides);
    },

    evict() {
      const now = clock.now();
      purgeChanges(now);
      maybeUpdateRenewalThreshold(now);
      const expired: Lease[] = [];
      let size = 0;
      for (const leases of table.values()) {
        size += leases.size;
        for (const lease of leases.values()) if (isExpired(lease, now)) expired.push(lease);
      }
      if (!isLeaseExpirationEnabled()) {
        if (expired.length > 0) {
          log.warn(
            { expired: expired.length, renewsLastMin: renewsLastMin.lastBucket(), threshold },
            'self-preservation blocks eviction',
          );
        }
        return Object.freeze({
          expired: expired.length,
          evicted: Object.freeze([]),
          blocked: true,
        });
      }
      const limit = size - Math.trunc(size * settings.renewalPercentThreshold);
      const count = Math.min(expired.length, limit);
      const evicted: string[] = [];
      for (let i = 0; i < count; i += 1) {
        // Knuth shuffle: evict at random so no whole app vanishes before self-preservation starts.
        const next = i + Math.floor(random() * (expired.length - i));
        [expired[i], expired[next]] = [expired[next]!, expired[i]!];
        const lease = expired[i]!;
        const id = instanceIdOf(lease.instance);
        const removed = internalCancel(lease.instance.app, id, now);
        if (removed !== null) {
          emit({ kind: 'evict', app: removed.app, id, instance: removed, isReplication: false });
        }
        evicted.push(`${lease.instance.app}/${id}`);
        log.warn({ app: lease.instance.app, instanceId: id }, 'lease expired, instance evicted');
      }
      return Object.freeze({
        expired: expired.length,
        evicted: Object.freeze(evicted),
        blocked: false,
      });
    },

    stats() {
      let count = 0;
      for (const leases of table.values()) count += leases.size;
      return Object.freeze({
        registeredInstances: count,
        expectedClientsSendingRenews: expectedClients,
        renewsPerMinThreshold: threshold,
        renewsLastMin: renewsLastMin.lastBucket(),
        isSelfPreservationEnabled: settings.enableSelfPreservation,
        isLeaseExpirationEnabled: isLeaseExpirationEnabled(),
      });
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clearInterval(timer);
    },
  };

  const runEviction = (): void => {
    try {
      registry.evict();
    } catch (error) {
      log.error({ err: error }, 'eviction run failed');
    }
  };
  const timer =
    settings.evictionIntervalMs > 0
      ? setInterval(runEviction, settings.evictionIntervalMs).unref()
      : undefined;

  return registry;
}
