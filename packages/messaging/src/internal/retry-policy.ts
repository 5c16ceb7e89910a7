import type { RetryOptions } from '../transport.js';

/** Retry after validation and defaulting. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialIntervalMs: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
}

/**
 * Defaults of a failing handler's retry: 10 calls in all, as Spring Kafka's `DefaultErrorHandler`
 * makes, with an exponential back-off of 50 ms doubling up to 2 s (about 9 s in all).
 */
export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  initialIntervalMs: 50,
  multiplier: 2,
  maxIntervalMs: 2_000,
});

/** Validates retry options, adding a line to `problems` for each bad one. */
export function resolveRetry(
  options: RetryOptions | undefined,
  problems: string[],
  defaults: RetryPolicy = RETRY_DEFAULTS,
): RetryPolicy {
  if (options === undefined) return defaults;
  if (typeof options !== 'object' || options === null) {
    problems.push('retry must be an object');
    return defaults;
  }
  const pick = (name: keyof RetryPolicy, min: number): number => {
    const value = options[name];
    if (value === undefined) return defaults[name];
    if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
      problems.push(`retry.${name} must be a number >= ${min}`);
      return defaults[name];
    }
    return value;
  };
  const maxAttempts = pick('maxAttempts', 1);
  return Object.freeze({
    maxAttempts: Number.isFinite(maxAttempts) ? Math.trunc(maxAttempts) : Infinity,
    initialIntervalMs: pick('initialIntervalMs', 0),
    multiplier: pick('multiplier', 1),
    maxIntervalMs: pick('maxIntervalMs', 0),
  });
}

/** The delay after failed call number `attempt` (1-based). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 60);
  return Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** exponent);
}
