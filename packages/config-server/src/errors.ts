import { defineErrors, type StratusError } from '@stratus/core';

/**
 * The errors of the config server. A shipped code is never reused. The decryption error
 * `CFG_ERR_DECRYPT` (400) and the configuration errors (`CFG_ERR_INVALID_CONFIG`, …) come from
 * `@stratus/config`'s table.
 *
 * - `CFG_ERR_INVALID_REQUEST` (400): a name, label or profile failed validation
 *   (spring-wire.md §2.7), or the `.yml/.properties/.json` profile part contains `-`.
 * - `CFG_ERR_NOT_FOUND` (404): a `.yml/.properties/.json` resource name without `-<profiles>`;
 *   `/key` with a symmetric key (Spring's `NOT_FOUND` "No public key available").
 * - `CFG_ERR_NO_KEY` (404): `/encrypt`, `/decrypt` or `/encrypt/status` without an encryptor.
 * - `CFG_ERR_PAYLOAD_TOO_LARGE` (413): an `/encrypt`, `/decrypt` or `/monitor` body above the
 *   limit.
 * - `CFG_ERR_BAD_REQUEST` (400, or the 4xx the HTTP layer chose): a request that could not be
 *   read (empty body, unrecognized `/monitor` notification).
 * - `CFG_ERR_REPOSITORY` (500): a file in the repository could not be read or parsed.
 * - `CFG_ERR_INVALID_OPTIONS` (500): options given to a factory are invalid.
 * - `CFG_ERR_NO_SUCH_LABEL` (404): the label is no branch, tag or commit of the git repository
 *   (Spring's `NoSuchLabelException`).
 * - `CFG_ERR_REPOSITORY_UNAVAILABLE` (500): the git repository could not be cloned and there is
 *   no earlier clone to serve from.
 *
 * @example
 * if (ConfigServerErrors.NO_SUCH_LABEL.is(error)) reply.code(404);
 */
export const ConfigServerErrors = defineErrors('CFG', {
  INVALID_REQUEST: { status: 400, title: 'Invalid Request' },
  NOT_FOUND: { status: 404, title: 'Not Found' },
  NO_KEY: { status: 404, title: 'No key was installed for encryption service' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload Too Large',
    message: 'Request body is too large',
  },
  BAD_REQUEST: { status: 400, title: 'Bad Request' },
  REPOSITORY: {
    status: 500,
    title: 'Config repository failure',
    message: 'A configuration file could not be read',
  },
  INVALID_OPTIONS: { status: 500, title: 'Invalid config server options' },
  NO_SUCH_LABEL: { status: 404, title: 'No such label', message: 'No such label' },
  REPOSITORY_UNAVAILABLE: {
    status: 500,
    title: 'Config repository unavailable',
    message: 'The configuration repository could not be cloned',
  },
});

/** 400 "Invalid Request"; names the field, never echoes the rejected value. */
export function invalidRequestError(
  field: 'name' | 'label' | 'profiles',
  message?: string,
): StratusError {
  return ConfigServerErrors.INVALID_REQUEST({
    message: message ?? `Invalid ${field}`,
    details: { field },
  });
}

/** 500 at construction: lists every problem found in the options. */
export function invalidOptionsError(problems: string[]): StratusError {
  return ConfigServerErrors.INVALID_OPTIONS({
    message: problems.join('; '),
    details: { problems },
  });
}
