import { StratusError } from '../errors.js';
import { parseLogLevel, type PinoLevel } from '../log-level.js';
import { compileLogPattern, type LogRenderer } from '../log-pattern.js';
import { openLogFile, type LogFile } from '../log-file.js';
import {
  SPRING_CONSOLE_PATTERN,
  SPRING_FILE_PATTERN,
  expandLoggingProperties,
} from '../log-spring-patterns.js';
import type { OutputSettings } from '../logging-system.js';
import type { SinkOutput, TextTarget } from './log-sink.js';

const LEVEL_NUMBERS: Record<PinoLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/** `CORE_ERR_INVALID_LOGGING`: a level, pattern or file the logging system cannot use. */
export function invalidLogging(problem: string): StratusError {
  return new StratusError('CORE_ERR_INVALID_LOGGING', 500, 'Invalid logging configuration', {
    message: problem,
    details: { problems: [problem] },
    retryable: false,
  });
}

/** A level by Spring or pino name, or `CORE_ERR_INVALID_LOGGING` naming `what`. */
export function levelOrThrow(value: string, what: string): PinoLevel {
  const level = parseLogLevel(value);
  if (level === null)
    throw invalidLogging(
      `${what}: '${value}' is not a level; expected TRACE, DEBUG, INFO, WARN, ERROR, FATAL or OFF`,
    );
  return level;
}

function threshold(value: string | undefined, what: string): number {
  return value === undefined ? 0 : LEVEL_NUMBERS[levelOrThrow(value, `${what} threshold`)];
}

function renderer(
  pattern: string,
  colour: boolean,
  settings: OutputSettings,
  what: string,
): LogRenderer {
  const expanded = expandLoggingProperties(pattern, settings.properties);
  const compiled = compileLogPattern(expanded, {
    colour,
    applicationName: settings.applicationName ?? '',
  });
  if ('problem' in compiled) throw invalidLogging(`${what}: ${compiled.problem}`);
  return compiled.render;
}

/** The sink outputs for `settings`; everything is checked before the file is opened. */
export function buildOutputs(
  settings: OutputSettings,
  consoleWriter: () => TextTarget,
  onFileError: (error: Error, file: string) => void,
): { outputs: SinkOutput[]; console: SinkOutput | null; file: LogFile | null } {
  const wanted = settings.console === undefined ? { format: 'json' as const } : settings.console;
  let consoleOutput: SinkOutput | null = null;
  if (wanted !== null) {
    const render =
      wanted.format === 'json'
        ? null
        : renderer(
            wanted.pattern ?? SPRING_CONSOLE_PATTERN,
            wanted.colour === true,
            settings,
            'console pattern',
          );
    consoleOutput = {
      target: consoleWriter(),
      render,
      minLevel: threshold(wanted.threshold, 'console'),
    };
  }
  const outputs: SinkOutput[] = consoleOutput ? [consoleOutput] : [];
  const fileSettings = settings.file;
  if (!fileSettings) return { outputs, console: consoleOutput, file: null };
  const render =
    fileSettings.format === 'json'
      ? null
      : renderer(fileSettings.pattern ?? SPRING_FILE_PATTERN, false, settings, 'file pattern');
  const minLevel = threshold(fileSettings.threshold, 'file');
  let file: LogFile;
  try {
    file = openLogFile({
      ...fileSettings,
      onError: (error) => onFileError(error, fileSettings.file),
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw invalidLogging(`file ${fileSettings.file}: ${reason}`);
  }
  outputs.push({ target: file, render, minLevel });
  return { outputs, console: consoleOutput, file };
}
