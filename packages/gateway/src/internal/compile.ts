import { InvalidRouteDefinitionError } from '../errors.js';
import type { ArgsDefinition, GatewayDefinitions, RouteDefinition } from '../route-definition.js';
import { bindArgs } from './bind-args.js';
import { FILTER_FACTORIES, PREDICATE_FACTORIES } from './factories.js';
import type { FactoryContext, GatewayFilter, RoutePredicate } from './types.js';

/** Where a route sends its requests. */
export type RouteTarget =
  | { readonly kind: 'lb'; readonly serviceId: string }
  | { readonly kind: 'direct'; readonly origin: string };

/** A route ready to serve: predicates and sorted filters compiled. */
export interface CompiledRoute {
  readonly id: string;
  readonly order: number;
  readonly target: RouteTarget;
  readonly predicates: readonly RoutePredicate[];
  /** Default and route filters merged and sorted by order (defaults first on ties). */
  readonly filters: readonly GatewayFilter[];
  /** Per-route response timeout, ms (0 = none), from metadata `response-timeout`. */
  readonly responseTimeoutMs: number | undefined;
  /** Per-route connect timeout, ms, from metadata `connect-timeout`. */
  readonly connectTimeoutMs: number | undefined;
  readonly definition: RouteDefinition;
}

const LB = /^lb:\/\/([A-Za-z0-9][A-Za-z0-9._-]*)(?:\/[^\s]*)?$/;

function parseTarget(uri: string): RouteTarget | string {
  const lb = LB.exec(uri);
  if (lb) return { kind: 'lb', serviceId: lb[1] as string };
  if (uri.startsWith('lb:')) return `uri ${JSON.stringify(uri)} is not a valid lb://SERVICE-ID uri`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `uri ${JSON.stringify(uri)} is not a valid uri`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `uri ${JSON.stringify(uri)} must use lb, http or https`;
  }
  if (url.username !== '' || url.password !== '')
    return `uri ${JSON.stringify(uri)} must not contain credentials`;
  if (url.hostname === '') return `uri ${JSON.stringify(uri)} has no host`;
  return { kind: 'direct', origin: url.origin };
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

function compileFilters(
  items: readonly ArgsDefinition[],
  label: string,
  context: FactoryContext,
  problems: string[],
): GatewayFilter[] {
  const out: GatewayFilter[] = [];
  items.forEach((item, index) => {
    const where = `${label}[${index}] ${item.name}`;
    const factory = FILTER_FACTORIES.get(item.name);
    if (!factory) {
      problems.push(`${where}: unknown filter (known: ${[...FILTER_FACTORIES.keys()].join(', ')})`);
      return;
    }
    try {
      // spring-wire.md §5.1: each list's filters get order index+1.
      out.push(factory.create(bindArgs(item.args, factory), context, index + 1));
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  });
  return out;
}

/**
 * Compiles definitions into routes sorted by `order`, then definition order.
 *
 * @throws InvalidRouteDefinitionError listing every problem.
 */
export function compileRoutes(
  definitions: GatewayDefinitions,
  context: FactoryContext,
): CompiledRoute[] {
  const problems: string[] = [];
  const defaults = compileFilters(definitions.defaultFilters, 'default-filters', context, problems);
  const routes: CompiledRoute[] = [];
  definitions.routes.forEach((route, index) => {
    const label = `routes[${index}] (${route.id})`;
    const target = parseTarget(route.uri);
    if (typeof target === 'string') problems.push(`${label}.uri: ${target}`);
    const predicates: RoutePredicate[] = [];
    route.predicates.forEach((item, position) => {
      const where = `${label}.predicates[${position}] ${item.name}`;
      const factory = PREDICATE_FACTORIES.get(item.name);
      if (!factory) {
        problems.push(
          `${where}: unknown predicate (known: ${[...PREDICATE_FACTORIES.keys()].join(', ')})`,
        );
        return;
      }
      try {
        predicates.push(factory.create(bindArgs(item.args, factory), context));
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    });
    const own = compileFilters(route.filters, `${label}.filters`, context, problems);
    // Stable sort: defaults come first on equal order (spring-wire.md §5.1).
    const filters = [...defaults, ...own].sort((a, b) => a.order - b.order);
    const responseTimeoutMs = metadataMs(route, 'response-timeout', label, problems, true);
    const connectTimeoutMs = metadataMs(route, 'connect-timeout', label, problems, false);
    if (typeof target !== 'string') {
      routes.push({
        id: route.id,
        order: route.order,
        target,
        predicates,
        filters,
        responseTimeoutMs,
        connectTimeoutMs,
        definition: route,
      });
    }
  });
  if (problems.length > 0) throw new InvalidRouteDefinitionError(problems);
  return routes
    .map((route, index) => ({ route, index }))
    .sort((a, b) => a.route.order - b.route.order || a.index - b.index)
    .map((entry) => entry.route);
}
