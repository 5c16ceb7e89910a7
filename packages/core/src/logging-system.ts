import { pino, type Logger, type LoggerOptions } from 'pino';
import { LevelTree, type PinoLevel } from './log-level.js';
import type { LogFile, LogFileOptions } from './log-file.js';
import type { LoggingSystemProperties } from './log-spring-patterns.js';
import { LogSink, type SinkOutput, type TextTarget } from './internal/log-sink.js';
import { buildOutputs, levelOrThrow } from './internal/log-outputs.js';
import { ComponentLoggers, ownComponent } from './internal/component-loggers.js';
import { REDACTED_PATHS } from './log-redaction.js';

/** Console output: JSON lines for machines, or a Logback pattern for people. */
export interface ConsoleOutput {
  /** `json`: pino's JSON lines unchanged; `text`: rendered with `pattern`. */
  format: 'json' | 'text';
  /** Logback pattern for `text`. @default Spring Boot's console pattern */
  pattern?: string;
  /** ANSI colours for `%clr(…)` in `text`. @default false */
  colour?: boolean;
  /** Lines below this level are not written here (`logging.threshold.console`). @default 'trace' */
  threshold?: string;
}

/** File output, size-rotated as Spring Boot's Logback setup. */
export interface FileOutput extends Omit<LogFileOptions, 'onError'> {
  /** @default 'text' (Spring Boot's file pattern) */
  format?: 'json' | 'text';
  /** Logback pattern for `text`. @default Spring Boot's file pattern */
  pattern?: string;
  /** Lines below this level are not written here (`logging.threshold.file`). @default 'trace' */
  threshold?: string;
}

/** Where lines go; applied together by {@link LoggingSystem.configureOutput}. */
export interface OutputSettings {
  /** `null` writes nothing to the console. @default { format: 'json' } */
  console?: ConsoleOutput | null;
  /** @default none */
  file?: FileOutput | null;
  /** `%applicationName` writes `[name] `; empty writes nothing. @default '' */
  applicationName?: string;
  /** Values for `${LOG_LEVEL_PATTERN}` and the other properties patterns reference. */
  properties?: LoggingSystemProperties;
}

/** Options of {@link createLoggingSystem}. */
export interface LoggingSystemOptions extends OutputSettings {
  /** Process or application name, written as `name` on every line. */
  name: string;
  /** Root level, Spring (`DEBUG`, `OFF`) or pino (`debug`, `silent`) names. @default 'info' */
  level?: string;
  /** Levels by logger (component) name, with Spring's dotted hierarchy. @default {} */
  levels?: Record<string, string>;
  /** Console target instead of stdout (tests). @default stdout, written synchronously */
  destination?: NodeJS.WritableStream;
}

/** A process's logging: the root pino logger, its levels by name, its outputs. */
export interface LoggingSystem {
  readonly logger: Logger;
  /**
   * Sets the root level and the levels by name (`logging.level.*`), replacing the previous
   * ones; component loggers created earlier follow at once.
   * @throws StratusError `CORE_ERR_INVALID_LOGGING` for a level that is not a level.
   */
  setLevels(root: string, levels?: Record<string, string>): void;
  /**
   * Sets (or with `null` clears) one logger's level at run time, above the configured ones
   * (`POST /actuator/loggers/{name}`); `ROOT` is the root.
   */
  setLoggerLevel(name: string, level: string | null): void;
  /** The level configured for exactly `name` (run-time setting first), or undefined. */
  configuredLevel(name: string): PinoLevel | undefined;
  /** The level in force for `name` (the root level when `name` is `ROOT` or undefined). */
  effectiveLevel(name?: string): PinoLevel;
  /** Component logger names seen so far, sorted. */
  loggerNames(): string[];
  /**
   * Replaces the outputs. Validates everything first: on a bad pattern or an unwritable file
   * it throws and the previous outputs stay.
   * @throws StratusError `CORE_ERR_INVALID_LOGGING` naming the problem.
   */
  configureOutput(settings: OutputSettings): void;
  /**
   * Fields merged into every line (`traceId`, `spanId` for `%X{traceId}`); called per line.
   * `undefined` removes the provider.
   */
  setContext(provider: (() => Record<string, unknown>) | undefined): void;
  /** Flushes and closes the file output. Idempotent; the console stays usable. */
  close(): Promise<void>;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const SYSTEMS = new WeakMap<object, LoggingSystem>();

/**
 * The logging system behind a logger made by `createLoggingSystem` or `createLogger`, or one of
 * its children; undefined for any other logger. Tracing uses it to feed `%X{traceId}`.
 *
 * @example
 * loggingSystemOf(app.logger)?.setContext(() => ({ traceId: currentTraceId() }));
 */
export function loggingSystemOf(logger: Logger): LoggingSystem | undefined {
  for (
    let current: object | null = logger;
    current !== null;
    current = Object.getPrototypeOf(current)
  ) {
    const system = SYSTEMS.get(current);
    if (system !== undefined) return system;
  }
  return undefined;
}

/**
 * Creates a process's logging system on pino: JSON lines by default, or Spring Boot's patterns
 * (`%d %5p … %logger : %m%n`) on the console and in a size-rotated file; levels by component
 * name with Spring's hierarchy (`com.example` covers `com.example.web`) that change live;
 * secrets redacted in every format (the pattern renders pino's redacted line).
 *
 * @throws StratusError `CORE_ERR_INVALID_LOGGING` for a bad level, pattern or file.
 * @example
 * const logging = createLoggingSystem({ name: 'user-service', console: { format: 'text', colour: true } });
 * logging.setLevels('INFO', { 'http-client': 'DEBUG' });
 * logging.logger.child({ component: 'http-client' }).debug({ url }, 'request sent');
 */
export function createLoggingSystem(options: LoggingSystemOptions): LoggingSystem {
  const sink = new LogSink();
  const components = new ComponentLoggers();
  let tree = new LevelTree(levelOrThrow(options.level ?? 'info', 'root level'));
  let configured: { root: PinoLevel; named: Map<string, PinoLevel> } = {
    root: tree.root,
    named: new Map(),
  };
  const overrides = new Map<string, PinoLevel>();
  let context: (() => Record<string, unknown>) | undefined;
  let file: LogFile | null = null;
  let consoleTarget: TextTarget | null = null;
  let consoleOutput: SinkOutput | null = null;

  const pinoOptions: LoggerOptions = {
    name: options.name,
    level: tree.root,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: { pid: process.pid },
    mixin: () => (context === undefined ? EMPTY : context()),
    // pino's default merge writes into the mixin's object; the shared empty one must stay empty.
    mixinMergeStrategy: (merge, mixed) => (mixed === EMPTY ? merge : { ...mixed, ...merge }),
    onChild: (child) => {
      const component = ownComponent(child);
      if (component === undefined) return;
      components.add(child, component);
      child.level = tree.levelFor(component);
    },
  };
  const logger = pino(pinoOptions, sink);

  const applyTree = () => {
    const named = new Map(configured.named);
    for (const [name, level] of overrides) if (name !== 'root') named.set(name, level);
    tree = new LevelTree(overrides.get('root') ?? configured.root, named);
    logger.level = tree.root;
    components.forEach((child, name) => {
      child.level = tree.levelFor(name);
    });
  };

  const consoleWriter = (): TextTarget => {
    if (consoleTarget !== null) return consoleTarget;
    const stream = options.destination;
    consoleTarget = stream
      ? { write: (text) => void stream.write(text) }
      : pino.destination({ dest: 1, sync: true });
    return consoleTarget;
  };

  const system: LoggingSystem = {
    logger,
    setLevels(root, levels = {}) {
      const named = new Map<string, PinoLevel>();
      for (const [name, value] of Object.entries(levels))
        named.set(name, levelOrThrow(value, `level of ${name}`));
      configured = { root: levelOrThrow(root, 'root level'), named };
      applyTree();
    },
    setLoggerLevel(name, level) {
      const key = name.toLowerCase() === 'root' ? 'root' : name;
      if (level === null) overrides.delete(key);
      else overrides.set(key, levelOrThrow(level, `level of ${name}`));
      applyTree();
    },
    configuredLevel(name) {
      if (name.toLowerCase() === 'root') return overrides.get('root') ?? configured.root;
      return overrides.get(name) ?? tree.configured(name);
    },
    effectiveLevel(name) {
      return name === undefined || name.toLowerCase() === 'root' ? tree.root : tree.levelFor(name);
    },
    loggerNames: () => components.names(),
    configureOutput(settings) {
      const next = buildOutputs(settings, consoleWriter, (error, path) =>
        logger.error({ err: error, file: path }, 'log file failed; file logging stopped'),
      );
      const previous = file;
      file = next.file;
      consoleOutput = next.console;
      sink.setOutputs(next.outputs);
      if (previous !== null) void previous.close();
    },
    setContext(provider) {
      context = provider;
    },
    async close() {
      const open = file;
      file = null;
      sink.setOutputs(consoleOutput === null ? [] : [consoleOutput]);
      if (open !== null) await open.close();
    },
  };
  if (options.levels) system.setLevels(options.level ?? 'info', options.levels);
  system.configureOutput(options);
  SYSTEMS.set(logger, system);
  return system;
}
