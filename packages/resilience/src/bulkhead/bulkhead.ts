import { BulkheadFullError, InvalidResilienceConfigError } from '../errors.js';
import type { BulkheadEvent } from '../events.js';
import { Listeners } from '../internal/listeners.js';
import {
  listenerErrorLogger,
  resolveRuntime,
  type PolicyRuntime,
  type ResolvedRuntime,
} from '../runtime.js';
import type { CancelTimer } from '../timers.js';

/** A semaphore bulkhead's settings, as `BulkheadConfig`, durations in ms. */
export interface BulkheadConfig {
  /** Calls allowed at once. @default 25 */
  readonly maxConcurrentCalls: number;
  /** How long a call may wait for a permit; 0 rejects at once. @default 0 */
  readonly maxWaitDurationMs: number;
}

/** `Bulkhead.Metrics`. */
export interface BulkheadMetrics {
  readonly availableConcurrentCalls: number;
  readonly maxAllowedConcurrentCalls: number;
}

/**
 * Fills in Resilience4j's defaults and checks ranges.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every problem.
 */
export function resolveBulkheadConfig(input: Partial<BulkheadConfig> = {}): BulkheadConfig {
  const config = {
    maxConcurrentCalls: input.maxConcurrentCalls ?? 25,
    maxWaitDurationMs: input.maxWaitDurationMs ?? 0,
  };
  const problems: string[] = [];
  if (!(Number.isInteger(config.maxConcurrentCalls) && config.maxConcurrentCalls >= 0))
    problems.push('maxConcurrentCalls must be an integer greater than or equal to 0');
  if (!(config.maxWaitDurationMs >= 0))
    problems.push('maxWaitDuration must be greater than or equal to 0');
  if (problems.length > 0) throw new InvalidResilienceConfigError(problems);
  return Object.freeze(config);
}

interface Waiter {
  grant(): void;
}

/**
 * Resilience4j's `SemaphoreBulkhead`: at most `maxConcurrentCalls` calls at once; others wait up
 * to `maxWaitDuration` in arrival order (a fair semaphore), then are rejected.
 */
export class Bulkhead {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly #runtime: ResolvedRuntime;
  readonly #listeners: Listeners<BulkheadEvent>;
  readonly #waiters: Waiter[] = [];
  #config: BulkheadConfig;
  #available: number;

  constructor(name: string, config: BulkheadConfig, runtime: PolicyRuntime = {}) {
    this.name = name;
    this.#config = config;
    this.#available = config.maxConcurrentCalls;
    this.#runtime = resolveRuntime(runtime);
    this.tags = this.#runtime.tags;
    this.#listeners = new Listeners(listenerErrorLogger(this.#runtime, 'bulkhead', name));
  }

  get config(): BulkheadConfig {
    return this.#config;
  }

  get metrics(): BulkheadMetrics {
    return {
      availableConcurrentCalls: Math.max(0, this.#available),
      maxAllowedConcurrentCalls: this.#config.maxConcurrentCalls,
    };
  }

  onEvent(listener: (event: BulkheadEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Takes a permit if one is free and nobody is queued before us; never waits. */
  tryAcquirePermission(): boolean {
    const permitted = this.#tryEnter();
    this.#publish(permitted ? 'CALL_PERMITTED' : 'CALL_REJECTED');
    return permitted;
  }

  /**
   * Takes a permit, waiting up to `maxWaitDuration` in line.
   *
   * @throws BulkheadFullError `RES_ERR_BULKHEAD_FULL` when none came in time; the signal's reason when aborted.
   */
  async acquirePermission(signal?: AbortSignal): Promise<void> {
    if (this.#tryEnter()) {
      this.#publish('CALL_PERMITTED');
      return;
    }
    const waitMs = this.#config.maxWaitDurationMs;
    if (waitMs <= 0 || signal?.aborted) {
      this.#publish('CALL_REJECTED');
      if (signal?.aborted) throw signal.reason;
      throw new BulkheadFullError(this.name);
    }
    await this.#waitInLine(waitMs, signal);
  }

  /** Gives back a permit without a CALL_FINISHED event (the call did not run). */
  releasePermission(): void {
    this.#release();
  }

  /** Gives back the permit of a finished call. */
  onComplete(): void {
    this.#release();
    this.#publish('CALL_FINISHED');
  }

  /**
   * Runs `fn` with a permit held.
   *
   * @throws BulkheadFullError `RES_ERR_BULKHEAD_FULL` when no permit came in time.
   */
  async execute<T>(fn: () => T | Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquirePermission(signal);
    try {
      return await fn();
    } finally {
      this.onComplete();
    }
  }

  /**
   * Changes the limits in place (`changeConfig`): permits are added or taken back by the
   * difference; running calls keep theirs, so a smaller limit applies as they finish.
   */
  changeConfig(config: BulkheadConfig): void {
    this.#available += config.maxConcurrentCalls - this.#config.maxConcurrentCalls;
    this.#config = config;
    this.#grantWaiters();
  }

  /** Rejects nobody and holds no timers of its own once its waiters are gone; idempotent. */
  async close(): Promise<void> {}

  #tryEnter(): boolean {
    if (this.#available <= 0 || this.#waiters.length > 0) return false;
    this.#available--;
    return true;
  }

  #release(): void {
    this.#available++;
    this.#grantWaiters();
  }

  #grantWaiters(): void {
    while (this.#available > 0 && this.#waiters.length > 0) {
      this.#available--;
      this.#waiters.shift()!.grant();
    }
  }

  #waitInLine(waitMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let cancelTimer: CancelTimer = () => {};
      const leave = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        cancelTimer();
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          this.#publish('CALL_PERMITTED');
          resolve();
        },
      };
      const onAbort = () => {
        leave();
        this.#publish('CALL_REJECTED');
        reject(signal!.reason);
      };
      this.#waiters.push(waiter);
      cancelTimer = this.#runtime.timers.setTimeout(() => {
        leave();
        this.#publish('CALL_REJECTED');
        reject(new BulkheadFullError(this.name));
      }, waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #publish(type: BulkheadEvent['type']): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.emit({
      kind: 'bulkhead',
      name: this.name,
      type,
      creationTimeMs: this.#runtime.clock.now(),
    });
  }
}

/**
 * Creates a semaphore bulkhead (defaults as Resilience4j's `BulkheadConfig.ofDefaults()`).
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` for out-of-range settings.
 * @example
 * const bulkhead = createBulkhead('inventory', { maxConcurrentCalls: 10 });
 * await bulkhead.execute(() => reserveStock(order));
 */
export function createBulkhead(
  name: string,
  config: Partial<BulkheadConfig> = {},
  runtime: PolicyRuntime = {},
): Bulkhead {
  return new Bulkhead(name, resolveBulkheadConfig(config), runtime);
}
