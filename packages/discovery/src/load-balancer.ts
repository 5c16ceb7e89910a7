import type { Clock } from '@stratus/core';
import type { ServiceInstance } from './types.js';

/** Options of one {@link LoadBalancer.choose} call. */
export interface ChooseOptions {
  /** Instance ids not to choose, e.g. the ones a request already failed on. @default none */
  readonly exclude?: ReadonlySet<string> | undefined;
}

/**
 * Picks one instance of a service, or null when there is none: the one
 * interface the gateway and the HTTP client share. Only UP instances are
 * considered. An instance reported through `markFailed` is quarantined: the
 * first failure briefly, each further failure after the quarantine ended twice
 * as long (up to a cap), a `markSucceeded` clears it. When every candidate is
 * quarantined, the least recently failed one is chosen rather than none.
 */
export interface LoadBalancer {
  choose(serviceId: string, options?: ChooseOptions): ServiceInstance | null;
  /**
   * Reports that a call to `instanceId` of `serviceId` failed in a way that
   * says the instance is gone (connection refused or reset, a 502/503 from
   * it): the balancer quarantines it at once. A balancer backed by a registry
   * cache may also fetch the registry early. Unknown ids are ignored.
   */
  markFailed(serviceId: string, instanceId: string): void;
  /** Reports a call that reached the instance and got an answer: ends its quarantine and failure streak. */
  markSucceeded?(serviceId: string, instanceId: string): void;
  /** Fetches the registry now (coalesced with fetches in flight); resolves when done, never rejects. */
  refresh?(): Promise<void>;
}

/** Anything that lists the UP instances of a service (an `EurekaClient`, a static list). */
export interface InstanceSource {
  getInstances(serviceId: string): ServiceInstance[];
}

/** Options shared by every balancer. */
export interface LoadBalancerOptions {
  /**
   * Quarantine after an instance's first failure; 0 turns quarantine off.
   * Stratus: `stratus.loadbalancer.quarantine-ms`. @default 1000 (ms)
   */
  quarantineMs?: number;
  /**
   * Longest quarantine: each failure after a quarantine ended doubles it up to
   * this (Ribbon's `circuitTripMaxTimeoutSeconds`). Stratus:
   * `stratus.loadbalancer.max-quarantine-ms`. @default 30000 (ms)
   */
  maxQuarantineMs?: number;
  /** Source of time for the quarantine. @default systemClock */
  clock?: Clock;
}

/** Spring's `spring.cloud.loadbalancer.configurations` values understood here (`default` = round-robin). */
export type LoadBalancerName = 'round-robin' | 'random' | 'weighted' | 'zone-preference';
