const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS = [36, 32, 33, 35, 34, 96, 92, 93];
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'v']);

/** A stable colour per process name, so every line of one process reads alike. */
export function colourFor(index: number): number {
  return COLORS[index % COLORS.length]!;
}

/**
 * Formats one pino JSON line for the combined `stratus up` log:
 * `name | 12:00:01 INFO application started port=8761`. Non-JSON lines pass through.
 * Field values are JSON-escaped so a hostile value cannot forge a line.
 */
export function formatLogLine(
  name: string,
  line: string,
  colour: number | null,
  width: number,
): string {
  const prefix =
    colour === null ? name.padEnd(width) : `\u001b[${colour}m${name.padEnd(width)}\u001b[0m`;
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    record = parsed as Record<string, unknown>;
  } catch {
    return `${prefix} | ${line}`;
  }
  const time =
    typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 19) : '';
  const level = LEVELS[Number(record.level)] ?? 'INFO';
  const fields = Object.entries(record)
    .filter(([key]) => !SKIP.has(key))
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' && /^[\w.:/@-]*$/.test(value) ? value : JSON.stringify(value)}`,
    )
    .join(' ');
  return `${prefix} | ${time} ${level.padEnd(5)} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}`;
}
