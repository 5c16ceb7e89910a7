const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a Spring Boot duration (`500`, `500ms`, `5s`, `1m`, `PT5S`) into
 * milliseconds. A bare number uses `defaultUnit`. Returns `null` when the text
 * is not a duration.
 */
export function parseDurationMs(
  value: unknown,
  defaultUnit: keyof typeof UNITS = 'ms',
): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value * UNITS[defaultUnit]! : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const simple = /^(-?\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?$/i.exec(text);
  if (simple) return Number(simple[1]) * UNITS[(simple[2] ?? defaultUnit).toLowerCase()]!;
  // ISO-8601 as java.time.Duration prints it: PnDTnHnMn.nS
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (iso && text.length > 1 && text.toUpperCase() !== 'PT') {
    const [, d, h, m, s] = iso;
    return (
      Number(d ?? 0) * UNITS.d! +
      Number(h ?? 0) * UNITS.h! +
      Number(m ?? 0) * UNITS.m! +
      Number(s ?? 0) * 1000
    );
  }
  return null;
}
