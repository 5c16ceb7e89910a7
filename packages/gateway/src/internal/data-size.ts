const UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/**
 * Parses a Spring `DataSize` (`5MB`, `512KB`, `1000` = bytes). Units are binary
 * as in Spring (`1KB` = 1024 bytes).
 *
 * @returns bytes, or null when the text is not a data size.
 */
export function parseDataSize(text: string): number | null {
  const m = /^\s*(\d+)\s*([KMGT]?B)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1]) * (UNITS[(m[2] ?? 'B').toUpperCase()] ?? 1);
  return Number.isSafeInteger(value) ? value : null;
}

/** Spring's `getReadableByteCount` (decimal units): `6000000` → `6.0 MB`. */
export function readableByteCount(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const exp = Math.min(6, Math.floor(Math.log(bytes) / Math.log(1000)));
  return `${(bytes / 1000 ** exp).toFixed(1)} ${'KMGTPE'[exp - 1]}B`;
}
