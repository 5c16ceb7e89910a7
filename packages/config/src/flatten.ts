/** A flat property map as Spring's property sources hold it: `a.b[0].c` → value. */
export type FlatProperties = Record<string, unknown>;

/**
 * Flattens a nested object the way Spring flattens YAML: nested maps join with
 * `.`, lists become `[n]` indices, scalars keep their JSON type. An empty map or
 * list becomes an empty string, as Boot's YAML loader does.
 */
export function flattenProperties(
  value: unknown,
  prefix = '',
  out: FlatProperties = {},
): FlatProperties {
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out[prefix] = '';
    value.forEach((item, index) => flattenProperties(item, `${prefix}[${index}]`, out));
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = '';
    for (const [key, child] of entries) {
      // Keys that themselves contain dots or brackets are kept verbatim, like Boot's `[a.b]` escape.
      const name = key.startsWith('[') && key.endsWith(']') ? key.slice(1, -1) : key;
      flattenProperties(child, prefix ? `${prefix}.${name}` : name, out);
    }
    return out;
  }
  if (prefix) out[prefix] = value instanceof Date ? value.toISOString() : (value ?? '');
  return out;
}

const SEGMENT = /([^.[\]]+)|\[(\d+)\]/g;
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** Splits `a.b[0].c` into `['a', 'b', 0, 'c']`. */
export function splitPropertyPath(key: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of key.matchAll(SEGMENT)) {
    parts.push(match[2] !== undefined ? Number(match[2]) : match[1]!);
  }
  return parts;
}

/**
 * Rebuilds a nested object from flat keys (`a.b[0].c`). Index gaps are
 * compacted, so `list[0]` and `list[2]` give a two-element list.
 */
export function unflattenProperties(flat: FlatProperties): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = splitPropertyPath(key);
    // A key such as `__proto__.x` must never reach Object.prototype.
    if (parts.some((part) => typeof part === 'string' && UNSAFE_SEGMENTS.has(part))) continue;
    let node: Record<string | number, unknown> = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      if (last) {
        node[part] = value;
        break;
      }
      const nextIsIndex = typeof parts[i + 1] === 'number';
      let child = node[part];
      if (child === null || typeof child !== 'object') {
        child = nextIsIndex ? [] : {};
        node[part] = child;
      }
      node = child as Record<string | number, unknown>;
    }
  }
  return compactArrays(root) as Record<string, unknown>;
}

function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      (value as Record<string, unknown>)[k] = compactArrays(v);
  }
  return value;
}
