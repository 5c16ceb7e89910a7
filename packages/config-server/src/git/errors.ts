import { StratusError } from '@stratus/core';

/**
 * Error codes of the git backend (to be merged into the package's `src/errors.ts` table).
 *
 * - `CFG_ERR_NO_SUCH_LABEL` (404): the label is no branch, tag or commit of the repository
 *   (Spring's `NoSuchLabelException`).
 * - `CFG_ERR_REPOSITORY_UNAVAILABLE` (500): the repository could not be cloned and there is no
 *   earlier clone to serve from.
 */
export const GitErrorCodes = Object.freeze({
  NO_SUCH_LABEL: 'CFG_ERR_NO_SUCH_LABEL',
  REPOSITORY_UNAVAILABLE: 'CFG_ERR_REPOSITORY_UNAVAILABLE',
} as const);

/** 404 for a label that is no branch, tag or commit; the label is a validated request value. */
export function noSuchLabelError(label: string): StratusError {
  return new StratusError(GitErrorCodes.NO_SUCH_LABEL, 404, 'No such label', {
    message: 'No such label',
    details: { label },
  });
}

/** 500 when a repository has never been cloned successfully; the cause stays in the logs. */
export function repositoryUnavailableError(): StratusError {
  return new StratusError(
    GitErrorCodes.REPOSITORY_UNAVAILABLE,
    500,
    'Config repository unavailable',
    {
      message: 'The configuration repository could not be cloned',
    },
  );
}
