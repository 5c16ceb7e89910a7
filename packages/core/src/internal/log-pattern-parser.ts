/** `%-5`, `%.30`, `%-40.-40`: Logback's format modifier. */
export interface FormatModifier {
  leftAlign: boolean;
  min: number;
  /** Maximum width; `Infinity` when absent. */
  max: number;
  /** `.-N` keeps the first N characters; `.N` (Logback's default) keeps the last N. */
  truncateEnd: boolean;
}

/** One piece of a parsed layout pattern. */
export type PatternNode =
  | { kind: 'literal'; text: string }
  | {
      kind: 'conversion';
      word: string;
      modifier: FormatModifier | null;
      options: string[];
      /** The sub-pattern of a composite (`%clr(…)`, `%highlight(…)`, `%(…)`), else null. */
      children: PatternNode[] | null;
    };

/** Conversion words that take a `(…)` sub-pattern. */
const COMPOSITE_WORDS = new Set([
  '',
  'clr',
  'highlight',
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'gray',
  'boldRed',
  'boldGreen',
  'boldYellow',
  'boldBlue',
  'boldMagenta',
  'boldCyan',
  'boldWhite',
]);

const MODIFIER = /^(-)?(\d+)?(?:\.(-)?(\d+))?/;

/** The result of parsing: nodes, or the first problem with its position. */
export type ParseResult = { nodes: PatternNode[] } | { problem: string };

/**
 * Parses a Logback layout pattern (`%d{HH:mm:ss} %-5level %logger{36} - %msg%n`): literals,
 * `%[modifier]word[(sub-pattern)][{options}]`, and `\` escaping `%`, `(`, `)` and `\`.
 */
export function parsePattern(source: string): ParseResult {
  const state = { source, index: 0 };
  try {
    const nodes = parseSequence(state, false);
    return { nodes };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

interface ParserState {
  source: string;
  index: number;
}

function parseSequence(state: ParserState, inComposite: boolean): PatternNode[] {
  const nodes: PatternNode[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') nodes.push({ kind: 'literal', text: literal });
    literal = '';
  };
  const { source } = state;
  while (state.index < source.length) {
    const ch = source[state.index]!;
    if (ch === '\\' && /[%()\\]/.test(source[state.index + 1] ?? '')) {
      literal += source[state.index + 1];
      state.index += 2;
    } else if (ch === ')' && inComposite) {
      flush();
      return nodes;
    } else if (ch === '%') {
      flush();
      nodes.push(parseConversion(state));
    } else {
      literal += ch;
      state.index++;
    }
  }
  if (inComposite) throw new Error('a "(" is never closed by ")"');
  flush();
  return nodes;
}

function parseConversion(state: ParserState): PatternNode {
  const { source } = state;
  const start = state.index;
  state.index++;
  const modifierMatch = MODIFIER.exec(source.slice(state.index))!;
  state.index += modifierMatch[0].length;
  const modifier: FormatModifier | null =
    modifierMatch[0] === ''
      ? null
      : {
          leftAlign: modifierMatch[1] === '-',
          min: modifierMatch[2] === undefined ? 0 : Number(modifierMatch[2]),
          max: modifierMatch[4] === undefined ? Infinity : Number(modifierMatch[4]),
          truncateEnd: modifierMatch[3] === '-',
        };
  const word = /^[A-Za-z]*/.exec(source.slice(state.index))![0];
  state.index += word.length;
  let children: PatternNode[] | null = null;
  if (source[state.index] === '(' && COMPOSITE_WORDS.has(word)) {
    state.index++;
    children = parseSequence(state, true);
    state.index++;
  } else if (word === '') {
    throw new Error(
      `"%" at position ${start + 1} is not followed by a conversion word (write \\% for a percent sign)`,
    );
  } else if (COMPOSITE_WORDS.has(word)) {
    throw new Error(`%${word} at position ${start + 1} needs a "(…)" sub-pattern`);
  }
  const options: string[] = [];
  if (source[state.index] === '{') {
    const end = source.indexOf('}', state.index);
    if (end === -1) throw new Error(`the "{" after %${word} is never closed by "}"`);
    options.push(...splitOptions(source.slice(state.index + 1, end)));
    state.index = end + 1;
  }
  return { kind: 'conversion', word, modifier, options, children };
}

/** Logback's option list: comma-separated, a double-quoted option may hold commas. */
function splitOptions(text: string): string[] {
  const options: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      options.push(current.trim());
      current = '';
    } else current += ch;
  }
  options.push(current.trim());
  return options;
}
