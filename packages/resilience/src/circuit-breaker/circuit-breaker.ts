import type { Clock } from '@stratus/core';
import { CallNotPermittedError, ResultRecordedAsFailureError } from '../errors.js';
import type { CircuitBreakerEvent, CircuitBreakerEventType } from '../events.js';
import {
  BreakerMetrics,
  hasExceededThresholds,
  hasFailureRateExceeded,
  hasSlowCallRateExceeded,
  type ThresholdResult,
} from '../internal/circuit-breaker-metrics.js';
import { Listeners } from '../internal/listeners.js';
import {
  listenerErrorLogger,
  resolveRuntime,
  type PolicyRuntime,
  type ResolvedRuntime,
} from '../runtime.js';
import type { CancelTimer } from '../timers.js';
import {
  resolveCircuitBreakerConfig,
  type CircuitBreakerConfig,
  type CircuitBreakerConfigInput,
  type CircuitBreakerState,
} from './config.js';
import { allowsPublishing, checkStateTransition } from './state-transitions.js';

// The breaker's own transitions must never keep a process alive.
const BACKGROUND = Object.freeze({ unref: true });

/** A breaker's numbers at one moment (`CircuitBreaker.Metrics`). Rates are −1 below `minimumNumberOfCalls`. */
export interface CircuitBreakerMetrics {
  readonly failureRate: number;
  readonly slowCallRate: number;
  readonly numberOfBufferedCalls: number;
  readonly numberOfFailedCalls: number;
  readonly numberOfSuccessfulCalls: number;
  readonly numberOfSlowCalls: number;
  readonly numberOfSlowSuccessfulCalls: number;
  readonly numberOfSlowFailedCalls: number;
  readonly numberOfNotPermittedCalls: number;
}

/** One state object, as Resilience4j's `CircuitBreakerState` implementations hold it. */
interface StateRecord {
  readonly state: CircuitBreakerState;
  readonly metrics: BreakerMetrics;
  /** How many times in a row the breaker opened; drives `waitIntervalInOpenState`. */
  readonly attempts: number;
  /** False once this state has started leaving (Resilience4j's isClosed/isOpen/isHalfOpen flags). */
  active: boolean;
  /** HALF_OPEN: trial calls left. */
  permits: number;
  /** OPEN: calls are refused until the clock is past this instant. */
  readonly retryAtMs: number;
  /** HALF_OPEN: when `maxWaitDurationInHalfOpenState` ends. */
  readonly halfOpenUntilMs: number;
  /** METRICS_ONLY: each threshold event is published once. */
  failureRateExceeded: boolean;
  slowCallRateExceeded: boolean;
  cancelTimer?: CancelTimer;
}

/**
 * Resilience4j's `CircuitBreakerStateMachine`: CLOSED / OPEN / HALF_OPEN plus the manual states
 * DISABLED, FORCED_OPEN and METRICS_ONLY, with the same windows, thresholds, permits, events and
 * clock semantics. Time-driven transitions (automatic OPEN → HALF_OPEN, the HALF_OPEN time limit)
 * happen at their due instant: on a timer, and also whenever the breaker is used or read, so a
 * test that moves an injected clock sees them without running timers.
 */
export class CircuitBreaker {
  readonly name: string;
  readonly config: CircuitBreakerConfig;
  readonly tags: Readonly<Record<string, string>>;
  readonly #runtime: ResolvedRuntime;
  readonly #clock: Clock;
  readonly #listeners: Listeners<CircuitBreakerEvent>;
  #current: StateRecord;
  #syncing = false;
  #closed = false;

  constructor(name: string, config: CircuitBreakerConfig, runtime: PolicyRuntime = {}) {
    this.name = name;
    this.config = config;
    this.#runtime = resolveRuntime(runtime);
    this.tags = this.#runtime.tags;
    this.#clock = this.#runtime.clock;
    this.#listeners = new Listeners(listenerErrorLogger(this.#runtime, 'circuitbreaker', name));
    this.#current = this.#initialState();
    this.#arm(this.#current);
  }

  /** The current state. */
  get state(): CircuitBreakerState {
    this.#sync();
    return this.#current.state;
  }

  /** The current state's window, read once. */
  get metrics(): CircuitBreakerMetrics {
    this.#sync();
    const metrics = this.#current.metrics;
    const snapshot = metrics.snapshot();
    return {
      failureRate: metrics.failureRate(snapshot),
      slowCallRate: metrics.slowCallRate(snapshot),
      numberOfBufferedCalls: snapshot.calls,
      numberOfFailedCalls: snapshot.failedCalls,
      numberOfSuccessfulCalls: snapshot.calls - snapshot.failedCalls,
      numberOfSlowCalls: snapshot.slowCalls,
      numberOfSlowSuccessfulCalls: snapshot.slowCalls - snapshot.slowFailedCalls,
      numberOfSlowFailedCalls: snapshot.slowFailedCalls,
      numberOfNotPermittedCalls: metrics.notPermittedCalls,
    };
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: CircuitBreakerEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Asks for a permit without throwing; a refusal is counted and published as NOT_PERMITTED. */
  tryAcquirePermission(): boolean {
    this.#sync();
    const permitted = this.#tryAcquire(this.#current);
    if (!permitted) this.#publish('NOT_PERMITTED');
    return permitted;
  }

  /** @throws CallNotPermittedError `RES_ERR_CALL_NOT_PERMITTED` when the breaker refuses the call. */
  acquirePermission(): void {
    this.#sync();
    const current = this.#current;
    let permitted = true;
    if (current.state === 'FORCED_OPEN') {
      current.metrics.onCallNotPermitted();
      permitted = false;
    } else if (current.state === 'OPEN' || current.state === 'HALF_OPEN') {
      permitted = this.#tryAcquire(current);
    }
    if (!permitted) {
      this.#publish('NOT_PERMITTED');
      throw new CallNotPermittedError(this.name, this.#current.state);
    }
  }

  /** Gives back a permit that was acquired but not used (HALF_OPEN only counts them). */
  releasePermission(): void {
    this.#sync();
    if (this.#current.state === 'HALF_OPEN') this.#current.permits++;
  }

  /** Records a successful call that took `durationMs`. */
  onSuccess(durationMs: number): void {
    this.#sync();
    this.#succeeded(durationMs);
  }

  /**
   * Records a failed call: ignored errors release the permit, errors the breaker does not record
   * count as successes, the rest as failures (`handleThrowable`).
   */
  onError(durationMs: number, error: unknown): void {
    this.#sync();
    if (this.config.ignoreException(error)) {
      if (this.#current.state === 'HALF_OPEN') this.#current.permits++;
      this.#publish('IGNORED_ERROR', { elapsedMs: durationMs, error });
      return;
    }
    if (!this.config.recordException(error)) {
      this.#succeeded(durationMs);
      return;
    }
    this.#publish('ERROR', { elapsedMs: durationMs, error });
    this.#record(durationMs, false);
  }

  /** Records a call that returned `result`; `recordResult` may count it as a failure. */
  onResult(durationMs: number, result: unknown): void {
    this.#sync();
    if (result !== undefined && this.config.recordResult?.(result)) {
      const error = new ResultRecordedAsFailureError(this.name, result);
      this.#publish('ERROR', { elapsedMs: durationMs, error });
      this.#record(durationMs, false);
      return;
    }
    this.#succeeded(durationMs);
  }

  #succeeded(durationMs: number): void {
    if (this.#listeners.size > 0 && allowsPublishing(this.#current.state))
      this.#listeners.emit({
        kind: 'circuitbreaker',
        name: this.name,
        type: 'SUCCESS',
        creationTimeMs: this.#clock.now(),
        elapsedMs: durationMs,
      });
    this.#record(durationMs, true);
  }

  /**
   * Runs `fn` under the breaker: refuses it without calling it when not permitted, otherwise
   * records its outcome and duration.
   *
   * @throws CallNotPermittedError `RES_ERR_CALL_NOT_PERMITTED` when refused; otherwise what `fn` throws.
   */
  async execute<T>(fn: () => T | Promise<T>): Promise<T> {
    this.acquirePermission();
    const start = this.#clock.now();
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      this.onError(this.#clock.now() - start, error);
      throw error;
    }
    this.onResult(this.#clock.now() - start, result);
    return result;
  }

  /** Forces CLOSED with a fresh window (also from CLOSED, silently). */
  transitionToClosedState(): void {
    this.#sync();
    this.#transition('CLOSED', () => this.#closedState());
  }

  /** Forces OPEN, keeping the current window, for the configured wait. */
  transitionToOpenState(): void {
    this.#sync();
    this.#toOpen(this.#clock.now());
  }

  /** Forces HALF_OPEN. @throws IllegalStateTransitionError from CLOSED or METRICS_ONLY. */
  transitionToHalfOpenState(): void {
    this.#sync();
    this.#toHalfOpen(this.#clock.now());
  }

  /** DISABLED: every call permitted, nothing recorded, no events but transitions. */
  transitionToDisabledState(): void {
    this.#sync();
    this.#transition('DISABLED', () => this.#plainState('DISABLED', 0));
  }

  /** METRICS_ONLY: every call permitted and recorded; threshold events, never OPEN. */
  transitionToMetricsOnlyState(): void {
    this.#sync();
    this.#transition('METRICS_ONLY', () => this.#plainState('METRICS_ONLY', 0));
  }

  /** FORCED_OPEN: every call refused until another manual transition. */
  transitionToForcedOpenState(): void {
    this.#sync();
    this.#transition('FORCED_OPEN', (current) =>
      this.#plainState('FORCED_OPEN', current.attempts + 1),
    );
  }

  /** Back to a fresh CLOSED state; publishes the transition (if any) and RESET. */
  reset(): void {
    this.#sync();
    const previous = this.#current;
    previous.cancelTimer?.();
    this.#current = this.#closedState();
    if (previous.state !== 'CLOSED') this.#publishTransition(previous.state, 'CLOSED');
    this.#publish('RESET');
  }

  /** Stops the breaker's timers. Idempotent; the breaker still answers calls afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#current.cancelTimer?.();
  }

  // ---- state objects -------------------------------------------------------------------------

  #initialState(): StateRecord {
    const now = this.#clock.now();
    switch (this.config.initialState) {
      case 'OPEN':
        return this.#openState(1, BreakerMetrics.forClosed(this.config, this.#clock), now);
      case 'HALF_OPEN':
        return this.#halfOpenState(1, now);
      case 'FORCED_OPEN':
        return this.#plainState('FORCED_OPEN', 1);
      case 'DISABLED':
      case 'METRICS_ONLY':
        return this.#plainState(this.config.initialState, 0);
      default:
        return this.#closedState();
    }
  }

  #closedState(): StateRecord {
    return this.#record0('CLOSED', BreakerMetrics.forClosed(this.config, this.#clock), 0);
  }

  #openState(attempts: number, metrics: BreakerMetrics, atMs: number): StateRecord {
    const waitMs = this.config.waitIntervalInOpenState(attempts);
    return { ...this.#record0('OPEN', metrics, attempts), retryAtMs: atMs + waitMs };
  }

  #halfOpenState(attempts: number, atMs: number): StateRecord {
    const maxWait = this.config.maxWaitDurationInHalfOpenStateMs;
    return {
      ...this.#record0('HALF_OPEN', BreakerMetrics.forHalfOpen(this.config, this.#clock), attempts),
      permits: this.config.permittedNumberOfCallsInHalfOpenState,
      halfOpenUntilMs: maxWait >= 1 ? atMs + maxWait : Number.POSITIVE_INFINITY,
    };
  }

  #plainState(state: 'DISABLED' | 'METRICS_ONLY' | 'FORCED_OPEN', attempts: number): StateRecord {
    const metrics =
      state === 'METRICS_ONLY'
        ? BreakerMetrics.forClosed(this.config, this.#clock)
        : BreakerMetrics.empty(this.config, this.#clock);
    return this.#record0(state, metrics, attempts);
  }

  #record0(state: CircuitBreakerState, metrics: BreakerMetrics, attempts: number): StateRecord {
    return {
      state,
      metrics,
      attempts,
      active: true,
      permits: 0,
      retryAtMs: Number.POSITIVE_INFINITY,
      halfOpenUntilMs: Number.POSITIVE_INFINITY,
      failureRateExceeded: false,
      slowCallRateExceeded: false,
    };
  }

  // ---- transitions ---------------------------------------------------------------------------

  #toOpen(atMs: number): void {
    this.#transition('OPEN', (current) =>
      this.#openState(current.attempts + 1, current.metrics, atMs),
    );
  }

  #toHalfOpen(atMs: number): void {
    this.#transition('HALF_OPEN', (current) => this.#halfOpenState(current.attempts, atMs));
  }

  #transition(to: CircuitBreakerState, make: (current: StateRecord) => StateRecord): void {
    const from = this.#current;
    checkStateTransition(this.name, from.state, to);
    from.cancelTimer?.();
    this.#current = make(from);
    this.#arm(this.#current);
    if (from.state !== to) this.#publishTransition(from.state, to);
  }

  /**
   * Applies the time-driven transitions that are due, each at its own due instant, exactly as
   * Resilience4j's scheduler would have run them by now.
   */
  #sync(): void {
    if (this.#syncing) return;
    const first = this.#current.state;
    // Only OPEN and HALF_OPEN move with time: the rest need no clock reading.
    if (first !== 'OPEN' && first !== 'HALF_OPEN') return;
    this.#syncing = true;
    try {
      const now = this.#clock.now();
      for (;;) {
        const s = this.#current;
        if (
          s.state === 'OPEN' &&
          this.config.automaticTransitionFromOpenToHalfOpenEnabled &&
          s.active &&
          now >= s.retryAtMs
        ) {
          s.active = false;
          this.#toHalfOpen(s.retryAtMs);
        } else if (s.state === 'HALF_OPEN' && s.active && now >= s.halfOpenUntilMs) {
          s.active = false;
          if (this.config.transitionToStateAfterWaitDuration === 'CLOSED')
            this.#transition('CLOSED', () => this.#closedState());
          else this.#toOpen(s.halfOpenUntilMs);
        } else {
          return;
        }
      }
    } finally {
      this.#syncing = false;
    }
  }

  /** Schedules the state's time-driven transition on the timers, so events fire on time. */
  #arm(record: StateRecord): void {
    if (this.#closed) return;
    const dueMs =
      record.state === 'OPEN' && this.config.automaticTransitionFromOpenToHalfOpenEnabled
        ? record.retryAtMs
        : record.state === 'HALF_OPEN'
          ? record.halfOpenUntilMs
          : Number.POSITIVE_INFINITY;
    if (!Number.isFinite(dueMs)) return;
    const fire = () => {
      record.cancelTimer = undefined;
      this.#sync();
      // A timer may fire a little before the clock reaches the due instant: wait again.
      if (this.#current === record && !this.#closed)
        record.cancelTimer = this.#runtime.timers.setTimeout(
          fire,
          Math.max(1, dueMs - this.#clock.now()),
          BACKGROUND,
        );
    };
    record.cancelTimer = this.#runtime.timers.setTimeout(
      fire,
      Math.max(0, dueMs - this.#clock.now()),
      BACKGROUND,
    );
  }

  // ---- permits and outcomes ------------------------------------------------------------------

  #tryAcquire(s: StateRecord): boolean {
    switch (s.state) {
      case 'CLOSED':
        return s.active;
      case 'DISABLED':
      case 'METRICS_ONLY':
        return true;
      case 'FORCED_OPEN':
        s.metrics.onCallNotPermitted();
        return false;
      case 'HALF_OPEN':
        if (s.permits > 0) {
          s.permits--;
          return true;
        }
        s.metrics.onCallNotPermitted();
        return false;
      case 'OPEN': {
        // OpenState.tryAcquirePermission: strictly after the wait, then as HALF_OPEN would.
        if (this.#clock.now() > s.retryAtMs) {
          if (s.active) {
            s.active = false;
            this.#toHalfOpen(this.#clock.now());
          }
          const permitted = this.#current !== s && this.#tryAcquire(this.#current);
          if (!permitted) {
            this.#publish('NOT_PERMITTED');
            s.metrics.onCallNotPermitted();
          }
          return permitted;
        }
        s.metrics.onCallNotPermitted();
        return false;
      }
    }
  }

  #record(durationMs: number, succeeded: boolean): void {
    const s = this.#current;
    if (s.state === 'DISABLED' || s.state === 'FORCED_OPEN') return;
    const result = succeeded ? s.metrics.onSuccess(durationMs) : s.metrics.onError(durationMs);
    if (s.state === 'CLOSED') {
      if (hasExceededThresholds(result) && s.active) {
        s.active = false;
        this.#publishThresholds(result, s.metrics);
        this.#toOpen(this.#clock.now());
      }
    } else if (s.state === 'HALF_OPEN') {
      if (hasExceededThresholds(result) && s.active) {
        s.active = false;
        this.#toOpen(this.#clock.now());
      }
      if (result === 'BELOW_THRESHOLDS' && s.active) {
        s.active = false;
        this.#transition('CLOSED', () => this.#closedState());
      }
    } else if (s.state === 'METRICS_ONLY') {
      if (hasFailureRateExceeded(result) && !s.failureRateExceeded) {
        s.failureRateExceeded = true;
        this.#publish('FAILURE_RATE_EXCEEDED', { rate: s.metrics.failureRate() });
      }
      if (hasSlowCallRateExceeded(result) && !s.slowCallRateExceeded) {
        s.slowCallRateExceeded = true;
        this.#publish('SLOW_CALL_RATE_EXCEEDED', { rate: s.metrics.slowCallRate() });
      }
    }
  }

  // ---- events --------------------------------------------------------------------------------

  #publishThresholds(result: ThresholdResult, metrics: BreakerMetrics): void {
    if (hasFailureRateExceeded(result))
      this.#publish('FAILURE_RATE_EXCEEDED', { rate: metrics.failureRate() });
    if (hasSlowCallRateExceeded(result))
      this.#publish('SLOW_CALL_RATE_EXCEEDED', { rate: metrics.slowCallRate() });
  }

  #publishTransition(from: CircuitBreakerState, to: CircuitBreakerState): void {
    this.#publish('STATE_TRANSITION', { stateTransition: `${from}_TO_${to}` });
  }

  #publish(
    type: CircuitBreakerEventType,
    fields: Partial<
      Pick<CircuitBreakerEvent, 'elapsedMs' | 'error' | 'stateTransition' | 'rate'>
    > = {},
  ): void {
    const forced = type === 'STATE_TRANSITION' || type === 'RESET';
    if (this.#listeners.size === 0 || (!forced && !allowsPublishing(this.#current.state))) return;
    this.#listeners.emit({
      kind: 'circuitbreaker',
      name: this.name,
      type,
      creationTimeMs: this.#clock.now(),
      ...fields,
    });
  }
}

/**
 * Creates a circuit breaker from settings (durations in ms; the rest default as Resilience4j's
 * `CircuitBreakerConfig.ofDefaults()`).
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` for out-of-range settings.
 * @example
 * const breaker = createCircuitBreaker('backendA', { slidingWindowSize: 10, minimumNumberOfCalls: 5 });
 * const orders = await breaker.execute(() => fetchOrders(userId));
 */
export function createCircuitBreaker(
  name: string,
  config: CircuitBreakerConfigInput = {},
  runtime: PolicyRuntime = {},
): CircuitBreaker {
  return new CircuitBreaker(name, resolveCircuitBreakerConfig(config), runtime);
}
