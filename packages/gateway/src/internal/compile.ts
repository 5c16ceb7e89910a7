import { unsupportedReason } from './unsupported-factories.js';
import type { Clock, Logger } from '@stratus/core';
import { invalidRoutes } from '../errors.js';
import type { RouteInfo } from '../exchange.js';
import type { GatewayFilter, RoutePredicate } from '../filter-api.js';
import type { ArgsDefinition, GatewayDefinitions, RouteDefinition } from '../route-definition.js';
import type { GatewaySettings } from '../settings.js';
import { bindArgs } from './bind-args.js';
import { parseRouteTarget } from './route-target.js';
import type {
  CompileContext,
  CompiledFilter,
  CompiledRoute,
  FilterFactory,
  GatewayServices,
  PredicateFactory,
  RouteTable,
  WeightMember,
} from './types.js';

/** What compiling a table needs. */
export interface CompileOptions {
  readonly filterFactories: ReadonlyMap<string, FilterFactory>;
  readonly predicateFactories: ReadonlyMap<string, PredicateFactory>;
  readonly globalFilters: readonly CompiledFilter[];
  readonly services: GatewayServices;
  readonly settings: GatewaySettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Only check: a missing verification key (or the like) is not a problem. */
  readonly validateOnly: boolean;
}

/** A filter that may send the request again, so its body must be kept (Retry, CircuitBreaker's fallback). */
export interface ReplayingFilter {
  readonly replaysRequest?: boolean;
}

/** A filter with its name and position; methods are bound, so class instances work too. */
export function placeFilter(
  filter: GatewayFilter & ReplayingFilter,
  name: string,
  order: number,
): CompiledFilter & ReplayingFilter {
  return {
    name,
    order,
    ...(filter.pre ? { pre: filter.pre.bind(filter) } : {}),
    ...(filter.post ? { post: filter.post.bind(filter) } : {}),
    ...(filter.filter ? { filter: filter.filter.bind(filter) } : {}),
    ...(filter.replaysRequest ? { replaysRequest: true } : {}),
  };
}

const known = (table: ReadonlyMap<string, unknown>): string => [...table.keys()].sort().join(', ');

function contextFor(
  routeId: string,
  routeKey: string,
  options: CompileOptions,
  weights: Map<string, WeightMember[]>,
): CompileContext & { registerWeight(group: string, weight: number): void } {
  return {
    routeId,
    routeKey,
    clock: options.clock,
    logger: options.logger,
    settings: options.settings,
    services: options.services,
    validateOnly: options.validateOnly,
    registerWeight(group, weight) {
      const members = weights.get(group) ?? [];
      members.push({ routeKey, weight });
      weights.set(group, members);
    },
  };
}

function compileFilters(
  items: readonly ArgsDefinition[],
  label: string,
  context: CompileContext,
  options: CompileOptions,
  problems: string[],
): CompiledFilter[] {
  const out: CompiledFilter[] = [];
  items.forEach((item, index) => {
    const where = `${label}[${index}] ${item.name}`;
    const factory = options.filterFactories.get(item.name);
    if (!factory) {
      problems.push(
        `${where}: unknown filter${unsupportedReason(item.name)} (known: ${known(options.filterFactories)})`,
      );
      return;
    }
    try {
      const filter = factory.create(bindArgs(item.args, factory), context);
      // spring-wire.md §5.1: a filter without an order of its own gets its position (index + 1).
      out.push(placeFilter(filter, item.name, filter.order ?? index + 1));
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  });
  return out;
}

function compilePredicates(
  route: RouteDefinition,
  label: string,
  context: CompileContext,
  options: CompileOptions,
  problems: string[],
): RoutePredicate[] {
  const out: RoutePredicate[] = [];
  route.predicates.forEach((item, position) => {
    const where = `${label}.predicates[${position}] ${item.name}`;
    const factory = options.predicateFactories.get(item.name);
    if (!factory) {
      problems.push(
        `${where}: unknown predicate${unsupportedReason(item.name)} (known: ${known(options.predicateFactories)})`,
      );
      return;
    }
    try {
      out.push(factory.create(bindArgs(item.args, factory), context));
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  });
  return out;
}

function metadataMs(
  route: RouteDefinition,
  key: string,
  label: string,
  problems: string[],
  allowDisable: boolean,
): number | undefined {
  const raw = route.metadata[key];
  if (raw === undefined || raw === null) return undefined;
  const value =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^-?\d+$/.test(raw.trim())
        ? Number(raw)
        : NaN;
  if (allowDisable && value === -1) return 0;
  if (!Number.isSafeInteger(value) || value <= 0) {
    problems.push(
      `${label}.metadata.${key}: must be a positive number of milliseconds${allowDisable ? ' or -1' : ''}`,
    );
    return undefined;
  }
  return value;
}

function compileRoute(
  route: RouteDefinition,
  index: number,
  defaults: readonly ArgsDefinition[],
  options: CompileOptions,
  weights: Map<string, WeightMember[]>,
  tableProblems: string[],
): CompiledRoute | null {
  const label = `routes[${index}] (${route.id})`;
  const key = `${index}:${route.id}`;
  const context = contextFor(route.id, key, options, weights);
  const predicateProblems: string[] = [];
  const predicates = compilePredicates(route, label, context, options, predicateProblems);
  const problems: string[] = [];
  const target = parseRouteTarget(route.uri);
  if (typeof target === 'string') problems.push(`${label}.uri: ${target}`);
  const own = [
    ...compileFilters(defaults, `${label} default-filters`, context, options, problems),
    ...compileFilters(route.filters, `${label}.filters`, context, options, problems),
  ];
  // Stable sort: global filters first on ties, then defaults, then the route's own (§5.1, §5.5).
  const filters = [...options.globalFilters, ...own].sort((a, b) => a.order - b.order);
  const responseTimeoutMs = metadataMs(route, 'response-timeout', label, problems, true);
  const connectTimeoutMs = metadataMs(route, 'connect-timeout', label, problems, false);
  tableProblems.push(...predicateProblems, ...problems);
  // A route whose predicates do not compile cannot match anything; one whose filters or uri do
  // not compile is kept and refuses its requests, so a typo never opens a path around a filter.
  if (predicateProblems.length > 0) return null;
  const info: RouteInfo = Object.freeze({
    id: route.id,
    uri: route.uri,
    order: route.order,
    metadata: route.metadata,
  });
  return {
    id: route.id,
    key,
    order: route.order,
    target: typeof target === 'string' ? { kind: 'none' } : target,
    predicates,
    filters,
    responseTimeoutMs,
    connectTimeoutMs,
    needsReplayableBody: filters.some(
      (filter) => (filter as ReplayingFilter).replaysRequest === true,
    ),
    problems: Object.freeze(problems),
    definition: route,
    info,
  };
}

/** Weights normalised per group so they sum to 1 (WeightCalculatorWebFilter). */
function normaliseWeights(
  weights: Map<string, WeightMember[]>,
): ReadonlyMap<string, readonly WeightMember[]> {
  const out = new Map<string, readonly WeightMember[]>();
  for (const [group, members] of weights) {
    const total = members.reduce((sum, member) => sum + member.weight, 0);
    if (total > 0)
      out.set(
        group,
        Object.freeze(members.map((m) => ({ routeKey: m.routeKey, weight: m.weight / total }))),
      );
  }
  return out;
}

/**
 * Compiles definitions into a table sorted by `order`, then definition order. Nothing throws:
 * every problem is listed in `problems`, naming the route and the predicate or filter.
 */
export function compileRouteTable(
  definitions: GatewayDefinitions,
  options: CompileOptions,
): RouteTable {
  const problems: string[] = [];
  const weights = new Map<string, WeightMember[]>();
  const routes: CompiledRoute[] = [];
  definitions.routes.forEach((route, index) => {
    const compiled = compileRoute(
      route,
      index,
      definitions.defaultFilters,
      options,
      weights,
      problems,
    );
    if (compiled !== null) routes.push(compiled);
  });
  const sorted = routes
    .map((route, index) => ({ route, index }))
    .sort((a, b) => a.route.order - b.route.order || a.index - b.index)
    .map((entry) => entry.route);
  return Object.freeze({
    routes: Object.freeze(sorted),
    weightGroups: normaliseWeights(weights),
    problems: Object.freeze([...new Set(problems)]),
  });
}

/**
 * @throws StratusError `GW_ERR_INVALID_ROUTE` when the table has problems.
 */
export function assertValidTable(table: RouteTable): RouteTable {
  if (table.problems.length > 0) throw invalidRoutes(table.problems);
  return table;
}
