import type { Clock } from '@stratus/core';
import type { RestartPolicy } from '../manifest.js';

/** How a process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What the supervisor does after an unexpected exit. */
export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly attempt: number }
  | { readonly action: 'give-up'; readonly restartsInWindow: number }
  | { readonly action: 'stay-down' };

/** Settings of {@link RestartTracker}. */
export interface RestartTrackerOptions {
  readonly policy: RestartPolicy;
  /** Restarts allowed within `windowMs`; one more exit gives up. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly clock: Clock;
  /** Delay of the first restart in a window; doubles with each further one. @default 250 ms */
  readonly initialDelayMs?: number;
  /** @default 30000 ms */
  readonly maxDelayMs?: number;
}

/**
 * Restart decisions for one process, as Docker's restart policies and systemd's
 * `StartLimitBurst`/`StartLimitIntervalSec`: `always` restarts after any exit,
 * `on-failure` after a non-zero code or a signal, `no` never; more than `maxRestarts`
 * restarts within `windowMs` gives up. The delay grows exponentially with the restarts
 * already made in the window, so a crash loop slows down and a rare crash restarts at once.
 */
export class RestartTracker {
  readonly #options: Required<RestartTrackerOptions>;
  readonly #restarts: number[] = [];
  #total = 0;

  constructor(options: RestartTrackerOptions) {
    this.#options = {
      ...options,
      initialDelayMs: options.initialDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 30_000,
    };
  }

  /** Restarts made so far, in all windows. */
  get total(): number {
    return this.#total;
  }

  decide(exit: ExitInfo): RestartDecision {
    const { policy, maxRestarts, windowMs, clock, initialDelayMs, maxDelayMs } = this.#options;
    const failed = exit.signal !== null || exit.code !== 0;
    if (policy === 'no' || (policy === 'on-failure' && !failed)) return { action: 'stay-down' };
    const now = clock.now();
    while (this.#restarts.length > 0 && this.#restarts[0]! <= now - windowMs)
      this.#restarts.shift();
    const recent = this.#restarts.length;
    if (recent >= maxRestarts) return { action: 'give-up', restartsInWindow: recent };
    this.#restarts.push(now);
    this.#total++;
    return {
      action: 'restart',
      delayMs: Math.min(initialDelayMs * 2 ** recent, maxDelayMs),
      attempt: this.#total,
    };
  }
}
