import { stringify } from 'yaml';
import { unflattenProperties } from '@stratus/config';
import type { PropertySource } from '../environment.js';

const MAX_PLACEHOLDER_DEPTH = 32;
// A key with one of these segments would let unflattening write to Object.prototype.
const UNSAFE_SEGMENT = /(^|[.[\]])(__proto__|constructor|prototype)([.[\]]|$)/;

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * Merges property sources (index 0 highest) into one flat map the way Spring's
 * `EnvironmentController.convertToProperties` does: plain keys by precedence, but a list
 * (`key[n]…`) from a higher source replaces the whole list of lower ones. `spring.profiles`
 * is dropped.
 */
export function mergeSources(sources: readonly PropertySource[]): Record<string, unknown> {
  const combined = new Map<string, unknown>();
  const lists = new Map<string, Map<string, unknown>>();
  for (const source of [...sources].reverse()) {
    const entries = Object.entries(source.source);
    const listsDone = new Set<string>();
    for (const [key, value] of entries) {
      const bracket = key.indexOf('[');
      if (bracket === -1) {
        combined.set(key, value);
        continue;
      }
      const prefix = key.slice(0, bracket);
      if (listsDone.has(prefix)) continue;
      listsDone.add(prefix);
      const filtered = new Map<string, unknown>();
      for (const [other, otherValue] of entries) {
        if (other.startsWith(`${prefix}[`)) filtered.set(other, otherValue);
      }
      lists.set(prefix, filtered);
    }
  }
  for (const filtered of lists.values()) {
    for (const [key, value] of filtered) combined.set(key, value);
  }
  combined.delete('spring.profiles');
  const out: Record<string, unknown> = {};
  for (const [key, value] of combined) {
    if (!UNSAFE_SEGMENT.test(key)) setOwn(out, key, value);
  }
  return out;
}

/**
 * Resolves `${key}` and `${key:default}` (nested) in string values against the map itself.
 * Unresolvable placeholders stay as they are; cycles stop at the cycle.
 */
export function resolvePlaceholdersIn(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    setOwn(
      out,
      key,
      typeof value === 'string' ? resolveText(value, flat, new Set([key]), 0) : value,
    );
  }
  return out;
}

function resolveText(
  text: string,
  flat: Record<string, unknown>,
  visiting: Set<string>,
  depth: number,
): string {
  if (depth > MAX_PLACEHOLDER_DEPTH || !text.includes('${')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const end = closingBrace(text, start + 2);
    if (end === -1) {
      out += text.slice(start);
      break;
    }
    const body = text.slice(start + 2, end);
    const separator = defaultSeparator(body);
    const key = resolveText(
      separator === -1 ? body : body.slice(0, separator),
      flat,
      visiting,
      depth + 1,
    );
    const found = Object.hasOwn(flat, key) && !visiting.has(key) ? flat[key] : undefined;
    if (found !== undefined && found !== null) {
      const next = new Set(visiting).add(key);
      out += typeof found === 'string' ? resolveText(found, flat, next, depth + 1) : String(found);
    } else if (separator !== -1) {
      out += resolveText(body.slice(separator + 1), flat, visiting, depth + 1);
    } else {
      out += text.slice(start, end + 1);
    }
    i = end + 1;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith('${', i)) {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function defaultSeparator(body: string): number {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('${', i)) {
      depth++;
      i++;
    } else if (body[i] === '}') depth--;
    else if (body[i] === ':' && depth === 0) return i;
  }
  return -1;
}

/** YAML text of the nested map; a lone top-level `document` key is unwrapped (`stripDocument`). */
export function toYaml(flat: Record<string, unknown>): string {
  const nested = unflattenProperties(flat);
  const keys = Object.keys(nested);
  const value = keys.length === 1 && keys[0] === 'document' ? nested['document'] : nested;
  return stringify(value);
}

/** Spring's `.properties` output: `key: value` lines, colon-space, no escaping. */
export function toPropertiesText(flat: Record<string, unknown>): string {
  return Object.entries(flat)
    .map(([key, value]) => `${key}: ${value === null || value === undefined ? '' : String(value)}`)
    .join('\n');
}

/** Nested JSON text. */
export function toJsonText(flat: Record<string, unknown>): string {
  return JSON.stringify(unflattenProperties(flat));
}
