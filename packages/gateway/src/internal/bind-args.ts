import { parseDataSizeBytes, parseDurationMs } from '@stratus/core';
import type { ShortcutType } from '../filter-api.js';

/** The argument schema of a predicate or filter factory. */
export interface ArgSpec {
  /** Field names in shortcut order. */
  readonly shortcutFieldOrder: readonly string[];
  /** @default 'DEFAULT' */
  readonly shortcutType?: ShortcutType;
  /** Fields only settable in the expanded form. */
  readonly extraFields?: readonly string[];
  /** Fields that hold a list (indexed keys `name.0` or a comma-separated value). */
  readonly listFields?: readonly string[];
}

// Spring relaxed binding: `match-trailing-slash`, `matchTrailingSlash` and `match_trailing_slash` are one name.
const canonical = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');
const GENKEY = /^_genkey_(\d+)$/;

/** Arguments bound to a factory's fields; accessors throw an Error with a problem message. */
export class BoundArgs {
  readonly #values: Map<string, string | string[]>;
  constructor(values: Map<string, string | string[]>) {
    this.#values = values;
  }
  /** The value of a scalar field, or undefined. */
  string(name: string): string | undefined {
    const value = this.#values.get(canonical(name));
    return Array.isArray(value) ? value.join(',') : value;
  }
  /** The value of a required scalar field. */
  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw new Error(`argument '${name}' is required`);
    return value;
  }
  /** The values of a list field (empty when absent). */
  list(name: string): string[] {
    const value = this.#values.get(canonical(name));
    if (value === undefined) return [];
    return Array.isArray(value)
      ? value
      : value
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
  }
  /** A boolean field (`true`/`false`, any case). */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new Error(`argument '${name}' must be true or false, got ${JSON.stringify(value)}`);
  }
  /** True when the field was given. */
  has(name: string): boolean {
    return this.#values.has(canonical(name));
  }
  /** A finite number field. */
  number(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const n = Number(value.trim());
    if (!Number.isFinite(n))
      throw new Error(`argument '${name}' must be a number, got ${JSON.stringify(value)}`);
    return n;
  }
  /** A Spring `Duration` field (`10ms`, `5s`, `PT1M`, a bare number of ms), in ms. */
  duration(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const ms = parseDurationMs(value.trim());
    if (ms === null || ms < 0)
      throw new Error(`argument '${name}' must be a duration, got ${JSON.stringify(value)}`);
    return ms;
  }
  /** A Spring `DataSize` field (`5MB`, `512KB`, a bare number of bytes), in bytes. */
  dataSize(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    const bytes = parseDataSizeBytes(value.trim());
    if (bytes === null)
      throw new Error(`argument '${name}' must be a data size, got ${JSON.stringify(value)}`);
    return bytes;
  }
  /** A non-negative integer field. */
  integer(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined || value === '') return fallback;
    if (!/^\d+$/.test(value.trim()))
      throw new Error(
        `argument '${name}' must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    return Number(value.trim());
  }
}

/**
 * Binds a definition's flat `args` (`_genkey_N` from the shortcut form, or
 * named keys with list items as `name.N`) to a factory's fields.
 *
 * @throws Error naming the first unknown argument or extra shortcut value.
 */
export function bindArgs(args: Readonly<Record<string, string>>, spec: ArgSpec): BoundArgs {
  const keys = Object.keys(args);
  const values = new Map<string, string | string[]>();
  const order = spec.shortcutFieldOrder;
  if (keys.length > 0 && keys.every((key) => GENKEY.test(key))) {
    const ordered = keys
      .map((key) => ({ index: Number(GENKEY.exec(key)?.[1]), value: args[key] as string }))
      .sort((a, b) => a.index - b.index)
      .map((entry) => entry.value);
    const type = spec.shortcutType ?? 'DEFAULT';
    if (type === 'DEFAULT') {
      if (ordered.length > order.length) {
        throw new Error(
          `expects at most ${order.length} argument(s) (${order.join(', ') || 'none'}), got ${ordered.length}`,
        );
      }
      ordered.forEach((value, index) => values.set(canonical(order[index] as string), value));
    } else {
      const [listField, flagField] = order;
      if (listField === undefined) throw new Error('factory has no list field');
      const last = ordered[ordered.length - 1]?.toLowerCase();
      if (
        type === 'GATHER_LIST_TAIL_FLAG' &&
        flagField !== undefined &&
        (last === 'true' || last === 'false')
      ) {
        values.set(canonical(flagField), last);
        values.set(canonical(listField), ordered.slice(0, -1));
      } else values.set(canonical(listField), ordered);
    }
    return new BoundArgs(values);
  }
  const known = new Set([...order, ...(spec.extraFields ?? [])].map(canonical));
  const lists = new Set((spec.listFields ?? []).map(canonical));
  const indexed = new Map<string, { index: number; value: string }[]>();
  for (const key of keys) {
    const value = args[key] as string;
    const listItem = /^(.+)\.(\d+)$/.exec(key) ?? /^(.+)\[(\d+)\]$/.exec(key);
    const name = canonical(listItem ? (listItem[1] as string) : key);
    if (GENKEY.test(key) || !known.has(name)) {
      const expected = [...order, ...(spec.extraFields ?? [])];
      throw new Error(
        `unknown argument '${key}' (expected ${expected.join(', ') || 'no arguments'})`,
      );
    }
    if (listItem) {
      if (!lists.has(name)) throw new Error(`argument '${listItem[1]}' is not a list`);
      const items = indexed.get(name) ?? [];
      items.push({ index: Number(listItem[2]), value });
      indexed.set(name, items);
    } else values.set(name, value);
  }
  for (const [name, items] of indexed) {
    const prior = values.get(name);
    const head = prior === undefined ? [] : Array.isArray(prior) ? prior : [prior];
    values.set(name, [
      ...head,
      ...items.sort((a, b) => a.index - b.index).map((item) => item.value),
    ]);
  }
  return new BoundArgs(values);
}
