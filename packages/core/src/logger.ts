import { pino, type Logger } from 'pino';
import { createLoggingSystem } from './logging-system.js';

export type { Logger } from 'pino';
export { REDACTED_PATHS } from './log-redaction.js';

/** Settings of {@link createLogger}. */
export interface LoggerSettings {
  /** Process or component name, written as `name` on every line. */
  name: string;
  /** Spring (`DEBUG`, `OFF`) or pino (`debug`, `silent`) level. @default 'info' */
  level?: string;
  /**
   * Spring Boot's console pattern with colours instead of JSON lines; for a developer's
   * terminal. @default false
   */
  pretty?: boolean;
  /** A Logback pattern for the lines instead of JSON (`%d %5p %logger : %m%n`). @default none (JSON lines) */
  pattern?: string;
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

/**
 * The one root logger of a process: pino JSON lines by default, Spring Boot's console pattern
 * with `pretty`, or any Logback `pattern`. For levels by name, files and live changes use
 * `createLoggingSystem`.
 *
 * @throws StratusError `CORE_ERR_INVALID_LOGGING` for an unknown level or a bad pattern.
 * @example
 * const logger = createLogger({ name: 'user-service', level: 'debug' });
 * logger.child({ component: 'orders' }).info({ orderId }, 'order created');
 */
export function createLogger(settings: LoggerSettings): Logger {
  const text = settings.pretty === true || settings.pattern !== undefined;
  return createLoggingSystem({
    name: settings.name,
    level: settings.level,
    destination: settings.destination,
    applicationName: settings.name,
    console: text
      ? { format: 'text', pattern: settings.pattern, colour: settings.pretty === true }
      : { format: 'json' },
  }).logger;
}

/** A logger that drops everything; for tests and libraries used without one. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
