/**
 * Spring Boot's default console pattern (`DefaultLogbackConfiguration`, Boot 3.2+), with the
 * logging system properties it reads (`LOG_LEVEL_PATTERN` is `logging.pattern.level`, …).
 */
export const SPRING_CONSOLE_PATTERN =
  "%clr(%d{${LOG_DATEFORMAT_PATTERN:-yyyy-MM-dd'T'HH:mm:ss.SSSXXX}}){faint} " +
  '%clr(${LOG_LEVEL_PATTERN:-%5p}) %clr(${PID:- }){magenta} %clr(---){faint} ' +
  '%clr(%applicationName[%15.15t]){faint} %clr(${LOG_CORRELATION_PATTERN:-}){faint}' +
  '%clr(%-40.40logger{39}){cyan} %clr(:){faint} %m%n${LOG_EXCEPTION_CONVERSION_WORD:-%wEx}';

/** Spring Boot's default file pattern: the console's without colours. */
export const SPRING_FILE_PATTERN =
  "%d{${LOG_DATEFORMAT_PATTERN:-yyyy-MM-dd'T'HH:mm:ss.SSSXXX}} ${LOG_LEVEL_PATTERN:-%5p} " +
  '${PID:- } --- %applicationName[%t] ${LOG_CORRELATION_PATTERN:-}%-40.40logger{39} : ' +
  '%m%n${LOG_EXCEPTION_CONVERSION_WORD:-%wEx}';

/**
 * Spring Boot's logging system properties, which its patterns reference as `${NAME:-default}`.
 * An absent entry falls back to the pattern's default.
 */
export interface LoggingSystemProperties {
  /** `logging.pattern.level`. */
  LOG_LEVEL_PATTERN?: string;
  /** `logging.pattern.dateformat`. */
  LOG_DATEFORMAT_PATTERN?: string;
  /** `logging.pattern.correlation`. */
  LOG_CORRELATION_PATTERN?: string;
  /** `logging.exception-conversion-word`. */
  LOG_EXCEPTION_CONVERSION_WORD?: string;
  /** The process id. @default process.pid */
  PID?: string;
  [name: string]: string | undefined;
}

/**
 * Substitutes Logback's `${NAME:-default}` references to the logging system properties, as
 * Logback does before it parses a pattern. Unknown names without a default stay as written.
 *
 * @example
 * expandLoggingProperties('${LOG_LEVEL_PATTERN:-%5p} %m%n', { LOG_LEVEL_PATTERN: '%-5level' });
 * // '%-5level %m%n'
 */
export function expandLoggingProperties(
  pattern: string,
  properties: LoggingSystemProperties = {},
): string {
  const values: LoggingSystemProperties = { PID: String(process.pid), ...properties };
  return pattern.replace(
    /\$\{([A-Za-z0-9_.]+)(?::-([^}]*))?\}/g,
    (whole, name: string, fallback?: string) => {
      const value = values[name];
      if (value !== undefined) return value;
      return fallback ?? whole;
    },
  );
}
