import { compileDateFormat } from './internal/log-date-format.js';
import {
  parsePattern,
  type FormatModifier,
  type PatternNode,
} from './internal/log-pattern-parser.js';
import { fieldsText, renderThrowable, escapeControl } from './internal/log-record-text.js';

/** One pino log line, parsed: `level`, `time`, `msg`, bindings, mixin and call fields. */
export type LogRecord = Record<string, unknown>;

/** Renders one record as text (a line, with its `%n`). */
export type LogRenderer = (record: LogRecord) => string;

/** How a pattern is rendered. */
export interface PatternOptions {
  /** ANSI colours for `%clr`, `%highlight` and the colour words. @default false */
  colour?: boolean;
  /** Written by `%applicationName` as `[name] ` (Spring Boot 3.2+); empty writes nothing. @default '' */
  applicationName?: string;
}

/** The result of compiling a pattern: a renderer, or the problem with it. */
export type CompiledPattern = { render: LogRenderer } | { problem: string };

type Render = (state: RenderState) => string;

interface RenderState {
  record: LogRecord;
  /** Keys that `%m`/`%kvp` must not repeat. */
  used: ReadonlySet<string>;
}

/** Keys every pino line has, or that converters render themselves. */
const STANDARD_KEYS = ['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component', 'err'];

const LEVEL_LABELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Spring's ColorConverter elements and Logback's colour conversion words, as SGR codes. */
const COLOURS: Record<string, string> = {
  faint: '2',
  black: '30',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  white: '37',
  gray: '90',
  boldRed: '1;31',
  boldGreen: '1;32',
  boldYellow: '1;33',
  boldBlue: '1;34',
  boldMagenta: '1;35',
  boldCyan: '1;36',
  boldWhite: '1;37',
};

const THROWABLE_WORDS = new Set([
  'wEx',
  'ex',
  'exception',
  'throwable',
  'xEx',
  'xException',
  'xThrowable',
  'rEx',
  'rootException',
]);

const levelLabel = (record: LogRecord) => LEVEL_LABELS[Number(record.level)] ?? 'INFO';
const loggerName = (record: LogRecord) => String(record.component ?? record.name ?? 'ROOT');

/**
 * Compiles a Logback/Spring Boot layout pattern into a renderer over pino records:
 * `%d{…}`/`%date`, `%p`/`%le`/`%level`, `%c`/`%lo`/`%logger{n}`, `%m`/`%msg`/`%message`,
 * `%n`, `%t`/`%thread`, `%X{key:-default}`/`%mdc`, `%kvp`, `%applicationName`, `%r`,
 * `%wEx`/`%ex`/`%nopex`, `%clr(…){colour}`, `%highlight(…)`, Logback's colour words and format
 * modifiers (`%-5p`, `%.-1p`, `%-40.40logger{39}`). `%m` is the message followed by the line's
 * data fields as `key=value` unless the pattern has `%kvp`. Control characters in messages and
 * values are escaped, so a hostile value cannot forge a line. A throwable (`err`) is appended
 * when the pattern has no throwable word, as Logback does.
 *
 * @example
 * const compiled = compileLogPattern('%5p [%X{traceId:-},%X{spanId:-}] %logger : %m%n');
 * if ('render' in compiled) compiled.render({ level: 30, msg: 'started', component: 'web' });
 * // ' INFO [,] web : started\n'
 */
export function compileLogPattern(pattern: string, options: PatternOptions = {}): CompiledPattern {
  const parsed = parsePattern(pattern);
  if ('problem' in parsed) return { problem: parsed.problem };
  const used = new Set(STANDARD_KEYS);
  const flags = { hasThrowable: false, hasKvp: false };
  scan(parsed.nodes, used, flags);
  let render: Render;
  try {
    render = compileNodes(parsed.nodes, { colour: options.colour === true, flags, options });
  } catch (error) {
    return { problem: (error as Error).message };
  }
  const appendThrowable = !flags.hasThrowable;
  return {
    render: (record) => {
      const line = render({ record, used });
      if (!appendThrowable || record.err === undefined) return line;
      const stack = renderThrowable(record.err);
      return line.endsWith('\n') ? `${line}${stack}\n` : `${line}\n${stack}\n`;
    },
  };
}

function scan(
  nodes: PatternNode[],
  used: Set<string>,
  flags: { hasThrowable: boolean; hasKvp: boolean },
): void {
  for (const node of nodes) {
    if (node.kind !== 'conversion') continue;
    if (THROWABLE_WORDS.has(node.word) || node.word === 'nopex' || node.word === 'nopexception')
      flags.hasThrowable = true;
    if (node.word === 'kvp') flags.hasKvp = true;
    if ((node.word === 'X' || node.word === 'mdc') && node.options[0])
      used.add(splitDefault(node.options[0]).key);
    if (node.children) scan(node.children, used, flags);
  }
}

interface CompileContext {
  colour: boolean;
  flags: { hasThrowable: boolean; hasKvp: boolean };
  options: PatternOptions;
}

function compileNodes(nodes: PatternNode[], context: CompileContext): Render {
  const parts = nodes.map((node): Render => {
    if (node.kind === 'literal') {
      const text = node.text;
      return () => text;
    }
    const render = converter(node, context);
    return node.modifier ? withModifier(render, node.modifier) : render;
  });
  if (parts.length === 1) return parts[0]!;
  return (state) => {
    let out = '';
    for (const part of parts) out += part(state);
    return out;
  };
}

function withModifier(render: Render, modifier: FormatModifier): Render {
  return (state) => {
    let text = render(state);
    if (text.length > modifier.max)
      text = modifier.truncateEnd
        ? text.slice(0, modifier.max)
        : text.slice(text.length - modifier.max);
    if (text.length < modifier.min)
      text = modifier.leftAlign ? text.padEnd(modifier.min) : text.padStart(modifier.min);
    return text;
  };
}

function splitDefault(option: string): { key: string; fallback: string } {
  const separator = option.indexOf(':-');
  return separator === -1
    ? { key: option, fallback: '' }
    : { key: option.slice(0, separator), fallback: option.slice(separator + 2) };
}

function converter(
  node: Extract<PatternNode, { kind: 'conversion' }>,
  context: CompileContext,
): Render {
  const { word, options, children } = node;
  if (children !== null) return compositeConverter(word, options, children, context);
  switch (word) {
    case 'd':
    case 'date': {
      const format = compileDateFormat(options[0] || 'ISO8601', options[1]);
      if (format === null)
        throw new Error(
          `%${word}{${options.join(',')}} is not a date pattern this layout supports (quote a pattern with a comma: %d{"HH:mm:ss,SSS"}; time zones: local or UTC)`,
        );
      return ({ record }) => format(Number(record.time ?? Date.now()));
    }
    case 'p':
    case 'le':
    case 'level':
      return ({ record }) => levelLabel(record);
    case 'c':
    case 'lo':
    case 'logger': {
      const length = options[0] === undefined || options[0] === '' ? -1 : Number(options[0]);
      if (!Number.isInteger(length)) throw new Error(`%${word}{${options[0]}} needs a number`);
      return ({ record }) => abbreviateLoggerName(loggerName(record), length);
    }
    case 'm':
    case 'msg':
    case 'message':
      return context.flags.hasKvp
        ? ({ record }) => escapeControl(String(record.msg ?? ''))
        : ({ record, used }) => {
            const message = escapeControl(String(record.msg ?? ''));
            const fields = fieldsText(record, used);
            return fields === '' ? message : message === '' ? fields : `${message} ${fields}`;
          };
    case 'kvp':
      return ({ record, used }) => fieldsText(record, used);
    case 'n':
      return () => '\n';
    case 't':
    case 'thread':
      return () => 'main';
    case 'X':
    case 'mdc': {
      if (!options[0]) return ({ record, used }) => fieldsText(record, used);
      const { key, fallback } = splitDefault(options[0]);
      return ({ record }) => {
        const value = record[key];
        return value === undefined || value === null || value === ''
          ? fallback
          : escapeControl(typeof value === 'string' ? value : JSON.stringify(value));
      };
    }
    case 'applicationName': {
      const name = context.options.applicationName ?? '';
      const text = name === '' ? '' : `[${escapeControl(name)}] `;
      return () => text;
    }
    case 'r':
    case 'relative':
      return ({ record }) =>
        String(Math.max(0, Math.round(Number(record.time ?? Date.now()) - performance.timeOrigin)));
    case 'nopex':
    case 'nopexception':
    case 'marker':
      return () => '';
    case 'C':
    case 'class':
    case 'M':
    case 'method':
    case 'L':
    case 'line':
    case 'F':
    case 'file':
    case 'caller':
      // Logback prints `?` when caller data is unavailable; Node has none without a stack walk.
      return () => '?';
    default:
      if (THROWABLE_WORDS.has(word)) {
        const spaced = word === 'wEx';
        return ({ record }) => {
          if (record.err === undefined) return '';
          const stack = renderThrowable(record.err);
          // Spring's WhitespaceThrowableProxyConverter surrounds the trace with line breaks.
          return spaced ? `\n${stack}\n` : `${stack}\n`;
        };
      }
      throw new Error(`%${word} is not a conversion word this layout knows`);
  }
}

function compositeConverter(
  word: string,
  options: string[],
  children: PatternNode[],
  context: CompileContext,
): Render {
  const inner = compileNodes(children, context);
  if (word === '' || !context.colour) return inner;
  const paint = (text: string, code: string | undefined) =>
    code === undefined || text === '' ? text : `\u001b[${code}m${text}\u001b[0;39m`;
  if (word === 'clr') {
    const fixed = options[0] ? COLOURS[options[0]] : undefined;
    if (fixed !== undefined) return (state) => paint(inner(state), fixed);
    // Spring's ColorConverter: by level when no (known) colour is given.
    return (state) => {
      const level = Number(state.record.level);
      return paint(
        inner(state),
        level >= 50 ? COLOURS.red : level >= 40 ? COLOURS.yellow : COLOURS.green,
      );
    };
  }
  if (word === 'highlight') {
    // Logback's HighlightingCompositeConverter.
    return (state) => {
      const level = Number(state.record.level);
      return paint(
        inner(state),
        level >= 50 ? '1;31' : level >= 40 ? '31' : level >= 30 ? '34' : undefined,
      );
    };
  }
  const code = COLOURS[word];
  return (state) => paint(inner(state), code);
}

/**
 * Logback's `%logger{n}` abbreviation: segments left of the last dot shrink to their first
 * letter, leftmost first, until the name fits `length`; the last segment is always whole.
 * `0` keeps only the last segment; a negative length keeps the name.
 */
export function abbreviateLoggerName(name: string, length: number): string {
  if (length < 0 || name.length <= length) return name;
  const segments = name.split('.');
  const last = segments.length - 1;
  if (length === 0 || last === 0) return segments[last]!;
  let total = name.length;
  for (let i = 0; i < last && total > length; i++) {
    const segment = segments[i]!;
    if (segment.length > 1) {
      total -= segment.length - 1;
      segments[i] = segment[0]!;
    }
  }
  return segments.join('.');
}
