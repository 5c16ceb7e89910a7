import { InvalidResilienceConfigError, RequestNotPermittedError } from '../errors.js';
import type { RateLimiterEvent } from '../events.js';
import { Listeners } from '../internal/listeners.js';
import {
  listenerErrorLogger,
  resolveRuntime,
  type PolicyRuntime,
  type ResolvedRuntime,
} from '../runtime.js';
import { sleep } from '../timers.js';

/** A rate limiter's settings, as `RateLimiterConfig`, durations in ms (fractions allowed). */
export interface RateLimiterConfig {
  /** Permissions per refresh period. @default 50 */
  readonly limitForPeriod: number;
  /** Length of one period, ms. @default 0.0005 (500 ns, Resilience4j's default) */
  readonly limitRefreshPeriodMs: number;
  /** How long a call may wait for a permission, ms. @default 5000 (5 s) */
  readonly timeoutDurationMs: number;
  /** Results or errors that use up the rest of the period's permissions. @default none */
  readonly drainPermissionsOnResult:
    ((outcome: { error: unknown } | { result: unknown }) => boolean) | undefined;
}

/** `RateLimiter.Metrics`. */
export interface RateLimiterMetrics {
  /** Permissions left in the current period; negative when calls reserved ahead. */
  readonly availablePermissions: number;
  /** Calls waiting for a permission. */
  readonly numberOfWaitingThreads: number;
}

/**
 * Fills in Resilience4j's defaults and checks ranges.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every problem.
 */
export function resolveRateLimiterConfig(
  input: Partial<RateLimiterConfig> = {},
): RateLimiterConfig {
  const config = {
    limitForPeriod: input.limitForPeriod ?? 50,
    limitRefreshPeriodMs: input.limitRefreshPeriodMs ?? 0.0005,
    timeoutDurationMs: input.timeoutDurationMs ?? 5000,
    drainPermissionsOnResult: input.drainPermissionsOnResult,
  };
  const problems: string[] = [];
  if (!(Number.isInteger(config.limitForPeriod) && config.limitForPeriod >= 1))
    problems.push('limitForPeriod should be greater than 0');
  if (!(Math.round(config.limitRefreshPeriodMs * 1e6) >= 1))
    problems.push('limitRefreshPeriod is too short');
  if (!(config.timeoutDurationMs >= 0)) problems.push('timeoutDuration must not be negative');
  if (problems.length > 0) throw new InvalidResilienceConfigError(problems);
  return Object.freeze(config);
}

/** Resilience4j's `AtomicRateLimiter.State`: everything is counted in nanoseconds since creation. */
interface State {
  readonly config: RateLimiterConfig;
  readonly activeCycle: number;
  readonly activePermissions: number;
  readonly nanosToWait: number;
}

/**
 * Resilience4j's `AtomicRateLimiter`: time is cut into cycles of `limitRefreshPeriod` counted from
 * the limiter's creation; each cycle refills the permissions to `limitForPeriod`; a caller may
 * reserve permissions of future cycles if it can wait for them within `timeoutDuration`.
 */
export class RateLimiter {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly #runtime: ResolvedRuntime;
  readonly #listeners: Listeners<RateLimiterEvent>;
  readonly #startMs: number;
  #state: State;
  #waiting = 0;

  constructor(name: string, config: RateLimiterConfig, runtime: PolicyRuntime = {}) {
    this.name = name;
    this.#runtime = resolveRuntime(runtime);
    this.tags = this.#runtime.tags;
    this.#listeners = new Listeners(listenerErrorLogger(this.#runtime, 'ratelimiter', name));
    this.#startMs = this.#runtime.clock.now();
    this.#state = {
      config,
      activeCycle: 0,
      activePermissions: config.limitForPeriod,
      nanosToWait: 0,
    };
  }

  get config(): RateLimiterConfig {
    return this.#state.config;
  }

  get metrics(): RateLimiterMetrics {
    const estimate = this.#nextState(1, -1, this.#state);
    return {
      availablePermissions: estimate.activePermissions,
      numberOfWaitingThreads: this.#waiting,
    };
  }

  onEvent(listener: (event: RateLimiterEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Reserves `permits` now: 0 when they are free, the wait in ms when they can be had within
   * `timeoutDuration` (the caller must wait that long), −1 when they cannot (nothing reserved).
   */
  reservePermission(permits = 1): number {
    const timeoutNanos = toNanos(this.#state.config.timeoutDurationMs);
    const next = this.#reserve(permits, timeoutNanos);
    if (next.nanosToWait <= 0) {
      this.#publish('SUCCESSFUL_ACQUIRE', permits);
      return 0;
    }
    if (timeoutNanos >= next.nanosToWait) {
      this.#publish('SUCCESSFUL_ACQUIRE', permits);
      return next.nanosToWait / 1e6;
    }
    this.#publish('FAILED_ACQUIRE', permits);
    return -1;
  }

  /**
   * Takes `permits`, waiting for them when they come within `timeoutDuration`. As Resilience4j,
   * a caller that cannot get them in time is held for the whole timeout, then refused.
   */
  async acquirePermission(permits = 1, signal?: AbortSignal): Promise<boolean> {
    const timeoutNanos = toNanos(this.#state.config.timeoutDurationMs);
    const next = this.#reserve(permits, timeoutNanos);
    let permitted = next.nanosToWait <= 0;
    if (!permitted) {
      const canWait = timeoutNanos >= next.nanosToWait;
      const waited = await this.#waitNanos(canWait ? next.nanosToWait : timeoutNanos, signal);
      permitted = canWait && waited;
    }
    this.#publish(permitted ? 'SUCCESSFUL_ACQUIRE' : 'FAILED_ACQUIRE', permits);
    return permitted;
  }

  /** Uses up the rest of the current period's permissions. */
  drainPermissions(): void {
    const previous = this.#state;
    this.#state = this.#nextState(previous.activePermissions, 0, previous);
    this.#publish('DRAINED', Math.min(previous.activePermissions, 0));
  }

  /** New `limitForPeriod` from the next cycle on (`changeLimitForPeriod`). */
  changeLimitForPeriod(limitForPeriod: number): void {
    this.#state = {
      ...this.#state,
      config: resolveRateLimiterConfig({ ...this.#state.config, limitForPeriod }),
    };
  }

  /** New `timeoutDuration` for later calls (`changeTimeoutDuration`). */
  changeTimeoutDuration(timeoutDurationMs: number): void {
    this.#state = {
      ...this.#state,
      config: resolveRateLimiterConfig({ ...this.#state.config, timeoutDurationMs }),
    };
  }

  /**
   * Runs `fn` once a permission is granted.
   *
   * @throws RequestNotPermittedError `RES_ERR_REQUEST_NOT_PERMITTED` when none came in time.
   */
  async execute<T>(fn: () => T | Promise<T>, signal?: AbortSignal): Promise<T> {
    if (!(await this.acquirePermission(1, signal))) throw new RequestNotPermittedError(this.name);
    const drain = this.#state.config.drainPermissionsOnResult;
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      if (drain?.({ error })) this.drainPermissions();
      throw error;
    }
    if (drain?.({ result })) this.drainPermissions();
    return result;
  }

  /** Holds no resources; idempotent. */
  async close(): Promise<void> {}

  #reserve(permits: number, timeoutNanos: number): State {
    this.#state = this.#nextState(permits, timeoutNanos, this.#state);
    return this.#state;
  }

  // AtomicRateLimiter.calculateNextState, nanosToWaitForPermission and reservePermissions.
  #nextState(permits: number, timeoutNanos: number, active: State): State {
    const cycleNanos = toNanos(active.config.limitRefreshPeriodMs);
    const perCycle = active.config.limitForPeriod;
    const currentNanos = this.#elapsedNanos();
    const currentCycle = Math.trunc(currentNanos / cycleNanos);
    let nextCycle = active.activeCycle;
    let nextPermissions = active.activePermissions;
    if (nextCycle !== currentCycle) {
      const accumulated = (currentCycle - nextCycle) * perCycle;
      nextCycle = currentCycle;
      nextPermissions = Math.min(nextPermissions + accumulated, perCycle);
    }
    let nanosToWait = 0;
    if (nextPermissions < permits) {
      const nanosToNextCycle = (currentCycle + 1) * cycleNanos - currentNanos;
      const permissionsAtNextCycle = nextPermissions + perCycle;
      const fullCycles = Math.trunc((permits - permissionsAtNextCycle + perCycle - 1) / perCycle);
      nanosToWait = fullCycles * cycleNanos + nanosToNextCycle;
    }
    const reserved = timeoutNanos >= nanosToWait ? nextPermissions - permits : nextPermissions;
    return {
      config: active.config,
      activeCycle: nextCycle,
      activePermissions: reserved,
      nanosToWait,
    };
  }

  async #waitNanos(nanos: number, signal: AbortSignal | undefined): Promise<boolean> {
    this.#waiting++;
    try {
      await sleep(this.#runtime.timers, nanos / 1e6, signal);
      return true;
    } catch {
      return false;
    } finally {
      this.#waiting--;
    }
  }

  /** Nanoseconds since creation (`currentNanoTime`), exact while under 2^53 ns (104 days). */
  #elapsedNanos(): number {
    return Math.round((this.#runtime.clock.now() - this.#startMs) * 1e6);
  }

  #publish(type: RateLimiterEvent['type'], permits: number): void {
    if (this.#listeners.size === 0) return;
    this.#listeners.emit({
      kind: 'ratelimiter',
      name: this.name,
      type,
      creationTimeMs: this.#runtime.clock.now(),
      permits,
    });
  }
}

function toNanos(ms: number): number {
  return Math.round(ms * 1e6);
}

/**
 * Creates a rate limiter (defaults as Resilience4j's `RateLimiterConfig.ofDefaults()`).
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` for out-of-range settings.
 * @example
 * const limiter = createRateLimiter('catalog', { limitForPeriod: 10, limitRefreshPeriodMs: 1000, timeoutDurationMs: 0 });
 * await limiter.execute(() => listCatalog());
 */
export function createRateLimiter(
  name: string,
  config: Partial<RateLimiterConfig> = {},
  runtime: PolicyRuntime = {},
): RateLimiter {
  return new RateLimiter(name, resolveRateLimiterConfig(config), runtime);
}
