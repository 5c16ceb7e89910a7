import type { ServiceInstance } from './types.js';

/** Picks one instance of a service, or null when there is none. */
export interface LoadBalancer {
  choose(serviceId: string): ServiceInstance | null;
}

/** Anything that lists the UP instances of a service (an `EurekaClient`, a static list). */
export interface InstanceSource {
  getInstances(serviceId: string): ServiceInstance[];
}

/**
 * Round-robin over `discovery.getInstances(serviceId)`, with one position per
 * service id (case-insensitive).
 *
 * @example
 * const balancer = createRoundRobinLoadBalancer(client);
 * balancer.choose('user-service')?.uri; // 'http://10.0.0.5:8080'
 */
export function createRoundRobinLoadBalancer(discovery: InstanceSource): LoadBalancer {
  const positions = new Map<string, number>();
  return {
    choose(serviceId) {
      const instances = discovery.getInstances(serviceId);
      if (instances.length === 0) return null;
      const key = serviceId.toLowerCase();
      const position = positions.get(key) ?? 0;
      positions.set(key, (position + 1) % Number.MAX_SAFE_INTEGER);
      return instances[position % instances.length] ?? null;
    },
  };
}
