/**
 * XML 1.0 §2.2 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. With the
 * `u` flag a lone surrogate is one code point outside every range, so it matches too.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * True when `text` holds only XML 1.0 characters: no NUL or other C0 control but tab, LF and
 * CR, no lone surrogate, no U+FFFE/U+FFFF. The registry serves every stored string as JSON
 * and as XML (Prometheus reads XML), so this is the rule for everything it accepts.
 */
export function isXmlText(text: string): boolean {
  return !NOT_XML_CHAR.test(text);
}

/** True when the code point of a character reference is an XML 1.0 `Char`. */
export function isXmlCodePoint(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Why a parsed body was refused. */
export type TextProblem = 'characters' | 'depth';

/**
 * Walks a parsed JSON value (iteratively, so nesting cannot exhaust the stack) and reports the
 * first key or string that is not {@link isXmlText}, or nesting deeper than `maxDepth`.
 * Returns null when the value is acceptable.
 */
export function findTextProblem(value: unknown, maxDepth = 32): TextProblem | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === 'string') {
      if (!isXmlText(current)) return 'characters';
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return 'depth';
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (!isXmlText(key)) return 'characters';
      pending.push({ value: item, depth: depth + 1 });
    }
  }
  return null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a request body as strict UTF-8 (a leading BOM dropped); null on malformed bytes. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}
