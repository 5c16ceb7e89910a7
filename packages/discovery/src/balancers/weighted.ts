import { createQuarantine } from './quarantine.js';
import type { InstanceSource, LoadBalancer, LoadBalancerOptions } from '../load-balancer.js';
import type { ServiceInstance } from '../types.js';

/** Metadata key holding an instance's weight (Spring's `WeightedServiceInstanceListSupplier`). */
export const WEIGHT_METADATA_KEY = 'weight';

/** The instance's `weight` metadata as a positive integer; 1 when absent or invalid. */
export function weightOf(instance: ServiceInstance): number {
  const raw = instance.metadata[WEIGHT_METADATA_KEY];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return 1;
  const weight = Number(raw);
  return weight > 0 && Number.isSafeInteger(weight) ? weight : 1;
}

/**
 * Smooth weighted round-robin (nginx's algorithm) over the UP,
 * non-quarantined instances, by metadata `weight` (default 1): with weights
 * 3 and 1, four choices give the first instance three times, interleaved.
 *
 * @example
 * // instances registered with eureka.instance.metadata-map.weight=3 and =1
 * const balancer = createWeightedLoadBalancer(client);
 */
export function createWeightedLoadBalancer(
  discovery: InstanceSource,
  options: LoadBalancerOptions = {},
): LoadBalancer {
  const quarantine = createQuarantine(options);
  // service id → instance id → current weight
  const state = new Map<string, Map<string, number>>();
  return {
    choose(serviceId, choice) {
      const instances = quarantine.candidates(
        serviceId,
        discovery.getInstances(serviceId),
        choice?.exclude,
      );
      if (instances.length === 0) return null;
      const key = serviceId.toLowerCase();
      const previous = state.get(key) ?? new Map<string, number>();
      const current = new Map<string, number>();
      let total = 0;
      let best: ServiceInstance | null = null;
      let bestWeight = -Infinity;
      for (const instance of instances) {
        const weight = weightOf(instance);
        total += weight;
        const value = (previous.get(instance.instanceId) ?? 0) + weight;
        current.set(instance.instanceId, value);
        if (value > bestWeight) {
          best = instance;
          bestWeight = value;
        }
      }
      current.set(best!.instanceId, bestWeight - total);
      // Only the instances seen this time are kept, so departed ones do not accumulate.
      state.set(key, current);
      return best;
    },
    markFailed: quarantine.markFailed,
    markSucceeded: quarantine.markSucceeded,
  };
}
