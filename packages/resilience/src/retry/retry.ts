import { InvalidResilienceConfigError, MaxRetriesExceededError } from '../errors.js';
import type { RetryEvent } from '../events.js';
import { constantInterval, type IntervalFunction } from '../interval.js';
import { Listeners } from '../internal/listeners.js';
import {
  listenerErrorLogger,
  resolveRuntime,
  type PolicyRuntime,
  type ResolvedRuntime,
} from '../runtime.js';
import type { AnySignal } from '../call-signal.js';
import { sleep } from '../timers.js';
import { retryAfterMsOf } from './retry-after.js';

/** What the attempt that is to be retried ended with. */
export type RetryOutcome = { readonly error: unknown } | { readonly result: unknown };

/** A retry's settings, as `RetryConfig`, with durations in milliseconds. */
export interface RetryConfig {
  /** Attempts in all, the first call included. @default 3 */
  readonly maxAttempts: number;
  /**
   * Wait before attempt `attempt + 1` (`IntervalBiFunction`); negative stops retrying.
   * @default 500 ms every time (`waitDuration`)
   */
  readonly intervalBiFunction: (attempt: number, outcome: RetryOutcome) => number;
  /** Which errors are retried (`retryExceptions` minus `ignoreExceptions`). @default every error */
  readonly retryOnException: (error: unknown) => boolean;
  /** Which results are retried (`resultPredicate`). @default none */
  readonly retryOnResult: ((result: unknown) => boolean) | undefined;
  /** Throw `MaxRetriesExceededError` when the last result still asked for a retry. @default false */
  readonly failAfterMaxAttempts: boolean;
  /** Wait at least as long as a `Retry-After` on the error or result asks (a Stratus addition). @default true */
  readonly honourRetryAfter: boolean;
  /** Give up instead when `Retry-After` asks for longer than this, ms. @default 60000 (60 s) */
  readonly maxRetryAfterMs: number;
}

/** The settings a caller may give; `waitDurationMs` or `intervalFunction` are shorthands. */
export type RetryConfigInput = Partial<RetryConfig> & {
  /** Constant wait between attempts, ms. @default 500 */
  waitDurationMs?: number;
  /** Wait by attempt number (exponential backoff, jitter, …); see `exponentialBackoff`. */
  intervalFunction?: IntervalFunction;
};

/** `Retry.Metrics`: calls by how they ended, and every attempt made. */
export interface RetryMetrics {
  readonly numberOfSuccessfulCallsWithoutRetryAttempt: number;
  readonly numberOfSuccessfulCallsWithRetryAttempt: number;
  readonly numberOfFailedCallsWithoutRetryAttempt: number;
  readonly numberOfFailedCallsWithRetryAttempt: number;
  readonly numberOfTotalCalls: number;
}

/**
 * Fills in Resilience4j's defaults and checks ranges.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every problem.
 */
export function resolveRetryConfig(input: RetryConfigInput = {}): RetryConfig {
  const problems: string[] = [];
  const maxAttempts = input.maxAttempts ?? 3;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1))
    problems.push('maxAttempts must be an integer greater than or equal to 1');
  const waitDurationMs = input.waitDurationMs ?? 500;
  if (!(waitDurationMs >= 0)) problems.push('waitDuration must not be negative');
  if (problems.length > 0) throw new InvalidResilienceConfigError(problems);
  const intervalFunction = input.intervalFunction ?? constantInterval(waitDurationMs);
  return Object.freeze({
    maxAttempts,
    intervalBiFunction:
      input.intervalBiFunction ?? ((attempt: number) => intervalFunction(attempt)),
    retryOnException: input.retryOnException ?? (() => true),
    retryOnResult: input.retryOnResult,
    failAfterMaxAttempts: input.failAfterMaxAttempts ?? false,
    honourRetryAfter: input.honourRetryAfter ?? true,
    maxRetryAfterMs: input.maxRetryAfterMs ?? 60_000,
  });
}

/**
 * The bookkeeping of one decorated call (Resilience4j's `Retry.AsyncContext`): each method says
 * how long to wait before the next attempt, or −1 to stop.
 */
export interface RetryContext {
  /** After an attempt threw: the wait, or −1 to rethrow `error`. */
  onError(error: unknown): number;
  /** After an attempt returned: the wait, or −1 to finish with `result` (then call `onComplete`). */
  onResult(result: unknown): number;
  /** The call is over with a result. @throws MaxRetriesExceededError with `failAfterMaxAttempts`. */
  onComplete(): void;
}

/** Resilience4j's `Retry`: re-runs a call on retryable errors or results, waiting between attempts. */
export class Retry {
  readonly name: string;
  readonly config: RetryConfig;
  readonly tags: Readonly<Record<string, string>>;
  readonly #runtime: ResolvedRuntime;
  readonly #listeners: Listeners<RetryEvent>;
  readonly #counts = {
    successWithout: 0,
    successWith: 0,
    failedWithout: 0,
    failedWith: 0,
    total: 0,
  };

  constructor(name: string, config: RetryConfig, runtime: PolicyRuntime = {}) {
    this.name = name;
    this.config = config;
    this.#runtime = resolveRuntime(runtime);
    this.tags = this.#runtime.tags;
    this.#listeners = new Listeners(listenerErrorLogger(this.#runtime, 'retry', name));
  }

  get metrics(): RetryMetrics {
    const c = this.#counts;
    return {
      numberOfSuccessfulCallsWithoutRetryAttempt: c.successWithout,
      numberOfSuccessfulCallsWithRetryAttempt: c.successWith,
      numberOfFailedCallsWithoutRetryAttempt: c.failedWithout,
      numberOfFailedCallsWithRetryAttempt: c.failedWith,
      numberOfTotalCalls: c.total,
    };
  }

  onEvent(listener: (event: RetryEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Calls `fn` (with the 1-based attempt number) until it succeeds, an error is not retryable or
   * `maxAttempts` is reached; waits are scheduled on the runtime's timers. Aborting `signal`
   * during a wait ends the call with the last error.
   *
   * @throws the last error, or MaxRetriesExceededError `RES_ERR_MAX_RETRIES_EXCEEDED`.
   */
  async execute<T>(fn: (attempt: number) => T | Promise<T>, signal?: AnySignal): Promise<T> {
    // Made at the first failure: most calls succeed at once and need none of its bookkeeping.
    let context: RetryContext | undefined;
    for (let attempt = 1; ; attempt++) {
      let result: T;
      try {
        result = await fn(attempt);
      } catch (error) {
        context ??= this.context();
        const delay = context.onError(error);
        if (delay < 0) throw error;
        await this.#wait(delay, signal, { error });
        continue;
      }
      if (context === undefined && this.config.retryOnResult === undefined) {
        this.#counts.total++;
        this.#counts.successWithout++;
        return result;
      }
      context ??= this.context();
      const delay = context.onResult(result);
      if (delay < 0) {
        context.onComplete();
        return result;
      }
      await this.#wait(delay, signal, undefined);
    }
  }

  /** A fresh context for one call, for callers that drive attempts themselves. */
  context(): RetryContext {
    let attempts = 0;
    let lastError: unknown;
    const c = this.#counts;
    const { maxAttempts } = this.config;
    return {
      onError: (error) => {
        c.total++;
        if (!this.config.retryOnException(error)) {
          c.failedWithout++;
          this.#publish('IGNORED_ERROR', 0, { error });
          return -1;
        }
        lastError = error;
        const attempt = ++attempts;
        if (attempt >= maxAttempts) {
          c.failedWith++;
          this.#publish('ERROR', attempt, { error });
          return -1;
        }
        const interval = this.#interval(attempt, { error });
        if (interval < 0) this.#publish('ERROR', attempt, { error });
        else this.#publish('RETRY', attempt, { error, waitMs: interval });
        return interval;
      },
      onResult: (result) => {
        if (!this.config.retryOnResult?.(result)) return -1;
        c.total++;
        const attempt = ++attempts;
        if (attempt >= maxAttempts) return -1;
        const interval = this.#interval(attempt, { result });
        this.#publish('RETRY', attempt, { waitMs: interval });
        return interval;
      },
      onComplete: () => {
        c.total++;
        if (attempts > 0 && attempts < maxAttempts) {
          c.successWith++;
          this.#publish('SUCCESS', attempts, { error: lastError });
        } else if (attempts >= maxAttempts) {
          c.failedWith++;
          const exceeded = new MaxRetriesExceededError(this.name, maxAttempts);
          this.#publish('ERROR', attempts, {
            error: this.config.failAfterMaxAttempts ? exceeded : (lastError ?? exceeded),
          });
          if (this.config.failAfterMaxAttempts) throw exceeded;
        } else {
          c.successWithout++;
        }
      },
    };
  }

  /** Holds no timers between calls; idempotent. */
  async close(): Promise<void> {}

  #interval(attempt: number, outcome: RetryOutcome): number {
    const interval = this.config.intervalBiFunction(attempt, outcome);
    if (interval < 0 || !this.config.honourRetryAfter) return interval;
    const source = 'error' in outcome ? outcome.error : outcome.result;
    const retryAfterMs = retryAfterMsOf(source, this.#runtime.clock.now());
    if (retryAfterMs === undefined) return interval;
    return retryAfterMs > this.config.maxRetryAfterMs ? -1 : Math.max(interval, retryAfterMs);
  }

  async #wait(
    delayMs: number,
    signal: AnySignal | undefined,
    last: { error: unknown } | undefined,
  ): Promise<void> {
    try {
      await sleep(this.#runtime.timers, delayMs, signal);
    } catch (reason) {
      throw last ? last.error : reason;
    }
  }

  #publish(
    type: RetryEvent['type'],
    numberOfAttempts: number,
    fields: { error?: unknown; waitMs?: number },
  ): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.emit({
      kind: 'retry',
      name: this.name,
      type,
      creationTimeMs: this.#runtime.clock.now(),
      numberOfAttempts,
      ...fields,
    });
  }
}

/**
 * Creates a retry (durations in ms; defaults as Resilience4j's `RetryConfig.ofDefaults()`).
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` for out-of-range settings.
 * @example
 * const retry = createRetry('backendA', { maxAttempts: 4, intervalFunction: exponentialBackoff({ initialIntervalMs: 100, multiplier: 2 }) });
 * const user = await retry.execute(() => client.get('/users/1'));
 */
export function createRetry(
  name: string,
  config: RetryConfigInput = {},
  runtime: PolicyRuntime = {},
): Retry {
  return new Retry(name, resolveRetryConfig(config), runtime);
}
