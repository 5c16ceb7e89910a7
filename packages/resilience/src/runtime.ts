import { systemClock, type Clock, type Logger } from '@stratus/core';
import { systemTimers, type Timers } from './timers.js';

/** What every policy takes besides its configuration. */
export interface PolicyRuntime {
  /** Source of time for windows, waits and durations. @default systemClock */
  clock?: Clock;
  /** Where waits and time limits are scheduled. @default systemTimers (unref'd Node timers) */
  timers?: Timers;
  /** Tags carried into metrics, e.g. Spring Cloud CircuitBreaker's `group`. @default {} */
  tags?: Readonly<Record<string, string>>;
  /** Receives failures of event listeners (`warn`). @default none */
  logger?: Logger;
}

/** A runtime with every default filled in. */
export interface ResolvedRuntime {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly tags: Readonly<Record<string, string>>;
  readonly logger: Logger | undefined;
}

export function resolveRuntime(runtime: PolicyRuntime = {}): ResolvedRuntime {
  return {
    clock: runtime.clock ?? systemClock,
    timers: runtime.timers ?? systemTimers,
    tags: Object.freeze({ ...(runtime.tags ?? {}) }),
    logger: runtime.logger,
  };
}

/** Logs a listener that threw, with the policy it belongs to; the call itself carries on. */
export function listenerErrorLogger(runtime: ResolvedRuntime, kind: string, name: string) {
  return (error: unknown): void => {
    runtime.logger?.warn({ kind, name, err: error }, 'resilience event listener failed');
  };
}
