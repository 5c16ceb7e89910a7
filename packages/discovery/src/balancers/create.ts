import { unknownLoadBalancer } from '../errors.js';
import type {
  InstanceSource,
  LoadBalancer,
  LoadBalancerName,
  LoadBalancerOptions,
} from '../load-balancer.js';
import { createRandomLoadBalancer } from './random.js';
import { createRoundRobinLoadBalancer } from './round-robin.js';
import { createWeightedLoadBalancer } from './weighted.js';
import { createZonePreferenceLoadBalancer } from './zone-preference.js';

/** Options of {@link createLoadBalancer}: the union of every balancer's options. */
export interface CreateLoadBalancerOptions extends LoadBalancerOptions {
  /**
   * Spring's `spring.cloud.loadbalancer.configurations`: `round-robin`
   * (or `default`), `random`, `weighted`, `zone-preference`.
   * @default 'round-robin'
   */
  name?: string | undefined;
  /** For `zone-preference`: the caller's zone. */
  zone?: string | undefined;
  /** For `random`: uniform source in [0, 1). @default Math.random */
  random?: () => number;
}

const ALIASES: Readonly<Record<string, LoadBalancerName>> = Object.freeze({
  default: 'round-robin',
  'round-robin': 'round-robin',
  roundrobin: 'round-robin',
  random: 'random',
  weighted: 'weighted',
  'zone-preference': 'zone-preference',
  zonepreference: 'zone-preference',
});

/** Reads a balancer name (case-insensitive, Spring's names); null when unknown. */
export function parseLoadBalancerName(value: string): LoadBalancerName | null {
  return ALIASES[value.trim().toLowerCase()] ?? null;
}

/**
 * Creates the balancer named by `options.name` over `source`.
 *
 * @throws StratusError `REG_ERR_UNKNOWN_LOAD_BALANCER` for an unknown name.
 * @example
 * const balancer = createLoadBalancer(client, { name: 'zone-preference', zone: 'zone-a' });
 */
export function createLoadBalancer(
  source: InstanceSource,
  options: CreateLoadBalancerOptions = {},
): LoadBalancer & { readonly name: LoadBalancerName } {
  const name = parseLoadBalancerName(options.name ?? 'round-robin');
  if (name === null) throw unknownLoadBalancer(String(options.name), Object.keys(ALIASES));
  const base = {
    clock: options.clock,
    quarantineMs: options.quarantineMs,
    maxQuarantineMs: options.maxQuarantineMs,
  };
  const balancer =
    name === 'random'
      ? createRandomLoadBalancer(source, { ...base, random: options.random })
      : name === 'weighted'
        ? createWeightedLoadBalancer(source, base)
        : name === 'zone-preference'
          ? createZonePreferenceLoadBalancer(source, { ...base, zone: options.zone })
          : createRoundRobinLoadBalancer(source, base);
  return {
    name,
    choose: balancer.choose,
    markFailed: balancer.markFailed,
    markSucceeded: balancer.markSucceeded,
  };
}
