import { systemClock } from '@stratus/core';
import type { LoadBalancerOptions } from '../load-balancer.js';
import type { ServiceInstance } from '../types.js';

/** Default quarantine of a failed instance, in ms. */
export const DEFAULT_QUARANTINE_MS = 10_000;

/** UP filtering and the failed-instance quarantine shared by every balancer. */
export interface Candidates {
  /** UP instances not in quarantine; every UP instance when all are quarantined. */
  of(serviceId: string, instances: readonly ServiceInstance[]): ServiceInstance[];
  markFailed(serviceId: string, instanceId: string): void;
}

export function createCandidates(options: LoadBalancerOptions = {}): Candidates {
  const clock = options.clock ?? systemClock;
  const quarantineMs = options.quarantineMs ?? DEFAULT_QUARANTINE_MS;
  if (!Number.isFinite(quarantineMs) || quarantineMs < 0)
    throw new RangeError('quarantineMs must be a number >= 0');
  // service id (lower case) → instance id → quarantined until (ms)
  const failed = new Map<string, Map<string, number>>();

  return {
    of(serviceId, instances) {
      const up = instances.filter((i) => i.status === 'UP');
      const quarantined = failed.get(serviceId.toLowerCase());
      if (quarantined === undefined || quarantined.size === 0) return up;
      const now = clock.now();
      for (const [id, until] of quarantined) if (until <= now) quarantined.delete(id);
      const healthy = up.filter((i) => !quarantined.has(i.instanceId));
      return healthy.length > 0 ? healthy : up;
    },
    markFailed(serviceId, instanceId) {
      if (quarantineMs === 0) return;
      const key = serviceId.toLowerCase();
      let quarantined = failed.get(key);
      if (quarantined === undefined) {
        quarantined = new Map();
        failed.set(key, quarantined);
      }
      quarantined.set(instanceId, clock.now() + quarantineMs);
    },
  };
}
