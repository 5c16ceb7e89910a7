import { randomUUID } from 'node:crypto';
import { invalidRoutes } from './errors.js';
import { parseShortcut } from './internal/shortcut.js';

export { parseShortcut };

/** A predicate or filter as Spring stores it: a name and flat string args (`_genkey_N` for shortcut args, `patterns.0` for list items). */
export interface ArgsDefinition {
  readonly name: string;
  readonly args: Readonly<Record<string, string>>;
}

/** A route predicate definition (`Path`, `Method`, …). */
export type PredicateDefinition = ArgsDefinition;
/** A route filter definition (`RewritePath`, `AuthorizationHeaderFilter`, …). */
export type FilterDefinition = ArgsDefinition;

/** One route, Spring's `RouteDefinition`. */
export interface RouteDefinition {
  /** Route id; duplicates are allowed (the seed repeats `user-service`). Generated when absent. */
  readonly id: string;
  /** `lb://SERVICE-ID`, `http://host:port` or `https://host:port`. */
  readonly uri: string;
  readonly predicates: readonly PredicateDefinition[];
  readonly filters: readonly FilterDefinition[];
  /** Arbitrary map; `response-timeout` (ms, -1 disables) and `connect-timeout` (ms) are honoured. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Lower first; ties keep definition order. @default 0 */
  readonly order: number;
}

/** Parsed, validated gateway configuration. */
export interface GatewayDefinitions {
  readonly routes: readonly RouteDefinition[];
  /** Applied to every route, interleaved with the route's filters by position. */
  readonly defaultFilters: readonly FilterDefinition[];
}

const ROUTE_KEYS = new Set(['id', 'uri', 'predicates', 'filters', 'metadata', 'order']);
const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
// CVE-2022-22947, CVE-2025-41243: arguments are data; an expression is never evaluated, so `#{…}`
// and an unresolved `${…}` are refused outright. Two exceptions, neither evaluated: spring-wire.md
// §5.8's bean reference `#{@name}` as the whole value of an argument naming a bean (key-resolver,
// rate-limiter), looked up in an allow-listed registry; and Java's group reference `${name}` in
// the replacement of RewritePath / RewriteResponseHeader (the filter checks the group exists).
const EXPRESSION = /#\{|\$\{/;
const BEAN_REFERENCE = /^#\{@[A-Za-z_$][\w$]*\}$/;
const BEAN_ARGUMENTS = new Set(['keyresolver', 'ratelimiter']);
const GROUP_REFERENCE = /\$\{[A-Za-z][A-Za-z0-9]*\}/g;
const REPLACEMENT_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  RewritePath: ['replacement', '_genkey_1'],
  RewriteResponseHeader: ['replacement', '_genkey_2'],
};

type Problems = string[];
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Arrays as they are, objects with numeric keys (from flattened properties) as arrays. */
function asList(value: unknown, where: string, problems: Problems): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isRecord(value) && Object.keys(value).every((key) => /^\d+$/.test(key))) {
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => value[key]);
  }
  problems.push(`${where}: must be a list`);
  return [];
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return '';
  return undefined;
}

function checkSpel(text: string, where: string, problems: Problems): void {
  if (EXPRESSION.test(text))
    problems.push(`${where}: expressions ('#{…}', '\${…}') are not allowed in route definitions`);
}

/** Checks every argument of an item against the expression rule and its two exceptions. */
function checkArguments(item: ArgsDefinition, where: string, problems: Problems): void {
  const replacements = REPLACEMENT_ARGUMENTS[item.name] ?? [];
  for (const [key, value] of Object.entries(item.args)) {
    checkSpel(key, where, problems);
    const field = key.toLowerCase().replace(/[-_]/g, '');
    if (BEAN_ARGUMENTS.has(field) && BEAN_REFERENCE.test(value.trim())) continue;
    checkSpel(
      replacements.includes(key) ? value.replace(GROUP_REFERENCE, '') : value,
      where,
      problems,
    );
  }
}

function flattenArgs(
  value: unknown,
  prefix: string,
  out: Record<string, string>,
  where: string,
  problems: Problems,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flattenArgs(item, `${prefix}.${index}`, out, where, problems));
    return;
  }
  if (isRecord(value)) {
    for (const [key, item] of Object.entries(value))
      flattenArgs(item, prefix ? `${prefix}.${key}` : key, out, where, problems);
    return;
  }
  const text = scalarText(value);
  if (text === undefined) {
    problems.push(`${where}: argument '${prefix}' has an unsupported value`);
    return;
  }
  out[prefix] = text;
}

function parseItem(item: unknown, where: string, problems: Problems): ArgsDefinition | null {
  if (typeof item === 'string') {
    try {
      const parsed = parseShortcut(item);
      checkArguments(parsed, where, problems);
      return parsed;
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      return null;
    }
  }
  if (!isRecord(item)) {
    problems.push(`${where}: must be 'Name=args' or { name, args }`);
    return null;
  }
  for (const key of Object.keys(item)) {
    if (key !== 'name' && key !== 'args')
      problems.push(`${where}: unknown key '${key}' (expected name, args)`);
  }
  const name = typeof item['name'] === 'string' ? item['name'].trim() : '';
  if (!NAME.test(name)) {
    problems.push(`${where}: invalid name ${JSON.stringify(item['name'] ?? null)}`);
    return null;
  }
  const args: Record<string, string> = {};
  const rawArgs = item['args'];
  if (rawArgs !== undefined && rawArgs !== null) {
    if (!isRecord(rawArgs)) problems.push(`${where}: args must be a map`);
    else flattenArgs(rawArgs, '', args, where, problems);
  }
  const parsed = { name, args };
  checkArguments(parsed, where, problems);
  return parsed;
}

function checkMetadata(value: unknown, where: string, problems: Problems): void {
  if (typeof value === 'string') checkSpel(value, where, problems);
  else if (Array.isArray(value))
    value.forEach((item, index) => checkMetadata(item, `${where}[${index}]`, problems));
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      checkSpel(key, where, problems);
      checkMetadata(item, `${where}.${key}`, problems);
    }
  }
}

function parseRoute(raw: unknown, where: string, problems: Problems): RouteDefinition | null {
  if (!isRecord(raw)) {
    problems.push(`${where}: must be a map`);
    return null;
  }
  for (const key of Object.keys(raw)) {
    if (!ROUTE_KEYS.has(key))
      problems.push(
        `${where}: unknown key '${key}' (expected id, uri, predicates, filters, metadata, order)`,
      );
  }
  const idText = raw['id'] === undefined ? undefined : scalarText(raw['id']);
  if (raw['id'] !== undefined && (idText === undefined || idText === ''))
    problems.push(`${where}: id must be a non-empty string`);
  if (idText !== undefined) checkSpel(idText, `${where}.id`, problems);
  const label = idText ? `${where} (${idText})` : where;
  const uri = raw['uri'];
  if (typeof uri !== 'string' || uri.trim() === '') problems.push(`${label}.uri: is required`);
  else checkSpel(uri, `${label}.uri`, problems);
  let order = 0;
  if (raw['order'] !== undefined) {
    const text = scalarText(raw['order']);
    if (text === undefined || !/^-?\d+$/.test(text.trim()))
      problems.push(`${label}.order: must be an integer`);
    else order = Number(text.trim());
  }
  let metadata: Record<string, unknown> = {};
  if (raw['metadata'] !== undefined && raw['metadata'] !== null) {
    if (!isRecord(raw['metadata'])) problems.push(`${label}.metadata: must be a map`);
    else {
      metadata = structuredClone(raw['metadata']);
      checkMetadata(metadata, `${label}.metadata`, problems);
    }
  }
  const predicates = asList(raw['predicates'], `${label}.predicates`, problems)
    .map((item, index) => parseItem(item, `${label}.predicates[${index}]`, problems))
    .filter((item): item is ArgsDefinition => item !== null);
  const filters = asList(raw['filters'], `${label}.filters`, problems)
    .map((item, index) => parseItem(item, `${label}.filters[${index}]`, problems))
    .filter((item): item is ArgsDefinition => item !== null);
  return {
    id: idText || randomUUID(),
    uri: typeof uri === 'string' ? uri.trim() : '',
    predicates,
    filters,
    metadata,
    order,
  };
}

/** Finds the gateway object in a whole Spring tree, `spring.cloud.gateway`, or its `server.webflux` form. */
function selectGatewayConfig(config: unknown): { routes: unknown; defaultFilters: unknown } {
  let gateway: unknown = config;
  if (isRecord(gateway) && isRecord(gateway['spring'])) {
    const cloud = gateway['spring']['cloud'];
    gateway = isRecord(cloud) ? cloud['gateway'] : undefined;
  }
  if (!isRecord(gateway)) return { routes: undefined, defaultFilters: undefined };
  const server = gateway['server'];
  const webflux = isRecord(server) && isRecord(server['webflux']) ? server['webflux'] : {};
  const pick = (source: Record<string, unknown>): unknown =>
    source['default-filters'] ?? source['defaultFilters'];
  return {
    routes: webflux['routes'] ?? gateway['routes'],
    defaultFilters: pick(webflux) ?? pick(gateway),
  };
}

/**
 * Parses gateway configuration as it comes from YAML: the `spring.cloud.gateway` object, its
 * `server.webflux` form (preferred when both are present), or a whole tree that contains
 * `spring`. Predicates and filters may be shortcut strings or `{ name, args }`. The structure
 * is checked here — route keys, names, `order`, `metadata`, and `#{…}` / `${…}` expressions
 * anywhere — and every problem reported in one error; names and arguments are checked when a
 * gateway compiles the routes (it knows the custom factories). Other gateway keys
 * (`httpclient`, `discovery`, …) are ignored here.
 *
 * @throws StratusError `GW_ERR_INVALID_ROUTE` listing every problem.
 * @example
 * const definitions = parseGatewayDefinitions(yaml.parse(text).spring.cloud.gateway);
 */
export function parseGatewayDefinitions(config: unknown): GatewayDefinitions {
  const { definitions, problems } = parseDefinitions(config);
  if (problems.length > 0) throw invalidRoutes(problems);
  return definitions;
}

/** {@link parseGatewayDefinitions} without throwing: what parsed, and every problem found. */
export function parseDefinitions(config: unknown): {
  definitions: GatewayDefinitions;
  problems: string[];
} {
  const problems: Problems = [];
  const selected = selectGatewayConfig(config);
  const defaultFilters = asList(selected.defaultFilters, 'default-filters', problems)
    .map((item, index) => parseItem(item, `default-filters[${index}]`, problems))
    .filter((item): item is ArgsDefinition => item !== null);
  const routes = asList(selected.routes, 'routes', problems)
    .map((route, index) => parseRoute(route, `routes[${index}]`, problems))
    .filter((route): route is RouteDefinition => route !== null);
  return { definitions: deepFreeze({ routes, defaultFilters }), problems };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
