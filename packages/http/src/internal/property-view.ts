import type { PropertySource } from '../property-source.js';

/** A uniform, read-only view of one snapshot of the properties. */
export interface PropertyView {
  /** The value at `key` (relaxed: `connectTimeout` = `connect-timeout`), or undefined. */
  get(key: string): unknown;
  /** Every leaf under `prefix`: its key below the prefix as written, and its value. */
  entries(prefix: string): Array<readonly [string, unknown]>;
}

/** Spring's relaxed binding reduced to one form: lower case, no `-` or `_`. */
export const uniformKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** Flattens nested maps and lists to `a.b[0].c` keys. */
function flattenInto(value: unknown, key: string, out: Array<[string, unknown]>): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flattenInto(item, `${key}[${index}]`, out));
    return;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      if (UNSAFE.has(name)) continue;
      flattenInto(child, key === '' ? name : `${key}.${name}`, out);
    }
    return;
  }
  if (key !== '') out.push([key, value]);
}

function isEnvironment(
  source: PropertySource,
): source is Extract<PropertySource, { getObject: unknown }> {
  return (
    typeof (source as { getObject?: unknown }).getObject === 'function' &&
    typeof (source as { get?: unknown }).get === 'function'
  );
}

/** The part of `key` after its first `length` characters that count in its uniform form. */
function restAfter(key: string, length: number): string {
  let counted = 0;
  let index = 0;
  while (index < key.length && counted < length) {
    if (key[index] !== '-' && key[index] !== '_') counted++;
    index++;
  }
  return key.slice(index).replace(/^\./, '');
}

/** Reads a map once into uniform keys. */
function mapView(map: Readonly<Record<string, unknown>>): PropertyView {
  const flat: Array<[string, unknown]> = [];
  flattenInto(map, '', flat);
  const byUniform = new Map<string, unknown>();
  const ordered: Array<readonly [string, string, unknown]> = [];
  for (const [key, value] of flat) {
    const uniform = uniformKey(key);
    if (byUniform.has(uniform)) continue;
    byUniform.set(uniform, value);
    ordered.push([uniform, key, value]);
  }
  return {
    get: (key) => byUniform.get(uniformKey(key)),
    entries(prefix) {
      const uniformPrefix = uniformKey(prefix);
      return ordered
        .filter(
          ([uniform]) =>
            uniform.startsWith(`${uniformPrefix}.`) || uniform.startsWith(`${uniformPrefix}[`),
        )
        .map(([, key, value]) => [restAfter(key, uniformPrefix.length), value] as const);
    },
  };
}

/** A view over `source` as it is now. */
export function viewOf(source: PropertySource): PropertyView {
  if (!isEnvironment(source)) return mapView(source);
  return {
    get: (key) => source.get(key),
    entries(prefix) {
      const flat: Array<[string, unknown]> = [];
      flattenInto(source.getObject(prefix) ?? {}, '', flat);
      return flat;
    },
  };
}

/** Subscribes to the source's changes when it can tell them; returns the unsubscribe function. */
export function watch(source: PropertySource, listener: () => void): () => void {
  const onChange = (source as { onChange?: unknown }).onChange;
  if (typeof onChange !== 'function') return () => undefined;
  const stop = (onChange as (l: () => unknown) => unknown).call(source, listener);
  return typeof stop === 'function' ? () => void (stop as () => unknown)() : () => undefined;
}
