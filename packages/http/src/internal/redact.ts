// What FULL logging may show. Secrets are recognised by name (headers, JSON fields, form and
// query parameters), so a new field called `clientSecret` is hidden without anyone listing it.

export const REDACTED = '[redacted]';

const SECRET_NAME =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|authori[sz]ation|api[-_]?key|credential|cookie|session|private[-_]?key|signature|^otp$|^pin$/i;

const MAX_VALUE_CHARS = 1024;
const MAX_BODY_CHARS = 4096;
const MAX_DEPTH = 8;

/** True for a header, field or parameter name that may carry a secret. */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}…[${text.length - max} more]` : text;

/** Headers for a log line: secrets replaced, values clipped; pino escapes what is left. */
export function redactHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name.toLowerCase()] = isSecretName(name) ? REDACTED : clip(text, MAX_VALUE_CHARS);
  }
  return out;
}

/** A URL for a log line, its secret-named query parameters replaced. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return url;
  return `${url.slice(0, question)}?${redactForm(url.slice(question + 1))}`;
}

function redactForm(text: string): string {
  const params = new URLSearchParams(text);
  for (const [name] of params) if (isSecretName(name)) params.set(name, REDACTED);
  return params.toString();
}

function redactValue(value: unknown, depth: number): unknown {
  if (Array.isArray(value))
    return depth >= MAX_DEPTH ? '[…]' : value.map((item) => redactValue(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    if (depth >= MAX_DEPTH) return '{…}';
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>))
      out[key] = isSecretName(key) ? REDACTED : redactValue(child, depth + 1);
    return out;
  }
  return typeof value === 'string' ? clip(value, MAX_VALUE_CHARS) : value;
}

/**
 * A body for a FULL log line: JSON with secret-named fields replaced at any depth, a form with
 * secret-named parameters replaced, other text clipped, anything else only counted.
 */
export function redactBody(
  bytes: Uint8Array | undefined,
  contentType: string | undefined,
): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (type.includes('json')) {
    try {
      return redactValue(JSON.parse(text), 0);
    } catch {
      return `[${bytes.length} bytes, not JSON]`;
    }
  }
  if (type.includes('x-www-form-urlencoded')) return clip(redactForm(text), MAX_BODY_CHARS);
  if (type.startsWith('text/') || type.includes('xml')) {
    // Free text may hold anything; a secret-looking `name=value` or `"name": value` is hidden.
    return clip(
      text.replace(
        /([\w-]*(?:pass|pwd|secret|token|key|auth)[\w-]*["']?\s*[:=]\s*["']?)[^\s"'&,<]+/gi,
        `$1${REDACTED}`,
      ),
      MAX_BODY_CHARS,
    );
  }
  return `[${bytes.length} bytes]`;
}
