const UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
};

/**
 * Parses a Spring Boot `DataSize` or Logback `FileSize` (`10MB`, `512KB`, `1 gb`, `100` bytes)
 * into bytes, with binary multiples as both use. Returns `null` when the text is not a size.
 *
 * @example
 * parseDataSizeBytes('10MB'); // 10485760
 */
export function parseDataSizeBytes(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+)\s*([a-z]{0,2})\s*$/i.exec(value);
  if (!match) return null;
  const unit = UNITS[(match[2] || 'b').toLowerCase()];
  if (unit === undefined) return null;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : null;
}
