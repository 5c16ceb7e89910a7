import type { InstanceStatus } from '../types.js';
import { toInstanceStatus, type PortInfo } from './model.js';

/** A parsed JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object: not `null`, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list where Jackson may have written one element instead (`"instance":{…}`). */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

/** A string, or a number or boolean as text; `null` for anything else. */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** True for `null` and for text that is only white space. */
export const isBlank = (value: string | null): boolean => value === null || value.trim() === '';

/** An integer from a number or a decimal string; `undefined` when absent or boolean, `null` when invalid. */
export function integerOf(value: unknown): number | null | undefined {
  if (value === undefined || value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,16}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** A boolean from `true`/`false` or their text in any case; `fallback` otherwise. */
export function booleanOf(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return fallback;
}

/**
 * A port written as a number, a numeric string or `{"$":n,"@enabled":"true"|true}`; an absent
 * number is `fallback`. `null` when the number is not in 0..65535, or absent without a fallback.
 */
export function portOf(
  value: unknown,
  fallback: number | null,
  enabledByDefault: boolean,
): PortInfo | null {
  const raw = isJsonObject(value) ? value.$ : value;
  const enabled = isJsonObject(value)
    ? booleanOf(value['@enabled'] ?? value.enabled, enabledByDefault)
    : enabledByDefault;
  const parsed = integerOf(raw);
  const number = parsed === undefined ? fallback : parsed;
  if (number === null || number < 0 || number > 65_535) return null;
  return { port: number, enabled };
}

/**
 * A string map (`metadata`): keys with text values, `@class` dropped
 * (`java.util.Collections$EmptyMap` marks an empty map).
 */
export function stringMapOf(value: unknown): Record<string, string> {
  if (!isJsonObject(value)) return {};
  const entries: [string, string][] = [];
  for (const [key, entry] of Object.entries(value)) {
    if (key === '@class') continue;
    const text = textOf(entry);
    if (text !== null) entries.push([key, text]);
  }
  return Object.fromEntries(entries);
}

/** A status in any case; an unknown name is `UNKNOWN`, an absent one `fallback`. */
export function statusOf(value: unknown, fallback: InstanceStatus): InstanceStatus {
  const name = textOf(value);
  return name === null ? fallback : (toInstanceStatus(name.trim().toUpperCase()) ?? 'UNKNOWN');
}
