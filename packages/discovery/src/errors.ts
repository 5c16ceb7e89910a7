import { StratusError } from '@stratus/core';

/** Every error code of `@stratus/discovery`. A shipped code is never reused. */
export const DISCOVERY_ERROR_CODES = Object.freeze({
  /** Client options failed validation (thrown by `createEurekaClient`). */
  INVALID_CLIENT_OPTIONS: 'REG_ERR_INVALID_CLIENT_OPTIONS',
  /** Every registry server failed (network error, timeout or 5xx). Logged, never thrown into callers. */
  SERVER_UNAVAILABLE: 'REG_ERR_SERVER_UNAVAILABLE',
  /** A registry answered with a body we cannot use (not JSON, no `applications`, too large). */
  BAD_REGISTRY_RESPONSE: 'REG_ERR_BAD_REGISTRY_RESPONSE',
  /** `spring.cloud.loadbalancer.configurations` names no known balancer (thrown by `createLoadBalancer`). */
  UNKNOWN_LOAD_BALANCER: 'REG_ERR_UNKNOWN_LOAD_BALANCER',
  /** Static or Kubernetes discovery options failed validation. */
  INVALID_DISCOVERY_OPTIONS: 'REG_ERR_INVALID_DISCOVERY_OPTIONS',
} as const);

export type DiscoveryErrorCode = (typeof DISCOVERY_ERROR_CODES)[keyof typeof DISCOVERY_ERROR_CODES];

/** Thrown by `createEurekaClient` for bad options; `details.problems` lists every problem. */
export function invalidClientOptions(problems: string[]): StratusError {
  return new StratusError(
    DISCOVERY_ERROR_CODES.INVALID_CLIENT_OPTIONS,
    500,
    'Invalid Eureka client options',
    {
      details: { problems },
      message: `Invalid Eureka client options: ${problems.join('; ')}`,
    },
  );
}

/** A registry response that cannot be used. */
export function badRegistryResponse(reason: string): StratusError {
  return new StratusError(
    DISCOVERY_ERROR_CODES.BAD_REGISTRY_RESPONSE,
    502,
    'Bad registry response',
    {
      details: { reason },
    },
  );
}

/** An unknown balancer name; `details.known` lists the accepted ones. */
export function unknownLoadBalancer(name: string, known: string[]): StratusError {
  return new StratusError(
    DISCOVERY_ERROR_CODES.UNKNOWN_LOAD_BALANCER,
    500,
    'Unknown load balancer',
    {
      details: { name, known },
      message: `Unknown load balancer '${name}'; expected one of ${known.join(', ')}`,
    },
  );
}

/** Bad static or Kubernetes discovery options; `details.problems` lists every problem. */
export function invalidDiscoveryOptions(problems: string[]): StratusError {
  return new StratusError(
    DISCOVERY_ERROR_CODES.INVALID_DISCOVERY_OPTIONS,
    500,
    'Invalid discovery options',
    { details: { problems }, message: `Invalid discovery options: ${problems.join('; ')}` },
  );
}
