export { StratusError, isStratusError, type StratusErrorOptions } from './stratus-error.js';
export { CoreErrors } from './errors.js';
export { toProblem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem.js';
export {
  defineErrors,
  type ErrorDefinition,
  type ErrorFactory,
  type ErrorInit,
  type ErrorTable,
} from './define-errors.js';
export { Secret } from './secret.js';
export { isRecord } from './is-record.js';
export { systemClock, createManualClock, type Clock, type ManualClock } from './clock.js';
export { parseDurationMs } from './duration.js';
export { parseDataSizeBytes } from './data-size.js';
export {
  createLogger,
  createSilentLogger,
  REDACTED_PATHS,
  type Logger,
  type LoggerSettings,
} from './logger.js';
export {
  createLoggingSystem,
  loggingSystemOf,
  type LoggingSystem,
  type LoggingSystemOptions,
  type ConsoleOutput,
  type FileOutput,
  type OutputSettings,
} from './logging-system.js';
export {
  parseLogLevel,
  springLevelName,
  normalizeLoggerName,
  LevelTree,
  SPRING_LOG_LEVELS,
  type PinoLevel,
} from './log-level.js';
export {
  compileLogPattern,
  abbreviateLoggerName,
  type LogRecord,
  type LogRenderer,
  type PatternOptions,
  type CompiledPattern,
} from './log-pattern.js';
export {
  SPRING_CONSOLE_PATTERN,
  SPRING_FILE_PATTERN,
  expandLoggingProperties,
  type LoggingSystemProperties,
} from './log-spring-patterns.js';
export {
  openLogFile,
  DEFAULT_MAX_FILE_SIZE_BYTES,
  DEFAULT_MAX_HISTORY,
  type LogFile,
  type LogFileOptions,
} from './log-file.js';
