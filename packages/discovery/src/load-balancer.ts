import type { Clock } from '@stratus/core';
import type { ServiceInstance } from './types.js';

/**
 * Picks one instance of a service, or null when there is none. Only UP
 * instances are considered; an instance reported through `markFailed` is
 * skipped for `quarantineMs` unless every instance is quarantined.
 */
export interface LoadBalancer {
  choose(serviceId: string): ServiceInstance | null;
  /**
   * Reports that a call to `instanceId` of `serviceId` failed to connect; the
   * balancer avoids it for the quarantine period. Unknown ids are ignored.
   */
  markFailed(serviceId: string, instanceId: string): void;
}

/** Anything that lists the UP instances of a service (an `EurekaClient`, a static list). */
export interface InstanceSource {
  getInstances(serviceId: string): ServiceInstance[];
}

/** Options shared by every balancer. */
export interface LoadBalancerOptions {
  /** How long an instance reported by `markFailed` is skipped. @default 10000 (ms) */
  quarantineMs?: number;
  /** Source of time for the quarantine. @default systemClock */
  clock?: Clock;
}

/** Spring's `spring.cloud.loadbalancer.configurations` values understood here (`default` = round-robin). */
export type LoadBalancerName = 'round-robin' | 'random' | 'weighted' | 'zone-preference';
