import { StratusError } from '@stratus/core';

/** BOOT_ERR_UNAUTHORIZED → 401: a protected actuator endpoint without valid credentials. */
export class UnauthorizedError extends StratusError {
  constructor() {
    super('BOOT_ERR_UNAUTHORIZED', 401, 'Unauthorized', {
      message: 'Valid management credentials are required',
    });
  }
}

/** BOOT_ERR_NOT_FOUND → 404: no route or endpoint. */
export class NotFoundError extends StratusError {
  constructor(what = 'resource') {
    super('BOOT_ERR_NOT_FOUND', 404, 'Not Found', { message: `No ${what} here` });
  }
}

/** BOOT_ERR_REFRESH_REJECTED → 400: new configuration failed validation; the old one stays. */
export class RefreshRejectedError extends StratusError {
  constructor(problems: string[]) {
    super('BOOT_ERR_REFRESH_REJECTED', 400, 'Refresh rejected', {
      message: 'The new configuration is invalid; the previous configuration stays active',
      details: { problems },
      retryable: false,
    });
  }
}

/** BOOT_ERR_BAD_REQUEST → 400 (malformed JSON, wrong content). */
export class BadRequestError extends StratusError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('BOOT_ERR_BAD_REQUEST', 400, 'Bad Request', { message, details, retryable: false });
  }
}
