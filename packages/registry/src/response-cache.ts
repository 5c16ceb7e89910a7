import type { Applications } from './model.js';
import type { EurekaRegistry } from './registry-types.js';

/** What the routes read `/apps` and `/apps/delta` from. */
export interface RegistrySnapshotSource {
  getApplications(): Applications;
  getDelta(): Applications;
}

/** Eureka's read-only response cache: snapshots of the full registry and the delta. */
export interface ReadOnlyResponseCache extends RegistrySnapshotSource {
  /** Takes new snapshots now (the timer calls it every `updateIntervalMs`). */
  refresh(): void;
  /** Stops the timer. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the read-only response cache (`eureka.server.use-read-only-response-cache`):
 * GETs of `/apps` and `/apps/delta` are served from snapshots refreshed every
 * `updateIntervalMs` (`eureka.server.response-cache-update-interval-ms`,
 * Eureka's default 30000), so a change can take that long to show (spring-wire §1.11).
 *
 * @example
 * const cache = createReadOnlyResponseCache(registry, { updateIntervalMs: 30_000 });
 * await registerEurekaRoutes(app, { registry, snapshots: cache });
 */
export function createReadOnlyResponseCache(
  registry: EurekaRegistry,
  { updateIntervalMs }: { updateIntervalMs: number },
): ReadOnlyResponseCache {
  let full = registry.getApplications();
  let delta = registry.getDelta();
  let closed = false;
  const cache: ReadOnlyResponseCache = {
    getApplications: () => full,
    getDelta: () => delta,
    refresh() {
      full = registry.getApplications();
      delta = registry.getDelta();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
    },
  };
  const timer = setInterval(() => cache.refresh(), Math.max(1, updateIntervalMs)).unref();
  return cache;
}
