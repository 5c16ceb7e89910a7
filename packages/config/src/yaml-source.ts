import { parseAllDocuments } from 'yaml';
import { isRecord } from '@stratus/core';
import { flattenProperties, type FlatProperties } from './flatten.js';
import { invalidYamlError } from './errors.js';

/** One document of a multi-document YAML file, flattened. */
export interface YamlDocument {
  /** Zero-based position in the file. */
  index: number;
  /** Flat properties, without the activation keys. */
  properties: FlatProperties;
  /**
   * The profile expression from `spring.config.activate.on-profile` (or the
   * legacy `spring.profiles`), or `null` for a document that always applies.
   */
  onProfile: string | null;
}

/** Options of {@link parseYamlDocuments}. */
export interface ParseYamlOptions {
  /**
   * Refuse a document that is a list or a scalar instead of a mapping of keys (Spring would
   * file it under a `document` key; a service's own files are never meant that way).
   * @default false
   */
  requireMapping?: boolean;
}

/**
 * Parses YAML text (possibly several `---` documents) into flat documents.
 * Never evaluates tags: only the core schema's plain types are produced.
 *
 * @throws StratusError `CFG_ERR_INVALID_YAML` (400) naming the origin, the line, what the parser
 *   expected and the key it was under (never the line's text, which may hold a secret).
 */
export function parseYamlDocuments(
  text: string,
  origin: string,
  options: ParseYamlOptions = {},
): YamlDocument[] {
  const docs = parseAllDocuments(text, { schema: 'core', merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: YamlDocument[] = [];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      const line = first.linePos?.[0]?.line;
      const near = line === undefined ? null : keyPathNear(text, line);
      const problem = first.message.split('\n')[0]!.replace(/:$/, '');
      throw invalidYamlError(origin, near === null ? problem : `${problem} (near key ${near})`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    if (options.requireMapping && !isRecord(value))
      throw invalidYamlError(
        origin,
        `document #${index} must be a mapping of keys (like spring:), found ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}`,
      );
    const properties = flattenProperties(value);
    const onProfile =
      properties['spring.config.activate.on-profile'] ?? properties['spring.profiles'] ?? null;
    delete properties['spring.config.activate.on-profile'];
    delete properties['spring.profiles'];
    out.push({ index, properties, onProfile: onProfile === null ? null : String(onProfile) });
  });
  return out;
}

const KEY_LINE = /^( *)(?:- +)?("[^"]*"|'[^']*'|[^\s#'"][^:#]*?):(?:\s|$)/;

/**
 * The dotted path of the last key at or before `line` (1-based), from indentation alone, so a
 * syntax error can say which setting it was in: `spring.cloud.config.uri`.
 */
function keyPathNear(text: string, line: number): string | null {
  const lines = text.split(/\r?\n/);
  let last = Math.min(line, lines.length) - 1;
  while (last >= 0 && /^\s*(#.*)?$/.test(lines[last]!)) last--;
  const stack: Array<{ indent: number; key: string }> = [];
  for (let i = 0; i <= last; i++) {
    const match = KEY_LINE.exec(lines[i]!.replace(/\t/g, ' '));
    if (!match) continue;
    const indent = match[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack.push({ indent, key: match[2]!.replace(/^["']|["']$/g, '').trim() });
  }
  return stack.length > 0 ? stack.map((entry) => entry.key).join('.') : null;
}

/**
 * Parses a Java `.properties` file (`key=value`, `key: value`, `key value`,
 * `#`/`!` comments, `\` continuations, `\uXXXX` escapes). Values stay strings.
 */
export function parseJavaProperties(text: string): FlatProperties {
  const out: FlatProperties = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const match = /^((?:\\.|[^\\:=\s])+)\s*[:=]?\s*(.*)$/.exec(line);
    if (!match) continue;
    out[unescapeProperties(match[1]!)] = unescapeProperties(match[2]!);
  }
  return out;
}

function unescapeProperties(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
    if (esc.startsWith('u') && esc.length === 5)
      return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[esc] ?? esc;
  });
}

/**
 * True when a Spring profile expression (`dev`, `!prod`, `dev & mysql`,
 * `dev | test`, `(a & b) | c`, or a comma list meaning "any") matches the
 * active profiles.
 */
export function profilesMatch(expression: string, activeProfiles: readonly string[]): boolean {
  const active = new Set(activeProfiles);
  return expression
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .some((part) => evaluateProfileExpression(part, active));
}

function evaluateProfileExpression(expression: string, active: Set<string>): boolean {
  const tokens = expression.match(/\(|\)|&|\||!|[^\s()&|!]+/g) ?? [];
  let pos = 0;
  const parseOr = (): boolean => {
    let value = parseAnd();
    while (tokens[pos] === '|') {
      pos++;
      const right = parseAnd();
      value = value || right;
    }
    return value;
  };
  const parseAnd = (): boolean => {
    let value = parseUnary();
    while (tokens[pos] === '&') {
      pos++;
      const right = parseUnary();
      value = value && right;
    }
    return value;
  };
  const parseUnary = (): boolean => {
    const token = tokens[pos++];
    if (token === '!') return !parseUnary();
    if (token === '(') {
      const value = parseOr();
      pos++; // ')'
      return value;
    }
    return token !== undefined && active.has(token);
  };
  return parseOr();
}
