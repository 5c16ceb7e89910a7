/**
 * Spring's `AntPathMatcher` (spring-core) as Spring Cloud Bus builds it, `new AntPathMatcher(":")`:
 * `?` matches one character, `*` zero or more characters within a segment, `**` zero or more
 * segments, a `{name}` variable what `*` matches. Case-sensitive, tokens not trimmed, empty
 * segments ignored. Segment globs are matched without regular expressions, so a hostile pattern
 * costs time linear in its length times the path's.
 *
 * @example
 * antPathMatch('customers:**', 'customers:9000:3f2a');   // true
 * antPathMatch('*:9000:*', 'customers:9000:3f2a');       // true
 * antPathMatch('customers:*', 'customers:9000:3f2a');    // false
 */
export function antPathMatch(pattern: string, path: string, separator = ':'): boolean {
  // AntPathMatcher.doMatch(pattern, path, fullMatch = true)
  if (path.startsWith(separator) !== pattern.startsWith(separator)) return false;
  const patt = tokenize(pattern, separator);
  const dirs = tokenize(path, separator);
  let pattStart = 0;
  let pattEnd = patt.length - 1;
  let pathStart = 0;
  let pathEnd = dirs.length - 1;

  // Match all elements up to the first **.
  while (pattStart <= pattEnd && pathStart <= pathEnd) {
    const segment = patt[pattStart]!;
    if (segment === '**') break;
    if (!matchSegment(segment, dirs[pathStart]!)) return false;
    pattStart++;
    pathStart++;
  }
  if (pathStart > pathEnd) {
    // The path is exhausted: only `*` or `**` may be left of the pattern.
    if (pattStart > pattEnd) return pattern.endsWith(separator) === path.endsWith(separator);
    if (pattStart === pattEnd && patt[pattStart] === '*' && path.endsWith(separator)) return true;
    return onlyDoubleStars(patt, pattStart, pattEnd);
  }
  if (pattStart > pattEnd) return false;

  // Match from the end back to the last **.
  while (pattStart <= pattEnd && pathStart <= pathEnd) {
    const segment = patt[pattEnd]!;
    if (segment === '**') break;
    if (!matchSegment(segment, dirs[pathEnd]!)) return false;
    pattEnd--;
    pathEnd--;
  }
  if (pathStart > pathEnd) return onlyDoubleStars(patt, pattStart, pattEnd);

  // Each run of segments between two ** must appear in order in what is left of the path.
  while (pattStart !== pattEnd && pathStart <= pathEnd) {
    let nextStars = -1;
    for (let i = pattStart + 1; i <= pattEnd; i++) {
      if (patt[i] === '**') {
        nextStars = i;
        break;
      }
    }
    if (nextStars === pattStart + 1) {
      pattStart++;
      continue;
    }
    const runLength = nextStars - pattStart - 1;
    const found = findRun(patt, pattStart + 1, runLength, dirs, pathStart, pathEnd);
    if (found === -1) return false;
    pattStart = nextStars;
    pathStart = found + runLength;
  }
  return onlyDoubleStars(patt, pattStart, pattEnd);
}

/** The first index of `path` (within start..end) where the `length` pattern segments from `from` match. */
function findRun(
  patt: readonly string[],
  from: number,
  length: number,
  dirs: readonly string[],
  start: number,
  end: number,
): number {
  const available = end - start + 1;
  outer: for (let i = 0; i <= available - length; i++) {
    for (let j = 0; j < length; j++) {
      if (!matchSegment(patt[from + j]!, dirs[start + i + j]!)) continue outer;
    }
    return start + i;
  }
  return -1;
}

function onlyDoubleStars(patt: readonly string[], from: number, to: number): boolean {
  for (let i = from; i <= to; i++) if (patt[i] !== '**') return false;
  return true;
}

/** `StringUtils.tokenizeToStringArray(text, separator, trimTokens = false, ignoreEmptyTokens = true)`. */
function tokenize(text: string, separator: string): string[] {
  return text.split(separator).filter((token) => token !== '');
}

type GlobToken = { kind: 'literal'; char: string } | { kind: 'one' } | { kind: 'any' };

/**
 * `AntPathStringMatcher`: a segment pattern against a segment, `{name}` standing for `*`. Greedy
 * matching with one backtrack point (the last `*`): linear in practice, never exponential.
 */
function matchSegment(pattern: string, text: string): boolean {
  if (pattern === '*') return true;
  if (!/[?*{]/.test(pattern)) return pattern === text;
  const tokens = globTokens(pattern);
  let t = 0;
  let p = 0;
  let lastStar = -1;
  let starText = 0;
  while (t < text.length) {
    const token = tokens[p];
    if (token?.kind === 'any') {
      lastStar = p++;
      starText = t;
    } else if (token?.kind === 'one' || (token?.kind === 'literal' && token.char === text[t])) {
      p++;
      t++;
    } else if (lastStar !== -1) {
      p = lastStar + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'any') p++;
  return p === tokens.length;
}

function globTokens(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    const close = char === '{' ? pattern.indexOf('}', i + 1) : -1;
    if (char === '?') tokens.push({ kind: 'one' });
    else if (char === '*') tokens.push({ kind: 'any' });
    else if (close > i + 1 && !pattern.slice(i + 1, close).includes('{')) {
      tokens.push({ kind: 'any' });
      i = close;
    } else tokens.push({ kind: 'literal', char });
  }
  return tokens;
}
