import { parseAllDocuments } from 'yaml';
import { StratusError } from '@stratus/core';
import { flattenProperties, type FlatProperties } from './flatten.js';

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

/**
 * Parses YAML text (possibly several `---` documents) into flat documents.
 * Never evaluates tags: only the core schema's plain types are produced.
 *
 * @throws StratusError `CFG_ERR_INVALID_YAML` (400) naming the origin and line.
 */
export function parseYamlDocuments(text: string, origin: string): YamlDocument[] {
  const docs = parseAllDocuments(text, { schema: 'core', merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: YamlDocument[] = [];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      const first = doc.errors[0]!;
      throw new StratusError('CFG_ERR_INVALID_YAML', 400, 'Invalid YAML', {
        message: `${origin}: ${first.message.split('\n')[0]}`,
        details: { origin },
      });
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const properties = flattenProperties(value);
    const onProfile =
      properties['spring.config.activate.on-profile'] ?? properties['spring.profiles'] ?? null;
    delete properties['spring.config.activate.on-profile'];
    delete properties['spring.profiles'];
    out.push({ index, properties, onProfile: onProfile === null ? null : String(onProfile) });
  });
  return out;
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
