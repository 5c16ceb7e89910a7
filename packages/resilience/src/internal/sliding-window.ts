import type { Clock } from '@stratus/core';

/** How one call ended, as Resilience4j's `Metrics.Outcome`. */
export type Outcome = 'SUCCESS' | 'ERROR' | 'SLOW_SUCCESS' | 'SLOW_ERROR';

/** Totals over the window at one moment. */
export interface Snapshot {
  readonly calls: number;
  readonly failedCalls: number;
  readonly slowCalls: number;
  readonly slowFailedCalls: number;
}

/** Resilience4j's `AbstractAggregation`: counts of one bucket, or of the whole window. */
class Aggregation {
  calls = 0;
  failedCalls = 0;
  slowCalls = 0;
  slowFailedCalls = 0;

  record(outcome: Outcome): void {
    this.calls++;
    if (outcome === 'SLOW_SUCCESS') this.slowCalls++;
    else if (outcome === 'SLOW_ERROR') {
      this.slowCalls++;
      this.failedCalls++;
      this.slowFailedCalls++;
    } else if (outcome === 'ERROR') this.failedCalls++;
  }

  remove(bucket: Aggregation): void {
    this.calls -= bucket.calls;
    this.failedCalls -= bucket.failedCalls;
    this.slowCalls -= bucket.slowCalls;
    this.slowFailedCalls -= bucket.slowFailedCalls;
  }

  reset(): void {
    this.calls = 0;
    this.failedCalls = 0;
    this.slowCalls = 0;
    this.slowFailedCalls = 0;
  }

  snapshot(): Snapshot {
    return {
      calls: this.calls,
      failedCalls: this.failedCalls,
      slowCalls: this.slowCalls,
      slowFailedCalls: this.slowFailedCalls,
    };
  }
}

/** The window a breaker aggregates calls in. */
export interface SlidingWindow {
  /** Records a call; returns the live totals (read them before the next record). */
  record(outcome: Outcome): Snapshot;
  snapshot(): Snapshot;
}

/**
 * The last `size` calls: a ring of single-call buckets (`FixedSizeSlidingWindowMetrics`). A size
 * of 0 (FORCED_OPEN, DISABLED) records nothing.
 */
export class CountBasedWindow implements SlidingWindow {
  readonly #buckets: Aggregation[];
  readonly #total = new Aggregation();
  #head = 0;

  constructor(size: number) {
    this.#buckets = Array.from({ length: size }, () => new Aggregation());
  }

  record(outcome: Outcome): Snapshot {
    if (this.#buckets.length === 0) return this.#total;
    this.#total.record(outcome);
    this.#head = (this.#head + 1) % this.#buckets.length;
    const bucket = this.#buckets[this.#head]!;
    this.#total.remove(bucket);
    bucket.reset();
    bucket.record(outcome);
    return this.#total;
  }

  snapshot(): Snapshot {
    return this.#total.snapshot();
  }
}

class SecondBucket extends Aggregation {
  epochSecond: number;
  constructor(epochSecond: number) {
    super();
    this.epochSecond = epochSecond;
  }
}

/**
 * The calls of the last `sizeSeconds` seconds, bucketed per epoch second of the clock
 * (`SlidingTimeWindowMetrics`): a call belongs to the second it completed in.
 */
export class TimeBasedWindow implements SlidingWindow {
  readonly #buckets: SecondBucket[];
  readonly #total = new Aggregation();
  readonly #clock: Clock;
  #head = 0;

  constructor(sizeSeconds: number, clock: Clock) {
    this.#clock = clock;
    const now = epochSecondOf(clock);
    this.#buckets = Array.from({ length: sizeSeconds }, (_, i) => new SecondBucket(now + i));
  }

  record(outcome: Outcome): Snapshot {
    this.#total.record(outcome);
    this.#moveToCurrentSecond().record(outcome);
    return this.#total;
  }

  snapshot(): Snapshot {
    this.#moveToCurrentSecond();
    return this.#total.snapshot();
  }

  #moveToCurrentSecond(): SecondBucket {
    const latest = this.#buckets[this.#head]!;
    const current = epochSecondOf(this.#clock);
    const behind = current - latest.epochSecond;
    if (behind === 0) return latest;
    let toMove = Math.min(behind, this.#buckets.length);
    let bucket = latest;
    do {
      toMove--;
      this.#head = (this.#head + 1) % this.#buckets.length;
      bucket = this.#buckets[this.#head]!;
      this.#total.remove(bucket);
      bucket.reset();
      bucket.epochSecond = current - toMove;
    } while (toMove > 0);
    return bucket;
  }
}

function epochSecondOf(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
