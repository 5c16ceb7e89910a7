import { isRecord } from '@stratus/core';
import type { ConfigEnvironment } from '../environment.js';

/**
 * A list property: a comma-separated text (`a, b`), a YAML list (`key[0]`, `key[1]`), or the
 * values of a map under the key. `null` when nothing is set at or under `key`.
 */
export function readList(env: ConfigEnvironment, key: string): string[] | null {
  const direct = env.get(key);
  if (Array.isArray(direct)) return direct.map(String);
  if (direct !== undefined && direct !== null && typeof direct !== 'object')
    return String(direct)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const nested = env.getObject(key);
  if (Array.isArray(nested)) return nested.map(String);
  if (isRecord(nested)) return Object.values(nested).map(String);
  return null;
}
