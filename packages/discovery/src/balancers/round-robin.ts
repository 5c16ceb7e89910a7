import { createQuarantine } from './quarantine.js';
import type { InstanceSource, LoadBalancer, LoadBalancerOptions } from '../load-balancer.js';

/**
 * Round-robin over the UP, non-quarantined instances of
 * `discovery.getInstances(serviceId)`, one position per service id
 * (case-insensitive). Spring's default `RoundRobinLoadBalancer`.
 *
 * @example
 * const balancer = createRoundRobinLoadBalancer(client);
 * balancer.choose('user-service')?.uri; // 'http://10.0.0.5:8080'
 */
export function createRoundRobinLoadBalancer(
  discovery: InstanceSource,
  options: LoadBalancerOptions = {},
): LoadBalancer {
  const quarantine = createQuarantine(options);
  const positions = new Map<string, number>();
  return {
    choose(serviceId, choice) {
      const instances = quarantine.candidates(
        serviceId,
        discovery.getInstances(serviceId),
        choice?.exclude,
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
