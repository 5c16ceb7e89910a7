const ISO_WITH_OFFSET =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a Java `ZonedDateTime` as written in gateway config
 * (`2017-01-20T17:42:47.789-07:00[America/Denver]`) or epoch milliseconds.
 * The `[Zone]` suffix is ignored; the offset is required.
 *
 * @returns epoch milliseconds, or null when the text is not a date-time with an offset.
 */
export function parseZonedDateTime(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const m = ISO_WITH_OFFSET.exec(trimmed.replace(/\[[^\]]*\]$/, ''));
  if (!m) return null;
  const fraction = m[2] ? `.${m[2].slice(0, 3).padEnd(3, '0')}` : '';
  const ms = Date.parse(`${m[1]}${fraction}${m[3]}`);
  return Number.isNaN(ms) ? null : ms;
}
