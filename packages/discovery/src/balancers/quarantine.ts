import { systemClock } from '@stratus/core';
import type { LoadBalancerOptions } from '../load-balancer.js';
import type { ServiceInstance } from '../types.js';

/** Quarantine after an instance's first failure, ms. */
export const DEFAULT_QUARANTINE_MS = 1_000;
/** Longest quarantine, ms (Ribbon's `circuitTripMaxTimeoutSeconds` is 30 s too). */
export const DEFAULT_MAX_QUARANTINE_MS = 30_000;

/** UP filtering and the failed-instance quarantine shared by every balancer. */
export interface Quarantine {
  /**
   * The UP instances not excluded and not quarantined. When every one of them
   * is quarantined: only the least recently failed one, so a caller tries the
   * instance most likely to have recovered instead of failing outright.
   */
  candidates(
    serviceId: string,
    instances: readonly ServiceInstance[],
    exclude?: ReadonlySet<string>,
  ): ServiceInstance[];
  markFailed(serviceId: string, instanceId: string): void;
  markSucceeded(serviceId: string, instanceId: string): void;
  /** Quarantine time left for the instance, ms; 0 when it is not quarantined. */
  remainingMs(serviceId: string, instanceId: string): number;
}

interface Strike {
  /** Failures in the current streak, counting only those after a quarantine had ended. */
  failures: number;
  failedAtMs: number;
  untilMs: number;
  /** Handed out while quarantined (every candidate was): its next success counts. */
  isProbed: boolean;
}

/** Quarantine of the `failures`-th failure in a streak: base · 2^(failures−1), capped. */
export function quarantineLengthMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 52));
}

function settingsOf(options: LoadBalancerOptions): { baseMs: number; maxMs: number } {
  const baseMs = options.quarantineMs ?? DEFAULT_QUARANTINE_MS;
  if (!Number.isFinite(baseMs) || baseMs < 0)
    throw new RangeError('quarantineMs must be a number >= 0');
  const maxMs = options.maxQuarantineMs ?? Math.max(DEFAULT_MAX_QUARANTINE_MS, baseMs);
  if (!Number.isFinite(maxMs) || maxMs < baseMs)
    throw new RangeError('maxQuarantineMs must be a number >= quarantineMs');
  return { baseMs, maxMs };
}

/**
 * The quarantine of failed instances, per service id (case-insensitive). A
 * failure while the instance is already quarantined (other requests that were
 * in flight to it) does not lengthen it; the first failure after it ended
 * doubles it, as Ribbon's `ServerStats` blackout does; a streak is forgotten
 * on success or once the instance has gone a whole `maxQuarantineMs` past its
 * quarantine without failing. A success reported during the quarantine is
 * ignored unless the instance was chosen while quarantined: it belongs to a
 * request sent before the failure.
 */
export function createQuarantine(options: LoadBalancerOptions = {}): Quarantine {
  const clock = options.clock ?? systemClock;
  const { baseMs, maxMs } = settingsOf(options);
  // service id (lower case) → instance id → strike
  const failed = new Map<string, Map<string, Strike>>();

  const prune = (strikes: Map<string, Strike>, listed: readonly ServiceInstance[], now: number) => {
    const ids = new Set(listed.map((i) => i.instanceId));
    for (const [id, strike] of strikes) {
      if (!ids.has(id) || now >= strike.untilMs + maxMs) strikes.delete(id);
    }
  };

  return {
    candidates(serviceId, instances, exclude) {
      const up = instances.filter(
        (i) => i.status === 'UP' && (exclude === undefined || !exclude.has(i.instanceId)),
      );
      const strikes = failed.get(serviceId.toLowerCase());
      if (strikes === undefined || strikes.size === 0) return up;
      const now = clock.now();
      prune(strikes, instances, now);
      const healthy = up.filter((i) => (strikes.get(i.instanceId)?.untilMs ?? 0) <= now);
      if (healthy.length > 0 || up.length === 0) return healthy;
      let best = up[0]!;
      for (const instance of up) {
        const failedAt = strikes.get(instance.instanceId)?.failedAtMs ?? -Infinity;
        if (failedAt < (strikes.get(best.instanceId)?.failedAtMs ?? -Infinity)) best = instance;
      }
      const probed = strikes.get(best.instanceId);
      if (probed !== undefined) probed.isProbed = true;
      return [best];
    },
    markFailed(serviceId, instanceId) {
      if (baseMs === 0) return;
      const key = serviceId.toLowerCase();
      let strikes = failed.get(key);
      if (strikes === undefined) {
        strikes = new Map();
        failed.set(key, strikes);
      }
      const now = clock.now();
      const strike = strikes.get(instanceId);
      if (strike !== undefined && now < strike.untilMs) {
        strike.failedAtMs = now;
        strike.isProbed = false;
        return;
      }
      const failures =
        strike === undefined || now >= strike.untilMs + maxMs ? 1 : strike.failures + 1;
      const untilMs = now + quarantineLengthMs(failures, baseMs, maxMs);
      strikes.set(instanceId, { failures, failedAtMs: now, untilMs, isProbed: false });
    },
    markSucceeded(serviceId, instanceId) {
      const strikes = failed.get(serviceId.toLowerCase());
      const strike = strikes?.get(instanceId);
      if (strike !== undefined && (strike.isProbed || clock.now() >= strike.untilMs))
        strikes!.delete(instanceId);
    },
    remainingMs(serviceId, instanceId) {
      const strike = failed.get(serviceId.toLowerCase())?.get(instanceId);
      return strike === undefined ? 0 : Math.max(0, strike.untilMs - clock.now());
    },
  };
}
