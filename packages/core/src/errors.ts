import { defineErrors } from './define-errors.js';

export { StratusError, isStratusError, type StratusErrorOptions } from './stratus-error.js';

/**
 * The errors of `@stratus/core` itself. A shipped code is never reused.
 *
 * - `CORE_ERR_INTERNAL` (500): what `toProblem` answers for an error that is not a
 *   `StratusError`; it never carries the error's message.
 * - `CORE_ERR_INVALID_LOGGING` (500): a `logging.*` level, pattern or file the logging system
 *   cannot use.
 */
export const CoreErrors = defineErrors('CORE', {
  INTERNAL: {
    status: 500,
    title: 'Internal Server Error',
    message: 'An unexpected error occurred',
  },
  INVALID_LOGGING: { status: 500, title: 'Invalid logging configuration', retryable: false },
});
