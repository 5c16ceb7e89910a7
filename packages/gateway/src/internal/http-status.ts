import { STATUS_CODES } from 'node:http';

// Spring's HttpStatus enum names, derived from the reason phrases, plus its older aliases.
const BY_NAME = new Map<string, number>([
  ['I_AM_A_TEAPOT', 418],
  ['MOVED_TEMPORARILY', 302],
  ['REQUEST_ENTITY_TOO_LARGE', 413],
  ['REQUEST_URI_TOO_LONG', 414],
  ['PAYLOAD_TOO_LARGE', 413],
  ['URI_TOO_LONG', 414],
]);
for (const [code, phrase] of Object.entries(STATUS_CODES)) {
  if (phrase === undefined) continue;
  const name = phrase
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  if (!BY_NAME.has(name)) BY_NAME.set(name, Number(code));
}

/**
 * Parses a status as Spring's `HttpStatusHolder.parse` does: a number (`401`) or an
 * `HttpStatus` name (`UNAUTHORIZED`, any case).
 *
 * @returns the code, or null when it is neither.
 */
export function parseHttpStatus(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d{3}$/.test(trimmed)) {
    const code = Number(trimmed);
    return code >= 100 && code <= 599 ? code : null;
  }
  return BY_NAME.get(trimmed.toUpperCase().replace(/[- ]/g, '_')) ?? null;
}

/** Spring's `HttpStatus.Series` names by leading digit. */
export const SERIES: Readonly<Record<string, number>> = Object.freeze({
  INFORMATIONAL: 1,
  SUCCESSFUL: 2,
  REDIRECTION: 3,
  CLIENT_ERROR: 4,
  SERVER_ERROR: 5,
});

/** Reads a required status argument, or throws a problem message. */
export function requireStatus(text: string | undefined, name: string): number {
  const code = text === undefined ? null : parseHttpStatus(text);
  if (code === null)
    throw new Error(`argument '${name}' is not an HTTP status: ${JSON.stringify(text ?? null)}`);
  return code;
}

const NAME_BY_CODE = new Map<number, string>();
for (const [name, code] of BY_NAME) if (!NAME_BY_CODE.has(code)) NAME_BY_CODE.set(code, name);
NAME_BY_CODE.set(413, 'PAYLOAD_TOO_LARGE');
NAME_BY_CODE.set(418, 'I_AM_A_TEAPOT');

/** Spring's `HttpStatus` name of a code (`OK`, `NOT_FOUND`), or the code itself when it has none. */
export const statusName = (code: number): string => NAME_BY_CODE.get(code) ?? String(code);

/** Spring's `HttpStatus.Series` name of a code: SUCCESSFUL, CLIENT_ERROR, … */
export function seriesName(code: number): string {
  const digit = Math.floor(code / 100);
  return Object.keys(SERIES).find((name) => SERIES[name] === digit) ?? 'UNKNOWN';
}
