import { createQuarantine } from './quarantine.js';
import type { InstanceSource, LoadBalancer, LoadBalancerOptions } from '../load-balancer.js';

/** Options of {@link createRandomLoadBalancer}. */
export interface RandomLoadBalancerOptions extends LoadBalancerOptions {
  /** Uniform source in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Picks a uniformly random UP, non-quarantined instance (Spring's `RandomLoadBalancer`).
 *
 * @example
 * const balancer = createRandomLoadBalancer(client);
 * balancer.choose('user-service');
 */
export function createRandomLoadBalancer(
  discovery: InstanceSource,
  options: RandomLoadBalancerOptions = {},
): LoadBalancer {
  const quarantine = createQuarantine(options);
  const random = options.random ?? Math.random;
  return {
    choose(serviceId, choice) {
      const instances = quarantine.candidates(
        serviceId,
        discovery.getInstances(serviceId),
        choice?.exclude,
      );
      if (instances.length === 0) return null;
      const index = Math.min(instances.length - 1, Math.floor(random() * instances.length));
      return instances[Math.max(0, index)] ?? null;
    },
    markFailed: quarantine.markFailed,
    markSucceeded: quarantine.markSucceeded,
  };
}
