import { StratusError, defineErrors } from '@stratus/core';

/** Boot's error table: every code the runtime answers with, its status and title. */
const BOOT_ERROR_ROWS = {
  /** A protected actuator endpoint without valid management credentials. */
  UNAUTHORIZED: {
    status: 401,
    title: 'Unauthorized',
    message: 'Valid management credentials are required',
  },
  /** A route behind `requireBearer()` without a valid bearer token (RFC 6750 `invalid_token`). */
  INVALID_TOKEN: {
    status: 401,
    title: 'Unauthorized',
    message: 'A valid bearer token is required',
  },
  /** No route, endpoint, health component, metric, property or logger of that name. */
  NOT_FOUND: { status: 404, title: 'Not Found' },
  /** Malformed JSON or content that is not what the operation takes. */
  BAD_REQUEST: { status: 400, title: 'Bad Request' },
  /** A request that fails its route's schema; `errors` names each field. */
  VALIDATION: { status: 400, title: 'Bad Request' },
  /** A refreshed configuration failed validation; the previous one stays active. */
  REFRESH_REJECTED: {
    status: 400,
    title: 'Refresh rejected',
    message: 'The new configuration is invalid; the previous configuration stays active',
  },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request Header Fields Too Large' },
  /** The server is closing. */
  UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  /** Configuration that cannot be bound; `problems` lists every bad key. */
  INVALID_CONFIG: { status: 500, title: 'Invalid configuration', retryable: false },
  /** A `{cipher}` value that cannot be decrypted. */
  DECRYPT: { status: 500, title: 'Cannot decrypt configuration', retryable: false },
  /** The datasource cannot be opened or migrated, or is used the wrong way. */
  DATASOURCE: { status: 500, title: 'Datasource error', retryable: false },
  /** The database does not answer (down, restarting, unreachable, no connection in time). */
  DATABASE_UNAVAILABLE: {
    status: 503,
    title: 'Database unavailable',
    retryable: true,
    message: 'The database is not available; try again shortly',
  },
} as const;

/**
 * Boot's errors, one factory per code (`BOOT_ERR_<ROW>`). Shipped codes keep their names.
 *
 * @example
 * throw BootErrors.NOT_FOUND({ message: 'No logger here' });
 * if (BootErrors.INVALID_CONFIG.is(error)) console.log(error.details.problems);
 */
export const BootErrors = defineErrors('BOOT', BOOT_ERROR_ROWS);

/** `BOOT_ERR_INVALID_CONFIG` listing every problem, in the form the binder and boot use. */
export function invalidConfiguration(problems: readonly string[], summary?: string): StratusError {
  return BootErrors.INVALID_CONFIG({
    message:
      summary ??
      (problems.length === 1
        ? problems[0]!
        : `Invalid configuration:\n  - ${problems.join('\n  - ')}`),
    details: { problems: [...problems] },
  });
}

/**
 * BOOT_ERR_UNAUTHORIZED → 401: a protected actuator endpoint without valid credentials.
 * @deprecated Use `BootErrors.UNAUTHORIZED()`.
 */
export class UnauthorizedError extends StratusError {
  constructor() {
    const row = BOOT_ERROR_ROWS.UNAUTHORIZED;
    super(BootErrors.UNAUTHORIZED.code, row.status, row.title, { message: row.message });
  }
}

/**
 * BOOT_ERR_NOT_FOUND → 404: no route or endpoint.
 * @deprecated Use `BootErrors.NOT_FOUND({ message })`.
 */
export class NotFoundError extends StratusError {
  constructor(what = 'resource') {
    const row = BOOT_ERROR_ROWS.NOT_FOUND;
    super(BootErrors.NOT_FOUND.code, row.status, row.title, { message: `No ${what} here` });
  }
}

/**
 * BOOT_ERR_REFRESH_REJECTED → 400: new configuration failed validation; the old one stays.
 * @deprecated Use `BootErrors.REFRESH_REJECTED({ details: { problems } })`.
 */
export class RefreshRejectedError extends StratusError {
  constructor(problems: string[]) {
    const row = BOOT_ERROR_ROWS.REFRESH_REJECTED;
    super(BootErrors.REFRESH_REJECTED.code, row.status, row.title, {
      message: row.message,
      details: { problems },
      retryable: false,
    });
  }
}

/**
 * BOOT_ERR_BAD_REQUEST → 400 (malformed JSON, wrong content).
 * @deprecated Use `BootErrors.BAD_REQUEST({ message, details })`.
 */
export class BadRequestError extends StratusError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    const row = BOOT_ERROR_ROWS.BAD_REQUEST;
    super(BootErrors.BAD_REQUEST.code, row.status, row.title, {
      message,
      details,
      retryable: false,
    });
  }
}
