import { compileJavaRegex } from './java-regex.js';

/** A compiled Spring `PathPattern` (or Ant host pattern); `match` returns the captured variables or null. */
export interface CompiledPattern {
  readonly source: string;
  match(value: string): Record<string, string> | null;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

interface SegmentBuild {
  regex: string;
  names: string[];
}

/** Builds the regex of one segment: `*`, `?`, `{var}`, `{var:regex}` and literals. */
function buildSegment(
  segment: string,
  separator: string,
  names: string[],
  pattern: string,
): SegmentBuild {
  const any = `[^${escapeRegex(separator)}]`;
  if (segment === '*') return { regex: `${any}+`, names };
  let regex = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (ch === '*') regex += `${any}*`;
    else if (ch === '?') regex += any;
    else if (ch === '{') {
      let depth = 1;
      let j = i + 1;
      for (; j < segment.length && depth > 0; j++) {
        if (segment[j] === '\\') j++;
        else if (segment[j] === '{') depth++;
        else if (segment[j] === '}') depth--;
      }
      if (depth !== 0) throw new Error(`unclosed '{' in pattern ${JSON.stringify(pattern)}`);
      const inner = segment.slice(i + 1, j - 1);
      const colon = inner.indexOf(':');
      const name = colon === -1 ? inner : inner.slice(0, colon);
      if (!/^[A-Za-z_][\w-]*$/.test(name))
        throw new Error(
          `invalid variable name ${JSON.stringify(name)} in pattern ${JSON.stringify(pattern)}`,
        );
      if (names.includes(name))
        throw new Error(
          `variable ${JSON.stringify(name)} appears twice in pattern ${JSON.stringify(pattern)}`,
        );
      const group = `v${names.length}`;
      names.push(name);
      if (colon === -1) regex += `(?<${group}>${any}+)`;
      else {
        const sub = inner.slice(colon + 1);
        compileJavaRegex(sub); // validates; throws with a message
        regex += `(?<${group}>${sub})`;
      }
      i = j - 1;
    } else regex += escapeRegex(ch);
  }
  return { regex, names };
}

function finish(
  source: string,
  regexSource: string,
  names: string[],
  flags: string,
): CompiledPattern {
  let regex: RegExp;
  try {
    regex = new RegExp(regexSource, flags);
  } catch (error) {
    throw new Error(`invalid pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
  return {
    source,
    match(value) {
      const m = regex.exec(value);
      if (!m) return null;
      const vars: Record<string, string> = {};
      const groups = m.groups;
      if (groups) names.forEach((name, index) => (vars[name] = groups[`v${index}`] ?? ''));
      return vars;
    },
  };
}

/**
 * Compiles a Spring `PathPattern`: `?` one char, `*` within a segment, `**` the
 * rest of the path (last segment only, as in Spring 6), `{var}`, `{var:regex}`,
 * and `{*var}` capturing the rest including its leading `/`. With
 * `matchTrailingSlash` (Spring's default) `/a/b` also matches `/a/b/`.
 *
 * @throws Error with a message when the pattern is invalid.
 */
export function compilePathPattern(pattern: string, matchTrailingSlash = true): CompiledPattern {
  if (!pattern.startsWith('/'))
    throw new Error(`path pattern ${JSON.stringify(pattern)} must start with '/'`);
  if (pattern === '/') return finish(pattern, '^/$', [], '');
  const segments = pattern.slice(1).split('/');
  const names: string[] = [];
  let regex = '^';
  let openEnded = false;
  segments.forEach((segment, index) => {
    const isLast = index === segments.length - 1;
    const captureRest = /^\{\*([A-Za-z_][\w-]*)\}$/.exec(segment);
    if (segment === '**' || captureRest) {
      if (!isLast)
        throw new Error(
          `'**' and '{*var}' are only allowed at the end of pattern ${JSON.stringify(pattern)}`,
        );
      openEnded = true;
      if (captureRest) {
        const name = captureRest[1] as string;
        if (names.includes(name))
          throw new Error(
            `variable ${JSON.stringify(name)} appears twice in pattern ${JSON.stringify(pattern)}`,
          );
        regex += `(?<v${names.length}>(?:/.*)?)`;
        names.push(name);
      } else regex += '(?:/.*)?';
      return;
    }
    if (segment.includes('**'))
      throw new Error(`'**' must be a whole segment in pattern ${JSON.stringify(pattern)}`);
    regex += `/${buildSegment(segment, '/', names, pattern).regex}`;
  });
  if (matchTrailingSlash && !openEnded && !pattern.endsWith('/')) regex += '/?';
  return finish(pattern, `${regex}$`, names, '');
}

/**
 * Compiles an Ant-style host pattern with `.` as separator (`**.example.org`,
 * `{sub}.host.org`, `*.example.org`). Matching is case-insensitive.
 *
 * @throws Error with a message when the pattern is invalid.
 */
export function compileHostPattern(pattern: string): CompiledPattern {
  if (pattern.length === 0) throw new Error('host pattern must not be empty');
  const segments = pattern.split('.');
  const names: string[] = [];
  let regex = '^';
  segments.forEach((segment, index) => {
    if (segment === '**') {
      regex += index === 0 ? '(?:[^.]+\\.)*' : '(?:\\.[^.]+)*';
      return;
    }
    const separator = index === 0 || (index === 1 && segments[0] === '**') ? '' : '\\.';
    regex += separator + buildSegment(segment, '.', names, pattern).regex;
  });
  return finish(pattern, `${regex}$`, names, 'i');
}
