/**
 * Compiles a Java regular expression into a JS RegExp. Java's `String.matches`
 * is a full match, so `fullMatch` anchors the whole expression. A leading `(?i)`
 * becomes the `i` flag; `\A`, `\z`, `\Z` become `^`/`$`. Constructs JS lacks
 * (possessive quantifiers, atomic groups) fail to compile and are reported.
 *
 * @throws Error with a human-readable message when the expression is invalid.
 */
export function compileJavaRegex(
  source: string,
  options: { fullMatch?: boolean; global?: boolean } = {},
): RegExp {
  let body = source;
  let flags = options.global ? 'g' : '';
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    const letters = inline[1] ?? '';
    if (letters.includes('x'))
      throw new Error(`unsupported inline flag (?x) in regex ${JSON.stringify(source)}`);
    if (letters.includes('i')) flags += 'i';
    if (letters.includes('s')) flags += 's';
    if (letters.includes('m')) flags += 'm';
    body = body.slice(inline[0].length);
  }
  if (/(?<!\\)(?:[*+?}]\+|\(\?>)/.test(body)) {
    throw new Error(
      `possessive quantifiers and atomic groups are not supported in regex ${JSON.stringify(source)}`,
    );
  }
  body = body.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  const finalSource = options.fullMatch ? `^(?:${body})$` : body;
  try {
    return new RegExp(finalSource, flags);
  } catch (error) {
    throw new Error(`invalid regex ${JSON.stringify(source)}: ${(error as Error).message}`);
  }
}

/**
 * Converts a Java `Matcher.replaceAll` replacement into a JS replacement string:
 * the YAML escape `$\` becomes `$` first, then `${name}` → `$<name>`, `$n` stays,
 * `\x` is a literal `x`, and a literal `$` becomes `$$`.
 *
 * @throws Error when a `$` is not followed by a group reference (as Java does).
 */
export function javaReplacementToJs(replacement: string): string {
  const source = replacement.replaceAll('$\\', '$');
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new Error('replacement ends with a lone backslash');
      out += next === '$' ? '$$' : next;
      i++;
    } else if (ch === '$') {
      const rest = source.slice(i + 1);
      const named = /^\{([A-Za-z][A-Za-z0-9]*)\}/.exec(rest);
      const numbered = /^\d+/.exec(rest);
      if (named) {
        out += `$<${named[1]}>`;
        i += named[0].length;
      } else if (numbered) {
        out += `$${numbered[0]}`;
        i += numbered[0].length;
      } else {
        throw new Error(`illegal group reference in replacement ${JSON.stringify(replacement)}`);
      }
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * {@link javaReplacementToJs}, checked against the regex it goes with: every `${name}` must be a
 * named group of it and every `$n` at most its group count (Java throws "No group with name
 * {x}" at replace time; here it is a definition problem at load).
 *
 * @throws Error naming the missing group.
 */
export function compileJavaReplacement(replacement: string, regex: RegExp): string {
  const converted = javaReplacementToJs(replacement);
  const names = new Set(
    [...regex.source.matchAll(/\(\?<([A-Za-z][A-Za-z0-9]*)>/g)].map((m) => m[1]),
  );
  const groupCount = new RegExp(`${regex.source}|`).exec('')!.length - 1;
  for (const match of converted.matchAll(/\$\$|\$<([A-Za-z][A-Za-z0-9]*)>|\$(\d+)/g)) {
    if (match[1] !== undefined && !names.has(match[1]))
      throw new Error(`No group with name {${match[1]}} in regex ${JSON.stringify(regex.source)}`);
    if (match[2] !== undefined && Number(match[2]) > groupCount)
      throw new Error(`No group ${match[2]} in regex ${JSON.stringify(regex.source)}`);
  }
  return converted;
}
