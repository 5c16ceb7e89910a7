import type { Clock } from '@stratus/core';

/**
 * Eureka's `MeasuredRate` over one-minute buckets, driven by a clock instead
 * of a timer: `lastBucket()` is the count of the previous full minute.
 */
export interface MeasuredRate {
  increment(): void;
  lastBucket(): number;
}

export function createMeasuredRate(clock: Clock, bucketMs = 60_000): MeasuredRate {
  const origin = clock.now();
  let bucket = 0;
  let current = 0;
  let last = 0;
  const roll = (): void => {
    const index = Math.floor((clock.now() - origin) / bucketMs);
    if (index === bucket) return;
    last = index === bucket + 1 ? current : 0;
    current = 0;
    bucket = index;
  };
  return {
    increment() {
      roll();
      current += 1;
    },
    lastBucket() {
      roll();
      return last;
    },
  };
}
