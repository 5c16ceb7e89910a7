import { join, resolve } from 'node:path';
import {
  type StratusError,
  compileLogPattern,
  createLoggingSystem,
  expandLoggingProperties,
  isStratusError,
  parseDataSizeBytes,
  parseLogLevel,
  SPRING_CONSOLE_PATTERN,
  SPRING_FILE_PATTERN,
  type ConsoleOutput,
  type FileOutput,
  type LoggingSystem,
  type LoggingSystemProperties,
  type OutputSettings,
} from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import type { LiveConfig } from './live-config.js';
import { invalidConfiguration } from './errors.js';

/** What the boot layer knows about the process when it sets logging up. */
export interface LoggingContext {
  /** `spring.application.name`, for `%applicationName`. */
  name: string;
  /** Whether stdout is a terminal (text with colours by default). */
  isTty: boolean;
  /** `STRATUS_LOG_FORMAT`: `json` or `text` forces the console format (`stratus up` sets json). */
  formatOverride?: string;
}

/** Levels read from `logging.level.*` (and `logging.group.*`). */
export interface LevelSettings {
  root: string;
  named: Record<string, string>;
  problems: string[];
}

const EXPECTED_LEVELS = 'expected one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF';
const LEVEL_KEY = /^logging\.level\.(.+)$/i;

/**
 * Creates the process's logging before configuration is loaded: root level from
 * `--logging.level.root` or `LOGGING_LEVEL_ROOT` (an unknown one waits for the full check),
 * JSON lines unless stdout is a terminal or `STRATUS_LOG_FORMAT` says otherwise.
 */
export function createBootLogging(
  name: string,
  argv: readonly string[],
  env: Record<string, string | undefined>,
  isTty: boolean,
): LoggingSystem {
  const flag = argv.find((a) => a.startsWith('--logging.level.root='));
  const requested = flag?.slice('--logging.level.root='.length) ?? env.LOGGING_LEVEL_ROOT;
  const text = env.STRATUS_LOG_FORMAT === 'text' || (env.STRATUS_LOG_FORMAT !== 'json' && isTty);
  return createLoggingSystem({
    name,
    level: parseLogLevel(requested) ?? 'info',
    applicationName: name,
    console: text ? { format: 'text', colour: isTty } : { format: 'json' },
  });
}

/** Reads `logging.level.root`, `logging.level.<name>` and `logging.group.<group>`, checking every level. */
export function readLevelSettings(env: ConfigEnvironment): LevelSettings {
  const problems: string[] = [];
  const groups = readGroups(env);
  let root = 'info';
  const named: Record<string, string> = {};
  for (const [key, value] of env.snapshot()) {
    const match = LEVEL_KEY.exec(key);
    if (!match || value === undefined || value === null || value === '') continue;
    if (parseLogLevel(value) === null) {
      problems.push(`${key}: '${String(value)}' is not a log level; ${EXPECTED_LEVELS}`);
      continue;
    }
    const level = String(value === false ? 'off' : value);
    const name = match[1]!;
    if (name.toLowerCase() === 'root') root = level;
    else for (const member of groups.get(name.toLowerCase()) ?? [name]) named[member] = level;
  }
  return { root, named, problems };
}

function readGroups(env: ConfigEnvironment): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [name, members] of Object.entries(env.getObject('logging.group') ?? {})) {
    const list = Array.isArray(members)
      ? members.map(String)
      : typeof members === 'string'
        ? members.split(',')
        : [];
    groups.set(name.toLowerCase(), list.map((m) => m.trim()).filter(Boolean));
  }
  return groups;
}

/** A raw (unresolved) property as text: patterns hold Logback's `${NAME:-default}`, not Spring's. */
function raw(env: ConfigEnvironment, key: string): string | undefined {
  const found = env.lookupRaw(key)?.value;
  return found === undefined || found === null || found === '' ? undefined : String(found);
}

/** Set, but to nothing (`logging.pattern.console:` in YAML, or `=` on the command line). */
function isEmpty(env: ConfigEnvironment, key: string): boolean {
  const found = env.lookupRaw(key);
  return found !== undefined && (found.value === null || String(found.value).trim() === '');
}

function readThreshold(
  env: ConfigEnvironment,
  key: string,
  problems: string[],
): string | undefined {
  const value = env.get(key);
  if (value === undefined || value === null || value === '') return undefined;
  const level = parseLogLevel(value);
  if (level === null)
    problems.push(`${key}: '${String(value)}' is not a log level; ${EXPECTED_LEVELS}`);
  return level ?? undefined;
}

/** Reads the console and file outputs from `logging.*` and `spring.output.ansi.enabled`. */
export function readOutputSettings(
  env: ConfigEnvironment,
  context: LoggingContext,
): { output: OutputSettings; problems: string[] } {
  const problems: string[] = [];
  const properties: LoggingSystemProperties = {
    LOG_LEVEL_PATTERN: raw(env, 'logging.pattern.level'),
    LOG_DATEFORMAT_PATTERN: raw(env, 'logging.pattern.dateformat'),
    LOG_CORRELATION_PATTERN: raw(env, 'logging.pattern.correlation'),
    LOG_EXCEPTION_CONVERSION_WORD: raw(env, 'logging.exception-conversion-word'),
  };
  for (const [key, value] of [
    ['logging.pattern.level', properties.LOG_LEVEL_PATTERN],
    ['logging.pattern.correlation', properties.LOG_CORRELATION_PATTERN],
    ['logging.exception-conversion-word', properties.LOG_EXCEPTION_CONVERSION_WORD],
  ] as const) {
    const compiled = value === undefined ? null : compileLogPattern(value);
    if (compiled && 'problem' in compiled) problems.push(`${key}: ${compiled.problem}`);
  }
  const partsValid = problems.length === 0;
  const applicationName =
    String(env.get('logging.include-application-name', 'true')).trim().toLowerCase() === 'false'
      ? ''
      : context.name;
  const finalPattern = (key: string, fallback: string): string => {
    const own = raw(env, key);
    const pattern = String(env.resolve(expandLoggingProperties(own ?? fallback, properties)));
    const compiled = compileLogPattern(pattern);
    // A bad level or correlation pattern is reported once, under its own key.
    if ('problem' in compiled && (own !== undefined || partsValid))
      problems.push(`${key}: ${compiled.problem}`);
    return pattern;
  };
  const consoleFormat = readConsoleFormat(env, context, problems);
  const consoleThreshold = readThreshold(env, 'logging.threshold.console', problems);
  // Spring Boot: an empty `logging.pattern.console` turns console logging off.
  const console: ConsoleOutput | null = isEmpty(env, 'logging.pattern.console')
    ? null
    : consoleFormat === 'json'
      ? { format: 'json', threshold: consoleThreshold }
      : {
          format: 'text',
          pattern: finalPattern('logging.pattern.console', SPRING_CONSOLE_PATTERN),
          colour: readColour(env, context, problems),
          threshold: consoleThreshold,
        };
  const file = readFileOutput(env, problems, () =>
    finalPattern('logging.pattern.file', SPRING_FILE_PATTERN),
  );
  if (file !== null) file.threshold = readThreshold(env, 'logging.threshold.file', problems);
  return { output: { console, file, applicationName, properties }, problems };
}

function readConsoleFormat(
  env: ConfigEnvironment,
  context: LoggingContext,
  problems: string[],
): 'json' | 'text' {
  const override = context.formatOverride?.trim().toLowerCase();
  if (override !== undefined && override !== '') {
    if (override === 'json' || override === 'text') return override;
    problems.push(
      `STRATUS_LOG_FORMAT: '${context.formatOverride}' is not a format; expected json or text`,
    );
  }
  const structured = structuredFormat(env, 'logging.structured.format.console', problems);
  if (structured) return 'json';
  if (raw(env, 'logging.pattern.console') !== undefined) return 'text';
  return context.isTty ? 'text' : 'json';
}

function structuredFormat(env: ConfigEnvironment, key: string, problems: string[]): boolean {
  const value = env.getString(key)?.trim();
  if (value === undefined || value === '') return false;
  if (value.toLowerCase() === 'json') return true;
  problems.push(
    `${key}: '${value}' is not supported; expected json (pino's JSON lines; Spring's ecs, gelf and logstash are not implemented)`,
  );
  return false;
}

function readColour(env: ConfigEnvironment, context: LoggingContext, problems: string[]): boolean {
  const mode = (env.getString('spring.output.ansi.enabled') ?? 'detect').trim().toLowerCase();
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (mode !== 'detect')
    problems.push(
      `spring.output.ansi.enabled: '${mode}' is not a mode; expected detect, always or never`,
    );
  return context.isTty;
}

function readFileOutput(
  env: ConfigEnvironment,
  problems: string[],
  pattern: () => string,
): FileOutput | null {
  // `logging.file` and `logging.path` are Spring Boot 1.x names; the seed's docker runs use the first.
  const named = env.getString('logging.file.name') ?? scalar(env, 'logging.file');
  const folder = env.getString('logging.file.path') ?? scalar(env, 'logging.path');
  const file =
    named !== undefined && named.trim() !== ''
      ? resolve(named.trim())
      : folder !== undefined && folder.trim() !== ''
        ? join(resolve(folder.trim()), 'spring.log')
        : null;
  if (file === null) return null;
  const size = (key: string, legacy: string, fallback: number): number => {
    const value = env.get(key) ?? env.get(legacy);
    if (value === undefined || value === null || value === '') return fallback;
    const bytes = parseDataSizeBytes(value);
    if (bytes === null)
      problems.push(
        `${key}: '${String(value)}' is not a size; expected e.g. 10MB, 512KB or a number of bytes`,
      );
    return bytes ?? fallback;
  };
  const historyValue =
    env.get('logging.logback.rollingpolicy.max-history') ?? env.get('logging.file.max-history');
  const maxHistory =
    historyValue === undefined || historyValue === null || historyValue === ''
      ? 7
      : Number(historyValue);
  if (!Number.isInteger(maxHistory) || maxHistory < 0)
    problems.push(
      `logging.logback.rollingpolicy.max-history: '${String(historyValue)}' is not a number of files; expected 0 or more`,
    );
  const maxFileSizeBytes = size(
    'logging.logback.rollingpolicy.max-file-size',
    'logging.file.max-size',
    10 * 1024 * 1024,
  );
  if (maxFileSizeBytes === 0)
    problems.push('logging.logback.rollingpolicy.max-file-size: must be more than 0 bytes');
  const json = structuredFormat(env, 'logging.structured.format.file', problems);
  return {
    file,
    format: json ? 'json' : 'text',
    pattern: json ? undefined : pattern(),
    maxFileSizeBytes,
    maxHistory: Number.isInteger(maxHistory) && maxHistory >= 0 ? maxHistory : 7,
    totalSizeCapBytes: size(
      'logging.logback.rollingpolicy.total-size-cap',
      'logging.file.total-size-cap',
      0,
    ),
  };
}

/** `key` when it holds text itself (not only children such as `logging.file.name`). */
function scalar(env: ConfigEnvironment, key: string): string | undefined {
  const value = env.lookupRaw(key)?.value;
  return typeof value === 'string' ? String(env.resolve(value)) : undefined;
}

function invalidLoggingConfiguration(problems: string[]): StratusError {
  return invalidConfiguration(
    problems,
    problems.length === 1 ? problems[0] : `Invalid logging configuration: ${problems.join('; ')}`,
  );
}

/**
 * Applies `logging.*` as Spring Boot does once the environment is loaded, and keeps
 * `logging.level.*` live: a refresh with a bad level is rejected, a good one applies at once
 * (Spring Cloud's `LoggingRebinder`). Patterns, files and formats apply at start-up only.
 * Without `logging` (the application was given its own logger) only the levels are checked.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` naming each bad key and what was expected.
 */
export function setupLogging(
  logging: LoggingSystem | null,
  config: LiveConfig,
  context: LoggingContext,
): void {
  const levels = readLevelSettings(config.environment);
  const output =
    logging === null
      ? { output: {}, problems: [] }
      : readOutputSettings(config.environment, context);
  const problems = [...levels.problems, ...output.problems];
  if (problems.length > 0) throw invalidLoggingConfiguration(problems);
  config.addValidator((candidate) => readLevelSettings(candidate).problems);
  if (logging === null) return;
  try {
    logging.setLevels(levels.root, levels.named);
    logging.configureOutput(output.output);
  } catch (error) {
    if (!isStratusError(error)) throw error;
    throw invalidLoggingConfiguration([`logging: ${error.message}`]);
  }
  config.onChange((changed) => {
    if (!changed.some((key) => /^logging\.(level|group)\./i.test(key))) return;
    const next = readLevelSettings(config.environment);
    logging.setLevels(next.root, next.named);
    logging.logger.info({ root: next.root, levels: next.named }, 'logging levels refreshed');
  });
}
