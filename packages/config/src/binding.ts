import { StratusError, parseDurationMs } from '@stratus/core';
import type { ConfigEnvironment } from './environment.js';

/** How one property is bound. */
export type PropertySpec =
  | {
      key: string;
      type: 'string';
      default?: string;
      required?: boolean;
      pattern?: RegExp;
      minLength?: number;
    }
  | {
      key: string;
      type: 'number';
      default?: number;
      required?: boolean;
      min?: number;
      max?: number;
      integer?: boolean;
    }
  | { key: string; type: 'boolean'; default?: boolean; required?: boolean }
  | {
      key: string;
      type: 'duration';
      default?: number;
      required?: boolean;
      unit?: 'ms' | 's';
      min?: number;
    }
  | { key: string; type: 'list'; default?: string[]; required?: boolean }
  | { key: string; type: 'url'; default?: string; required?: boolean };

type Bound<S> = S extends { type: 'string' }
  ? string
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'duration' }
        ? number
        : S extends { type: 'list' }
          ? string[]
          : S extends { type: 'url' }
            ? string
            : never;

/** The typed, frozen result of `bindProperties`. */
export type BoundProperties<T extends Record<string, PropertySpec>> = {
  readonly [K in keyof T]: T[K] extends { required: true } | { default: unknown }
    ? Bound<T[K]>
    : Bound<T[K]> | undefined;
};

/**
 * Binds and validates properties in one pass, collecting every problem before
 * failing — Spring's `@ConfigurationProperties` + `@Validated`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` (500) whose `details.problems` lists each one.
 * @example
 * const opts = bindProperties(env, { port: { key: 'server.port', type: 'number', default: 0, min: 0, max: 65535 } });
 */
export function bindProperties<T extends Record<string, PropertySpec>>(
  env: ConfigEnvironment,
  specs: T,
): BoundProperties<T> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = env.get(spec.key);
    if (raw === undefined || raw === null || raw === '') {
      if (spec.default !== undefined) out[name] = spec.default;
      else if (spec.required) problems.push(`${spec.key}: is required`);
      continue;
    }
    const problem = bindOne(spec, raw, (value) => (out[name] = value));
    if (problem) problems.push(`${spec.key}: ${problem}`);
  }
  if (problems.length > 0) {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      message: `Invalid configuration:\n  - ${problems.join('\n  - ')}`,
      details: { problems },
      retryable: false,
    });
  }
  return Object.freeze(out) as BoundProperties<T>;
}

function bindOne(spec: PropertySpec, raw: unknown, set: (value: unknown) => void): string | null {
  switch (spec.type) {
    case 'string': {
      const value = String(raw);
      if (spec.pattern && !spec.pattern.test(value)) return `does not match ${spec.pattern}`;
      if (spec.minLength !== undefined && value.length < spec.minLength)
        return `must be at least ${spec.minLength} characters`;
      set(value);
      return null;
    }
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(value) || String(raw).trim() === '')
        return `'${String(raw)}' is not a number`;
      if (spec.integer && !Number.isInteger(value)) return 'must be an integer';
      if (spec.min !== undefined && value < spec.min) return `must be >= ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}`;
      set(value);
      return null;
    }
    case 'boolean': {
      const text = String(raw).trim().toLowerCase();
      if (text !== 'true' && text !== 'false') return `'${String(raw)}' is not true or false`;
      set(text === 'true');
      return null;
    }
    case 'duration': {
      const value = parseDurationMs(raw, spec.unit ?? 'ms');
      if (value === null) return `'${String(raw)}' is not a duration`;
      if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min} ms`;
      set(value);
      return null;
    }
    case 'list': {
      const value = Array.isArray(raw)
        ? raw.map(String)
        : String(raw)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
      set(value);
      return null;
    }
    case 'url': {
      try {
        const url = new URL(String(raw));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
      } catch {
        return `'${String(raw)}' is not a URL`;
      }
      set(String(raw));
      return null;
    }
  }
}

/** Reads a list property that may be a YAML list (`a[0]`, `a[1]`) or a comma string. */
export function getList(env: ConfigEnvironment, key: string): string[] {
  const direct = env.get(key);
  if (typeof direct === 'string')
    return direct
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const nested = env.getObject(key);
  if (Array.isArray(nested)) return nested.map(String);
  if (nested && typeof nested === 'object') return Object.values(nested).map(String);
  return [];
}
