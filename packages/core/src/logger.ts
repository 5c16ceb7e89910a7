import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths pino blanks out wherever they appear in a log object. */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'pwd',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.pwd',
  '*.token',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers.token',
  'res.headers["set-cookie"]',
];

export interface LoggerSettings {
  /** Process or component name, written as `name` on every line. */
  name: string;
  /** @default 'info' */
  level?: string;
  /** Human-readable output instead of JSON. @default false */
  pretty?: boolean;
  /** Where lines go. @default stdout */
  destination?: NodeJS.WritableStream;
}

/**
 * The one root logger of a process. JSON by default; `pretty` is for a
 * developer's terminal only.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: { pid: process.pid },
  };
  if (settings.pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that drops everything; for tests and libraries used without one. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
