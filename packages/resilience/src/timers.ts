import type { ManualClock } from '@stratus/core';
import { onAbort, type AnySignal } from './call-signal.js';

/** Cancels a scheduled callback; calling it twice is harmless. */
export type CancelTimer = () => void;

/**
 * Where the policies schedule work (retry waits, bulkhead and rate-limiter waits, time limits, the
 * breaker's automatic transitions). Inject {@link createManualTimers} in tests so that time moves
 * only when the test says so.
 */
export interface Timers {
  /**
   * Runs `callback` once after `delayMs`. A wait some caller is awaiting (a retry's pause, a time
   * limit) keeps the process alive as Node's timers do; background work passes `unref: true`.
   */
  setTimeout(callback: () => void, delayMs: number, options?: { unref?: boolean }): CancelTimer;
}

/** Node's timers; `unref()`ed when asked to be. */
export const systemTimers: Timers = Object.freeze({
  setTimeout(callback: () => void, delayMs: number, options?: { unref?: boolean }): CancelTimer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    if (options?.unref) handle.unref();
    return () => clearTimeout(handle);
  },
});

/** Timers driven by a {@link ManualClock}: callbacks run inside {@link ManualTimers.advance}. */
export interface ManualTimers extends Timers {
  readonly clock: ManualClock;
  /**
   * Moves the clock forward by `ms`, running every callback that falls due on the way at its due
   * time (the clock reads that time while it runs), in due order.
   */
  advance(ms: number): void;
  /** Callbacks scheduled and not yet run or cancelled. */
  pending(): number;
}

interface Scheduled {
  dueMs: number;
  seq: number;
  callback: () => void;
}

/**
 * @example
 * const clock = createManualClock(0);
 * const timers = createManualTimers(clock);
 * const breaker = createCircuitBreaker('backendA', { waitDurationInOpenStateMs: 5000 }, { clock, timers });
 * timers.advance(5000);
 */
export function createManualTimers(clock: ManualClock): ManualTimers {
  const queue = new Set<Scheduled>();
  let seq = 0;
  return {
    clock,
    setTimeout(callback, delayMs) {
      const entry: Scheduled = { dueMs: clock.now() + Math.max(0, delayMs), seq: seq++, callback };
      queue.add(entry);
      return () => queue.delete(entry);
    },
    advance(ms) {
      const target = clock.now() + ms;
      for (;;) {
        let next: Scheduled | undefined;
        for (const entry of queue) {
          if (entry.dueMs > target) continue;
          if (
            !next ||
            entry.dueMs < next.dueMs ||
            (entry.dueMs === next.dueMs && entry.seq < next.seq)
          )
            next = entry;
        }
        if (!next) break;
        queue.delete(next);
        if (next.dueMs > clock.now()) clock.set(next.dueMs);
        next.callback();
      }
      clock.set(target);
    },
    pending: () => queue.size,
  };
}

/** Resolves after `delayMs` on `timers`; rejects with the signal's reason when it aborts first. */
export function sleep(timers: Timers, delayMs: number, signal?: AnySignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const stopListening = onAbort(signal, () => {
      cancel();
      reject(signal!.reason);
    });
    const cancel = timers.setTimeout(() => {
      stopListening();
      resolve();
    }, delayMs);
  });
}
