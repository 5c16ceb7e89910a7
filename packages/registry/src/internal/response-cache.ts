import type { Clock } from '@stratus/core';
import type { Applications } from '@stratus/discovery';
import type { EurekaRegistry } from '../registry-types.js';

/** What the routes read `/apps` and `/apps/delta` from. */
export interface RegistrySnapshotSource {
  getApplications(): Applications;
  getDelta(): Applications;
}

/** Eureka's read-only response cache: snapshots of the full registry and the delta. */
export interface ReadOnlyResponseCache extends RegistrySnapshotSource {
  /** Takes new snapshots now. */
  refresh(): void;
}

/**
 * Creates the read-only response cache (`eureka.server.use-read-only-response-cache`): GETs of
 * `/apps` and `/apps/delta` see the registry as it was when the snapshots were taken, and a
 * read takes new ones once they are `updateIntervalMs` old
 * (`eureka.server.response-cache-update-interval-ms`, Eureka's default 30000). So a change is
 * never served late by more than the interval — Eureka's timer gives the same bound — and an
 * idle registry takes no snapshots at all. Snapshots are the registry's own frozen objects, so
 * encoders cache by identity (spring-wire §1.11).
 *
 * @example
 * const cache = createReadOnlyResponseCache(registry, { updateIntervalMs: 30_000, clock });
 * await mountEurekaApi(app, { registry, snapshots: cache });
 */
export function createReadOnlyResponseCache(
  registry: EurekaRegistry,
  { updateIntervalMs, clock }: { updateIntervalMs: number; clock: Clock },
): ReadOnlyResponseCache {
  let full = registry.getApplications();
  let delta = registry.getDelta();
  let takenAtMs = clock.now();
  const refresh = (): void => {
    full = registry.getApplications();
    delta = registry.getDelta();
    takenAtMs = clock.now();
  };
  const current = (): void => {
    if (clock.now() - takenAtMs >= updateIntervalMs) refresh();
  };
  return {
    getApplications() {
      current();
      return full;
    },
    getDelta() {
      current();
      return delta;
    },
    refresh,
  };
}
