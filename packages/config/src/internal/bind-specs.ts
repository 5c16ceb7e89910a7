import { isRecord } from '@stratus/core';
import type { ConfigEnvironment } from '../environment.js';
import { flattenProperties } from '../flatten.js';
import type { ListSpec, MapSpec, PropertySpec } from '../binding.js';
import { convertScalar } from './bind-value.js';
import { readList } from './read-list.js';

/** A frozen object of bound values and every problem found on the way. */
export interface SpecsBinding {
  value: Readonly<Record<string, unknown>>;
  problems: string[];
}

/**
 * Binds every spec; `base` prefixes their keys (the `…repos.<name>` of a map's entries).
 * Nothing throws: problems are collected, each naming the key and its property source.
 */
export function bindSpecs(
  env: ConfigEnvironment,
  specs: Readonly<Record<string, PropertySpec>>,
  base: string,
): SpecsBinding {
  const problems: string[] = [];
  const value: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const key = base === '' ? spec.key : `${base}.${spec.key}`;
    const bound = bindSpec(env, spec, key, problems);
    if (bound !== undefined) value[name] = bound;
  }
  return { value: Object.freeze(value), problems };
}

function bindSpec(
  env: ConfigEnvironment,
  spec: PropertySpec,
  key: string,
  problems: string[],
): unknown {
  if (spec.type === 'object') {
    const group = bindSpecs(env, spec.properties, key);
    problems.push(...group.problems);
    return group.value;
  }
  if (spec.type === 'map') return bindMap(env, spec, key, problems);
  if (spec.type === 'list') return bindList(env, spec, key, problems);
  const found = env.lookupRaw(key);
  const raw = found === undefined ? undefined : env.get(key);
  if (found === undefined || raw === undefined || raw === null || raw === '')
    return absent(spec, key, problems);
  const conversion = convertScalar(spec, raw);
  if ('problem' in conversion) {
    problems.push(`${key} (${found.source}): ${conversion.problem}`);
    return undefined;
  }
  return conversion.value;
}

function bindList(
  env: ConfigEnvironment,
  spec: ListSpec,
  key: string,
  problems: string[],
): unknown {
  const direct = env.lookupRaw(key);
  const list = direct?.value === '' ? null : readList(env, key);
  if (list === null) return absent(spec, key, problems);
  return Object.freeze(list);
}

function bindMap(env: ConfigEnvironment, spec: MapSpec, key: string, problems: string[]): unknown {
  const direct = env.lookupRaw(key);
  if (direct !== undefined && direct.value !== '' && direct.value !== null) {
    problems.push(`${key} (${direct.source}): must be a map of keys, not a single value`);
    return undefined;
  }
  const nested = env.getObject(key) ?? {};
  const names = Object.keys(nested).filter((name) => name !== '$value');
  if (names.length === 0) return absent(spec, key, problems);
  if (spec.entries === undefined) {
    const flat = flattenProperties(Object.fromEntries(names.map((name) => [name, nested[name]])));
    return Object.freeze(
      Object.fromEntries(Object.entries(flat).map(([name, value]) => [name, String(value)])),
    );
  }
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const entryKey = `${key}.${name}`;
    if (!isRecord(nested[name])) {
      const source = env.lookupRaw(entryKey)?.source ?? 'unknown source';
      problems.push(`${entryKey} (${source}): must be a map of keys, not a single value`);
      continue;
    }
    const entry = bindSpecs(env, spec.entries, entryKey);
    problems.push(...entry.problems);
    out[name] = entry.value;
  }
  return Object.freeze(out);
}

/** The default (a frozen copy) of an absent property, or a problem when it is required. */
function absent(
  spec: Exclude<PropertySpec, { type: 'object' }>,
  key: string,
  problems: string[],
): unknown {
  const fallback = 'default' in spec ? spec.default : undefined;
  if (fallback !== undefined) {
    if (Array.isArray(fallback)) return Object.freeze([...(fallback as readonly string[])]);
    return isRecord(fallback) ? Object.freeze({ ...fallback }) : fallback;
  }
  if (spec.required) problems.push(`${key}: is required`);
  return undefined;
}
