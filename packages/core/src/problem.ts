import { CoreErrors } from './errors.js';
import { isStratusError } from './stratus-error.js';

/** RFC 9457 problem document, as every Stratus HTTP server writes it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Builds a problem document; an error that is not a `StratusError` becomes a bare
 * `CORE_ERR_INTERNAL` 500 with no internals.
 */
export function toProblem(error: unknown, traceId?: string): ProblemDetails {
  if (isStratusError(error)) {
    return {
      type: `https://stratus.dev/problems/${error.code.toLowerCase().replaceAll('_', '-')}`,
      title: error.title,
      status: error.httpStatus,
      detail: error.message,
      code: error.code,
      ...error.details,
      ...(traceId ? { traceId } : {}),
    };
  }
  const internal = CoreErrors.INTERNAL;
  return {
    type: 'about:blank',
    title: internal.title,
    status: internal.status,
    detail: internal.message,
    code: internal.code,
    ...(traceId ? { traceId } : {}),
  };
}
