import type { InstanceSource, LoadBalancer, LoadBalancerOptions } from '../load-balancer.js';
import { createQuarantine } from './quarantine.js';
import type { ServiceInstance } from '../types.js';

/** Metadata key holding an instance's zone (Spring's `ZonePreferenceServiceInstanceListSupplier`). */
export const ZONE_METADATA_KEY = 'zone';

/** Options of {@link createZonePreferenceLoadBalancer}. */
export interface ZonePreferenceLoadBalancerOptions extends LoadBalancerOptions {
  /**
   * The caller's zone (Spring: `spring.cloud.loadbalancer.zone`, else
   * `eureka.instance.metadata-map.zone`). Without it every zone is used.
   */
  zone?: string | undefined;
}

/**
 * Round-robin over the UP, non-quarantined instances whose metadata `zone`
 * equals the caller's zone (case-insensitive); when that zone has none, over
 * every zone.
 *
 * @example
 * const balancer = createZonePreferenceLoadBalancer(client, { zone: 'zone-a' });
 */
export function createZonePreferenceLoadBalancer(
  discovery: InstanceSource,
  options: ZonePreferenceLoadBalancerOptions = {},
): LoadBalancer {
  const quarantine = createQuarantine(options);
  const zone = options.zone?.trim().toLowerCase() || null;
  const positions = new Map<string, number>();
  const inZone = (instances: ServiceInstance[]): ServiceInstance[] => {
    if (zone === null) return instances;
    const local = instances.filter(
      (i) => i.metadata[ZONE_METADATA_KEY]?.trim().toLowerCase() === zone,
    );
    return local.length > 0 ? local : instances;
  };
  return {
    choose(serviceId, choice) {
      const instances = inZone(
        quarantine.candidates(serviceId, discovery.getInstances(serviceId), choice?.exclude),
      );
      if (instances.length === 0) return null;
      const key = serviceId.toLowerCase();
      const position = positions.get(key) ?? 0;
      positions.set(key, (position + 1) % Number.MAX_SAFE_INTEGER);
      return instances[position % instances.length] ?? null;
    },
    markFailed: quarantine.markFailed,
    markSucceeded: quarantine.markSucceeded,
  };
}
