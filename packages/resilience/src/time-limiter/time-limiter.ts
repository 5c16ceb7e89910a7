import { InvalidResilienceConfigError, TimeLimiterTimeoutError } from '../errors.js';
import type { TimeLimiterEvent } from '../events.js';
import { Listeners } from '../internal/listeners.js';
import {
  listenerErrorLogger,
  resolveRuntime,
  type PolicyRuntime,
  type ResolvedRuntime,
} from '../runtime.js';
import type { CancelTimer } from '../timers.js';
import { CallController, onAbort, type AnySignal, type CallSignal } from '../call-signal.js';

/** A time limiter's settings, as `TimeLimiterConfig`, durations in ms. */
export interface TimeLimiterConfig {
  /** Longest a call may take. @default 1000 (1 s) */
  readonly timeoutDurationMs: number;
  /** Abort the call's `AbortSignal` when it times out (`cancelRunningFuture`). @default true */
  readonly cancelRunningFuture: boolean;
}

/**
 * Fills in Resilience4j's defaults and checks ranges.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every problem.
 */
export function resolveTimeLimiterConfig(
  input: Partial<TimeLimiterConfig> = {},
): TimeLimiterConfig {
  const config = {
    timeoutDurationMs: input.timeoutDurationMs ?? 1000,
    cancelRunningFuture: input.cancelRunningFuture ?? true,
  };
  if (!(config.timeoutDurationMs >= 0))
    throw new InvalidResilienceConfigError(['timeoutDuration must not be negative']);
  return Object.freeze(config);
}

/**
 * Resilience4j's `TimeLimiter`: fails a call that outlives `timeoutDuration` with a timeout and,
 * with `cancelRunningFuture`, aborts the signal the call was given so it can stop its work
 * (close its socket) — Java's `future.cancel(true)`.
 */
export class TimeLimiter {
  readonly name: string;
  readonly config: TimeLimiterConfig;
  readonly tags: Readonly<Record<string, string>>;
  readonly #runtime: ResolvedRuntime;
  readonly #listeners: Listeners<TimeLimiterEvent>;

  constructor(name: string, config: TimeLimiterConfig, runtime: PolicyRuntime = {}) {
    this.name = name;
    this.config = config;
    this.#runtime = resolveRuntime(runtime);
    this.tags = this.#runtime.tags;
    this.#listeners = new Listeners(listenerErrorLogger(this.#runtime, 'timelimiter', name));
  }

  onEvent(listener: (event: TimeLimiterEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Runs `fn` with a signal that aborts on timeout (or when `signal`, the caller's, aborts). A
   * `fn` that declares no parameter is given no signal, and none is made.
   *
   * @throws TimeLimiterTimeoutError `RES_ERR_TIMEOUT` when `fn` did not settle in time; otherwise what `fn` throws.
   */
  execute<T>(fn: (signal: AbortSignal) => T | Promise<T>, signal?: AnySignal): Promise<T> {
    return this.executeCancellable(
      fn.length === 0 ? (fn as () => T | Promise<T>) : (inner) => fn(inner.signal),
      signal,
    );
  }

  /**
   * {@link TimeLimiter.execute} with a {@link CallSignal}, which costs nothing until an
   * `AbortSignal` is asked of it (undici takes it as it is).
   *
   * @throws TimeLimiterTimeoutError `RES_ERR_TIMEOUT` when `fn` did not settle in time; otherwise what `fn` throws.
   */
  executeCancellable<T>(
    fn: (signal: CallSignal) => T | Promise<T>,
    signal?: AnySignal,
  ): Promise<T> {
    const controller = new CallController();
    if (signal?.aborted) controller.abort(signal.reason);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const stopListening = onAbort(signal, () => controller.abort(signal!.reason));
      const finish = () => {
        settled = true;
        cancelTimer();
        stopListening();
      };
      const cancelTimer: CancelTimer = this.#runtime.timers.setTimeout(() => {
        if (settled) return;
        finish();
        const timeout = new TimeLimiterTimeoutError(this.name, this.config.timeoutDurationMs);
        this.#publish('TIMEOUT');
        if (this.config.cancelRunningFuture) controller.abort(timeout);
        reject(timeout);
      }, this.config.timeoutDurationMs);
      let call: T | Promise<T>;
      try {
        call = fn(controller.signal);
      } catch (error) {
        call = Promise.reject(error);
      }
      Promise.resolve(call).then(
        (value) => {
          if (settled) return;
          finish();
          this.#publish('SUCCESS');
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          this.#publish('ERROR', error);
          reject(error);
        },
      );
    });
  }

  /** Holds no resources; idempotent. */
  async close(): Promise<void> {}

  #publish(type: TimeLimiterEvent['type'], error?: unknown): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.emit({
      kind: 'timelimiter',
      name: this.name,
      type,
      creationTimeMs: this.#runtime.clock.now(),
      ...(error === undefined ? {} : { error }),
    });
  }
}

/**
 * Creates a time limiter (defaults as Resilience4j's `TimeLimiterConfig.ofDefaults()`: 1 s, cancel).
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` for a negative timeout.
 * @example
 * const limiter = createTimeLimiter('orders', { timeoutDurationMs: 1000 });
 * const body = await limiter.execute((signal) => fetch(url, { signal }).then((r) => r.json()));
 */
export function createTimeLimiter(
  name: string,
  config: Partial<TimeLimiterConfig> = {},
  runtime: PolicyRuntime = {},
): TimeLimiter {
  return new TimeLimiter(name, resolveTimeLimiterConfig(config), runtime);
}
