import { createSilentLogger, systemClock } from '@stratus/core';
import { RegistryErrors } from './errors.js';
import { ChangeFeed } from './internal/leases/change-feed.js';
import { DeltaQueue } from './internal/leases/delta-queue.js';
import { Evictor } from './internal/leases/evictor.js';
import { resolveLeaseSettings } from './internal/leases/lease-settings.js';
import { LeaseReader } from './internal/leases/lease-reader.js';
import { LeaseTable } from './internal/leases/lease-table.js';
import { LeaseWriter } from './internal/leases/lease-writer.js';
import { ReadModel } from './internal/leases/read-model.js';
import type { RegistryState } from './internal/leases/registry-state.js';
import { RegistryTimers } from './internal/leases/registry-timers.js';
import { SelfPreservation } from './internal/leases/self-preservation.js';
import { createStartupAccess } from './internal/leases/startup-access.js';
import { StatusOverrides } from './internal/leases/status-overrides.js';
import type { EurekaRegistry, EurekaRegistryOptions } from './registry-types.js';

export type {
  EurekaRegistry,
  EurekaRegistryOptions,
  EvictionResult,
  RegisterOptions,
  RegistryChange,
  RegistryChangeListener,
  RegistrySettingsUpdate,
  RegistryStats,
  RenewOptions,
  RenewResult,
  StatusUpdateOptions,
} from './registry-types.js';

/**
 * Creates the in-memory Eureka lease table. Expiry is `durationInSecs` after the last renewal
 * (not Eureka's 2× quirk); self-preservation and the per-run eviction cap follow Eureka
 * (spring-wire §1.10).
 *
 * @throws StratusError `REG_ERR_INVALID_OPTIONS` listing every bad option.
 * @example
 * const registry = createEurekaRegistry({ clock: createManualClock(0), evictionIntervalMs: 0 });
 * registry.register(instance);
 * registry.renew('MYAPP', 'host:myapp:8080'); // 'ok'
 */
export function createEurekaRegistry(options: EurekaRegistryOptions = {}): EurekaRegistry {
  let settings = resolveLeaseSettings(options);
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-registry' });
  const table = new LeaseTable();
  const preservation = new SelfPreservation(() => settings, clock);
  const deltas = new DeltaQueue(() => settings.deltaRetentionMs);
  const views = new ReadModel({
    clock,
    table,
    deltas,
    preservation,
    maxAgeMs: () => settings.responseCacheAutoExpirationMs,
  });
  const state: RegistryState = {
    clock,
    log,
    settings: () => settings,
    table,
    overrides: new StatusOverrides(),
    preservation,
    deltas,
    feed: new ChangeFeed(log),
    views,
  };
  const access = createStartupAccess(clock, () => settings);
  let closed = false;
  const writer = new LeaseWriter(state, () => {
    if (closed) throw RegistryErrors.CLOSED();
  });
  const reader = new LeaseReader(state);
  const evictor = new Evictor(state, writer, options.random ?? Math.random);
  const timers = new RegistryTimers(log, {
    evict: () => evictor.evict(),
    purgeDeltas: () => state.deltas.purge(clock.now()),
  });
  timers.schedule(settings);

  return {
    register: (instance, registerOptions) => writer.register(instance, registerOptions),
    renew: (app, id, renewOptions) => writer.renew(app, id, renewOptions),
    cancel: (app, id, cancelOptions) => writer.cancel(app, id, cancelOptions),
    statusUpdate: (app, id, status, update) => writer.statusUpdate(app, id, status, update),
    deleteStatusOverride: (app, id, status, update) =>
      writer.deleteStatusOverride(app, id, status, update),
    updateMetadata: (app, id, entries, update) => writer.updateMetadata(app, id, entries, update),
    getApplications: () => reader.getApplications(),
    getDelta: () => reader.getDelta(),
    getByVip: (vip, secure) => reader.getByVip(vip, secure),
    getApplication: (app) => reader.getApplication(app),
    getInstance: (app, id) => reader.getInstance(app, id),
    findInstance: (id) => reader.findInstance(id),
    getStatusOverrides: () => state.overrides.toRecord(),
    evict: () => evictor.evict(),
    stats: () =>
      Object.freeze({
        registeredInstances: state.table.size,
        expectedClientsSendingRenews: state.preservation.expectedClients,
        renewsPerMinThreshold: state.preservation.threshold,
        renewsLastMin: state.preservation.renewsLastMin,
        isSelfPreservationEnabled: settings.enableSelfPreservation,
        isLeaseExpirationEnabled: state.preservation.isLeaseExpirationEnabled(),
        isAccessAllowed: access.isAllowed(),
        deltaQueueSize: state.deltas.size,
      }),
    openForTraffic(syncedCount) {
      access.open(syncedCount);
      log.info(
        { syncedCount, isAccessAllowed: access.isAllowed(), allowedFromMs: access.allowedFromMs() },
        'registry open for traffic',
      );
    },
    shouldAllowAccess: () => access.isAllowed(),
    accessAllowedFromMs: () => access.allowedFromMs(),
    subscribe: (listener) => state.feed.subscribe(listener),
    reconfigure(update) {
      settings = resolveLeaseSettings({ ...settings, ...update });
      state.preservation.recompute();
      if (!closed) timers.schedule(settings);
      log.info({ settings }, 'registry settings applied');
    },
    async close() {
      if (closed) return;
      closed = true;
      timers.stop();
    },
  };
}
