import { defineErrors, type StratusError } from '@stratus/core';

/**
 * Every error of `@stratus/discovery`. Its codes shipped under the registry's `REG` area and keep
 * it: a shipped code is never renamed. New codes take the `DISC` area.
 */
export const DiscoveryErrors = defineErrors('REG', {
  /** Client options failed validation (thrown by `createEurekaClient`). */
  INVALID_CLIENT_OPTIONS: { status: 500, title: 'Invalid Eureka client options' },
  /** Every registry server failed (network error, timeout or 5xx). Logged, never thrown into callers. */
  SERVER_UNAVAILABLE: { status: 503, title: 'Registry unavailable' },
  /** A registry answered with a body we cannot use (not JSON, no `applications`, too large). */
  BAD_REGISTRY_RESPONSE: { status: 502, title: 'Bad registry response' },
  /** `spring.cloud.loadbalancer.configurations` names no known balancer (thrown by `createLoadBalancer`). */
  UNKNOWN_LOAD_BALANCER: { status: 500, title: 'Unknown load balancer' },
  /** Static or Kubernetes discovery options failed validation. */
  INVALID_DISCOVERY_OPTIONS: { status: 500, title: 'Invalid discovery options' },
});

/** A code of {@link DiscoveryErrors}. */
export type DiscoveryErrorCode = (typeof DiscoveryErrors)[keyof typeof DiscoveryErrors]['code'];

/** Thrown by `createEurekaClient` for bad options; `details.problems` lists every problem. */
export function invalidClientOptions(problems: string[]): StratusError {
  return DiscoveryErrors.INVALID_CLIENT_OPTIONS({
    details: { problems },
    message: `Invalid Eureka client options: ${problems.join('; ')}`,
  });
}

/** An unknown balancer name; `details.known` lists the accepted ones. */
export function unknownLoadBalancer(name: string, known: string[]): StratusError {
  return DiscoveryErrors.UNKNOWN_LOAD_BALANCER({
    details: { name, known },
    message: `Unknown load balancer '${name}'; expected one of ${known.join(', ')}`,
  });
}

/** Bad static or Kubernetes discovery options; `details.problems` lists every problem. */
export function invalidDiscoveryOptions(problems: string[]): StratusError {
  return DiscoveryErrors.INVALID_DISCOVERY_OPTIONS({
    details: { problems },
    message: `Invalid discovery options: ${problems.join('; ')}`,
  });
}
