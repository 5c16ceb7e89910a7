const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;
const CONTROLS = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const SIMPLE_VALUE = /^[\w.:/@+-]+$/;
const MAX_CAUSES = 5;
const SHORT_ESCAPES: Record<string, string> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Escapes control characters as JSON does, so one record stays one line. */
export function escapeControl(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(
    CONTROLS,
    (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `key=value` pairs of every field not in `used`; values JSON-quoted unless plain. */
export function fieldsText(record: Record<string, unknown>, used: ReadonlySet<string>): string {
  let out = '';
  for (const key in record) {
    if (used.has(key)) continue;
    const value = record[key];
    if (value === undefined) continue;
    const text =
      typeof value === 'string' && SIMPLE_VALUE.test(value)
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : escapeControl(JSON.stringify(value));
    out += `${out === '' ? '' : ' '}${escapeControl(key)}=${text}`;
  }
  return out;
}

/**
 * A serialized error (pino's `{type, message, stack, cause}`) as Java prints a throwable:
 * `Type: message`, its `at …` frames, then `Caused by: …`. Messages are escaped; only frame
 * lines are taken from the stack, so a multi-line message cannot forge log lines.
 */
export function renderThrowable(err: unknown, depth = 0): string {
  if (err === null || typeof err !== 'object') return escapeControl(String(err));
  const { type, message, stack, cause } = err as Record<string, unknown>;
  let out = `${escapeControl(String(type ?? 'Error'))}: ${escapeControl(String(message ?? ''))}`;
  if (typeof stack === 'string') {
    for (const line of stack.split('\n')) {
      if (/^\s+at /.test(line)) out += `\n\t${escapeControl(line.trim())}`;
    }
  }
  if (cause !== undefined && cause !== null && depth < MAX_CAUSES)
    out += `\nCaused by: ${renderThrowable(cause, depth + 1)}`;
  return out;
}
