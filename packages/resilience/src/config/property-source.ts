/**
 * Where `resilience4j.*` and `spring.cloud.circuitbreaker.resilience4j.*` properties come from.
 * Any of:
 * - a flat map as property sources hold it (`{ 'resilience4j.retry.instances.a.max-attempts': 3 }`),
 *   a nested map as YAML parses (`{ resilience4j: { retry: … } }`), or a mix;
 * - an environment with `getObject(prefix)` (Stratus's `ConfigEnvironment`);
 * - an environment that lists its keys under a prefix and reads each one.
 */
export type ResiliencePropertySource =
  | Readonly<Record<string, unknown>>
  | { getObject(prefix: string): Record<string, unknown> | undefined }
  | { keys(prefix: string): Iterable<string>; get(key: string): unknown };

/** One property: its path split into segments (names and list indices) and its value. */
export interface PropertyEntry {
  readonly path: ReadonlyArray<string | number>;
  readonly value: unknown;
}

export const RESILIENCE4J_PREFIX = 'resilience4j';
export const SPRING_CLOUD_PREFIX = 'spring.cloud.circuitbreaker.resilience4j';

/** Spring's relaxed binding reduced to one form: lower case, no `-` or `_`. */
export function uniform(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Every property of the source under the two prefixes, with the prefix kept in the path. */
export function readPropertyEntries(source: ResiliencePropertySource): PropertyEntry[] {
  const out: PropertyEntry[] = [];
  if (hasFunction(source, 'getObject')) {
    const env = source as { getObject(prefix: string): Record<string, unknown> | undefined };
    for (const prefix of [RESILIENCE4J_PREFIX, SPRING_CLOUD_PREFIX]) {
      const tree = env.getObject(prefix);
      if (tree !== undefined) flattenInto(tree, splitKey(prefix), out);
    }
  } else if (hasFunction(source, 'keys') && hasFunction(source, 'get')) {
    const env = source as { keys(prefix: string): Iterable<string>; get(key: string): unknown };
    for (const prefix of [RESILIENCE4J_PREFIX, SPRING_CLOUD_PREFIX]) {
      for (const key of env.keys(prefix)) flattenInto(env.get(key), splitKey(key), out);
    }
  } else {
    flattenInto(source, [], out);
  }
  return out.filter((entry) => underPrefix(entry.path));
}

function hasFunction(value: unknown, name: string): boolean {
  return typeof (value as Record<string, unknown>)[name] === 'function';
}

function underPrefix(path: ReadonlyArray<string | number>): boolean {
  const names = path.map((segment) => (typeof segment === 'string' ? uniform(segment) : segment));
  if (names[0] === RESILIENCE4J_PREFIX) return true;
  return splitKey(SPRING_CLOUD_PREFIX).every((segment, i) => names[i] === segment);
}

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

function flattenInto(value: unknown, path: Array<string | number>, out: PropertyEntry[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0 && path.length > 0) out.push({ path, value: '' });
    value.forEach((item, index) => flattenInto(item, [...path, index], out));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    // An empty block (`instances: { backendA: {} }`) still names an instance, as Boot's "" does.
    if (Object.keys(value).length === 0 && path.length > 0) out.push({ path, value: '' });
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const segments = splitKey(key);
      if (segments.some((s) => typeof s === 'string' && UNSAFE.has(s))) continue;
      flattenInto(child, [...path, ...segments], out);
    }
    return;
  }
  if (path.length > 0) out.push({ path, value });
}

/** Splits `a.b[0].c` and `instances.[name.with.dots].x` into segments. */
export function splitKey(key: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of key.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(/^\d+$/.test(match[1]) ? Number(match[1]) : match[1]);
    else segments.push(match[2]!);
  }
  return segments;
}
