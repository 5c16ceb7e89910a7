import type { Clock } from '@stratus/core';

/** Eureka's start-up read gate (`PeerAwareInstanceRegistryImpl.shouldAllowAccess`). */
export interface StartupAccess {
  /** `openForTraffic(count)`: start-up is over; `syncedCount` instances came from peers. */
  open(syncedCount: number): void;
  isAllowed(): boolean;
  /** Epoch ms from which reads are allowed again; 0 when they already are. */
  allowedFromMs(): number;
}

/**
 * Reads are refused from `open(0)` until `waitTimeWhenSyncEmptyMs` has passed, unless the
 * sync brought instances or `defaultOpenForTrafficCount` stands in for an empty sync (Spring's
 * `InstanceRegistry.openForTraffic` replaces a count of 0 by it). Before `open`, reads are
 * allowed, as Eureka's start-up time is still 0 then.
 */
export function createStartupAccess(
  clock: Clock,
  settings: () => { waitTimeWhenSyncEmptyMs: number; defaultOpenForTrafficCount: number },
): StartupAccess {
  let refusedUntilMs = 0;
  return {
    open(syncedCount) {
      const { defaultOpenForTrafficCount, waitTimeWhenSyncEmptyMs } = settings();
      const count = syncedCount > 0 ? syncedCount : defaultOpenForTrafficCount;
      const waitMs = waitTimeWhenSyncEmptyMs;
      refusedUntilMs = count > 0 || waitMs === 0 ? 0 : clock.now() + waitMs;
    },
    // Eureka allows access once `now > startupTime + wait`, strictly.
    isAllowed: () => refusedUntilMs === 0 || clock.now() > refusedUntilMs,
    allowedFromMs() {
      if (refusedUntilMs !== 0 && clock.now() > refusedUntilMs) refusedUntilMs = 0;
      return refusedUntilMs === 0 ? 0 : refusedUntilMs + 1;
    },
  };
}
