import { createCandidates } from '../internal/candidates.js';
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
  const candidates = createCandidates(options);
  const positions = new Map<string, number>();
  return {
    choose(serviceId) {
      const instances = candidates.of(serviceId, discovery.getInstances(serviceId));
      if (instances.length === 0) return null;
      const key = serviceId.toLowerCase();
      const position = positions.get(key) ?? 0;
      positions.set(key, (position + 1) % Number.MAX_SAFE_INTEGER);
      return instances[position % instances.length] ?? null;
    },
    markFailed: candidates.markFailed,
  };
}
