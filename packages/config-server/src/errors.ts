import { StratusError } from '@stratus/core';

/**
 * Error codes of the config server. A shipped code is never reused. The decryption error
 * `CFG_ERR_DECRYPT` (400) comes from `@stratus/config`'s crypto API.
 *
 * - `CFG_ERR_INVALID_REQUEST` (400): a name, label or profile failed validation
 *   (spring-wire.md §2.7), or the `.yml/.properties/.json` profile part contains `-`.
 * - `CFG_ERR_NOT_FOUND` (404): a `.yml/.properties/.json` resource name without `-<profiles>`.
 * - `CFG_ERR_NO_KEY` (404): `/encrypt`, `/decrypt` or `/encrypt/status` without an encryptor.
 * - `CFG_ERR_PAYLOAD_TOO_LARGE` (413): an `/encrypt` or `/decrypt` body above the limit.
 * - `CFG_ERR_BAD_REQUEST` (400): a request the HTTP layer could not read (bad media type, empty body).
 * - `CFG_ERR_REPOSITORY` (500): a file in the repository could not be read or parsed.
 * - `CFG_ERR_INVALID_OPTIONS` (500): options given to a factory are invalid.
 */
export const ConfigServerErrorCodes = Object.freeze({
  INVALID_REQUEST: 'CFG_ERR_INVALID_REQUEST',
  NOT_FOUND: 'CFG_ERR_NOT_FOUND',
  NO_KEY: 'CFG_ERR_NO_KEY',
  PAYLOAD_TOO_LARGE: 'CFG_ERR_PAYLOAD_TOO_LARGE',
  BAD_REQUEST: 'CFG_ERR_BAD_REQUEST',
  REPOSITORY: 'CFG_ERR_REPOSITORY',
  INVALID_OPTIONS: 'CFG_ERR_INVALID_OPTIONS',
} as const);

/** 400 "Invalid Request"; names the field, never echoes the rejected value. */
export function invalidRequestError(
  field: 'name' | 'label' | 'profiles',
  message?: string,
): StratusError {
  return new StratusError(ConfigServerErrorCodes.INVALID_REQUEST, 400, 'Invalid Request', {
    message: message ?? `Invalid ${field}`,
    details: { field },
  });
}

/** 404 NO_KEY, Spring's "No key was installed for encryption service". */
export function noKeyError(): StratusError {
  return new StratusError(
    ConfigServerErrorCodes.NO_KEY,
    404,
    'No key was installed for encryption service',
    {
      details: { reason: 'NO_KEY' },
    },
  );
}

/** 500 for a repository file that cannot be read or parsed; the path stays in the logs. */
export function repositoryError(cause: unknown): StratusError {
  return new StratusError(ConfigServerErrorCodes.REPOSITORY, 500, 'Config repository failure', {
    message: 'A configuration file could not be read',
    cause,
  });
}

/** 500 at construction: lists every problem found in the options. */
export function invalidOptionsError(problems: string[]): StratusError {
  return new StratusError(
    ConfigServerErrorCodes.INVALID_OPTIONS,
    500,
    'Invalid config server options',
    {
      message: problems.join('; '),
      details: { problems },
    },
  );
}
