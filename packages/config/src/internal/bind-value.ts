import { Secret, parseDataSizeBytes, parseDurationMs } from '@stratus/core';
import type { PropertySpec } from '../binding.js';

/** A scalar spec: every kind but the list, the map and the object, which read several keys. */
export type ScalarSpec = Exclude<
  PropertySpec,
  { type: 'list' } | { type: 'map' } | { type: 'object' }
>;

/** The bound value, or what is wrong with the raw one. */
export type Conversion = { value: unknown } | { problem: string };

// Spring's StringToBooleanConverter.
const TRUE_TEXTS = new Set(['true', 'on', 'yes', '1']);
const FALSE_TEXTS = new Set(['false', 'off', 'no', '0']);

/**
 * Converts one present, non-empty raw value as `spec` says. Problems quote the value, except
 * for a secret, whose value never appears.
 */
export function convertScalar(spec: ScalarSpec, raw: unknown): Conversion {
  const text = String(raw).trim();
  switch (spec.type) {
    case 'string': {
      const value = String(raw);
      if (spec.pattern && !spec.pattern.test(value)) return fail(`does not match ${spec.pattern}`);
      if (spec.minLength !== undefined && value.length < spec.minLength)
        return fail(`must be at least ${spec.minLength} characters`);
      return { value };
    }
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(text);
      if (!Number.isFinite(value) || text === '') return fail(`'${String(raw)}' is not a number`);
      if (spec.integer && !Number.isInteger(value)) return fail('must be an integer');
      return within(value, spec.min, spec.max, '');
    }
    case 'int': {
      const value = typeof raw === 'number' ? raw : /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(value)) return fail(`'${String(raw)}' is not a whole number`);
      return within(value, spec.min, spec.max, '');
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE_TEXTS.has(lower)) return { value: true };
      if (FALSE_TEXTS.has(lower)) return { value: false };
      return fail(`'${String(raw)}' is not true or false`);
    }
    case 'duration': {
      const value = parseDurationMs(raw, spec.unit ?? 'ms');
      if (value === null) return fail(`'${String(raw)}' is not a duration (like 5s or 500ms)`);
      return within(value, spec.min, spec.max, ' ms');
    }
    case 'dataSize': {
      const value = parseDataSizeBytes(raw);
      if (value === null) return fail(`'${String(raw)}' is not a data size (like 10MB or 512KB)`);
      return within(value, spec.min, spec.max, ' bytes');
    }
    case 'url':
      return isHttpUrl(text)
        ? { value: String(raw) }
        : fail(`'${String(raw)}' is not an http(s) URL`);
    case 'enum': {
      const wanted = relaxed(text);
      const value = spec.values.find((candidate) => relaxed(candidate) === wanted);
      return value === undefined
        ? fail(`'${String(raw)}' is not one of ${spec.values.join(', ')}`)
        : { value };
    }
    case 'secret': {
      const value = String(raw);
      if (spec.minLength !== undefined && value.length < spec.minLength)
        return fail(`must be at least ${spec.minLength} characters (the value is not shown)`);
      return { value: new Secret(value) };
    }
  }
}

function fail(problem: string): Conversion {
  return { problem };
}

function within(value: number, min: number | undefined, max: number | undefined, unit: string) {
  if (min !== undefined && value < min) return fail(`must be at least ${min}${unit}`);
  if (max !== undefined && value > max) return fail(`must be at most ${max}${unit}`);
  return { value };
}

function isHttpUrl(text: string): boolean {
  try {
    const protocol = new URL(text).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Spring's relaxed enum matching: `CONNECTION_TIMEOUT_ONLY`, `connection-timeout-only`. */
function relaxed(text: string): string {
  return text.toLowerCase().replace(/[-_\s]/g, '');
}
