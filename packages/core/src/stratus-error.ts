const BRAND = Symbol.for('stratus.error');

/** Fields every Stratus error carries; `details` must be safe to show to a caller. */
export interface StratusErrorOptions {
  /** Safe, structured context (never secrets). */
  details?: Record<string, unknown>;
  /** The underlying error, kept for logs only. */
  cause?: unknown;
  /** Human-readable text for the problem `detail`; defaults to the title. */
  message?: string;
}

/**
 * Base of every error Stratus throws on purpose. Branded with `Symbol.for` so
 * `isStratusError` works across duplicate copies of this package.
 *
 * @example
 * throw new StratusError('REG_ERR_INSTANCE_NOT_FOUND', 404, 'Instance not found', { details: { app } });
 */
export class StratusError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly title: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(
    code: string,
    httpStatus: number,
    title: string,
    options: StratusErrorOptions & { retryable?: boolean } = {},
  ) {
    super(
      options.message ?? title,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'StratusError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.title = title;
    this.retryable = options.retryable ?? httpStatus >= 500;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any StratusError, even from another copy of this package. */
export function isStratusError(value: unknown): value is StratusError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}
