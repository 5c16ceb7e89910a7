/**
 * True for a JSON-style object: not `null`, not an array. The one check every parser of
 * untrusted JSON or YAML uses before reading fields.
 *
 * @example
 * isRecord({ a: 1 }); // true
 * isRecord([1]);      // false
 * isRecord(null);     // false
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
