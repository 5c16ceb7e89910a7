import type { TokenVerifier } from '@stratus/boot';
import type { CircuitBreakerFactory } from '@stratus/resilience';
import type { GatewayExchange, RouteInfo } from '../exchange.js';
import type { FactoryContext, GatewayFilter, RoutePredicate } from '../filter-api.js';
import type { RouteDefinition } from '../route-definition.js';
import type { ArgSpec, BoundArgs } from './bind-args.js';
import type { KeyResolver } from '../key-resolvers.js';
import type { RateLimiterBackend } from './rate-limit/backend.js';

/** Shared services of one gateway, fixed for the life of one route table. */
export interface GatewayServices {
  /** Verifies bearer tokens for AuthorizationHeaderFilter; null when no key is configured. */
  readonly tokenVerifier: TokenVerifier | null;
  /** Token buckets of RequestRateLimiter (Redis, or in memory). */
  readonly rateLimiter: RateLimiterBackend;
  /** Key resolvers by bean name (`#{@principalNameKeyResolver}`). */
  readonly keyResolvers: ReadonlyMap<string, KeyResolver>;
  /** Spring Cloud CircuitBreaker over Resilience4j settings. */
  readonly circuitBreakers: CircuitBreakerFactory;
  /** Sends the exchange to a local path of this gateway (`forward:/fallback`). */
  readonly forwardLocally: (
    exchange: GatewayExchange,
    path: string,
    cause: unknown,
  ) => Promise<void>;
  /** Uniform numbers in [0, 1): Weight draws, retry jitter. */
  readonly random: () => number;
}

/** What built-in factories see: the public context plus the gateway's services. */
export interface CompileContext extends FactoryContext {
  readonly services: GatewayServices;
  /** True while only checking definitions: runtime-only needs (a key) are not required. */
  readonly validateOnly: boolean;
}

/** Creates a predicate from bound args; throws an Error whose message is the problem. */
export interface PredicateFactory extends ArgSpec {
  readonly name: string;
  create(args: BoundArgs, context: CompileContext): RoutePredicate;
}

/** Creates a filter from bound args; throws an Error whose message is the problem. */
export interface FilterFactory extends ArgSpec {
  readonly name: string;
  create(args: BoundArgs, context: CompileContext): GatewayFilter;
}

/** A filter placed in a route's chain. */
export interface CompiledFilter extends GatewayFilter {
  readonly name: string;
  readonly order: number;
}

/** Where a route sends its requests. */
export type RouteTarget =
  | { readonly kind: 'lb'; readonly serviceId: string }
  | { readonly kind: 'direct'; readonly origin: string }
  /** `forward:/path`: dispatched to this gateway's own routes or handlers. */
  | { readonly kind: 'forward'; readonly path: string }
  /** `no://op`: nothing is called; a filter (RedirectTo, SetStatus) makes the answer. */
  | { readonly kind: 'none' };

/** A route ready to serve. */
export interface CompiledRoute {
  readonly id: string;
  /** Unique within its table. */
  readonly key: string;
  readonly order: number;
  readonly target: RouteTarget;
  readonly predicates: readonly RoutePredicate[];
  /** Global, default and route filters merged and sorted by order. */
  readonly filters: readonly CompiledFilter[];
  /** Per-route response timeout, ms (0 = none), from metadata `response-timeout`. */
  readonly responseTimeoutMs: number | undefined;
  /** Per-route connect timeout, ms, from metadata `connect-timeout`. */
  readonly connectTimeoutMs: number | undefined;
  /** True when a filter may send the request again (Retry, CircuitBreaker with a fallback). */
  readonly needsReplayableBody: boolean;
  /** Problems that make the route refuse every request (it failed to compile). */
  readonly problems: readonly string[];
  readonly definition: RouteDefinition;
  /** What filters see of the route. */
  readonly info: RouteInfo;
}

/** One `Weight` group member. */
export interface WeightMember {
  readonly routeKey: string;
  readonly weight: number;
}

/** Everything served at one moment; replaced whole on refresh. */
export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  /** `Weight` groups by name, weights normalised to sum 1. */
  readonly weightGroups: ReadonlyMap<string, readonly WeightMember[]>;
  /** Every problem found while compiling, for logs and health. */
  readonly problems: readonly string[];
}
