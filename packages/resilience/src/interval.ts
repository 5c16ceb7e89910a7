/**
 * How long to wait before attempt `attempt + 1`, given that `attempt` (1-based) attempts were made
 * — Resilience4j's `IntervalFunction`, in milliseconds. A negative value means "stop".
 */
export type IntervalFunction = (attempt: number) => number;

/** A source of uniform numbers in [0, 1); `Math.random` unless a test injects its own. */
export type RandomSource = () => number;

/** The same wait every time (`IntervalFunction.of`). */
export function constantInterval(intervalMs: number): IntervalFunction {
  return () => intervalMs;
}

/** Options of {@link exponentialBackoff}. */
export interface ExponentialBackoffOptions {
  /** Wait after the first attempt, ms. */
  initialIntervalMs: number;
  /** @default 1.5 (Resilience4j's `DEFAULT_MULTIPLIER`) */
  multiplier?: number;
  /** Cap on any one wait, ms. @default no cap */
  maxIntervalMs?: number;
}

/**
 * `initial · multiplier^(attempt−1)`, truncated to whole milliseconds at every step as Java's
 * `(long) (x * multiplier)` does, capped at `maxIntervalMs` (`IntervalFunction.ofExponentialBackoff`).
 *
 * @example exponentialBackoff({ initialIntervalMs: 100, multiplier: 2 })(3); // 400
 */
export function exponentialBackoff(options: ExponentialBackoffOptions): IntervalFunction {
  const multiplier = options.multiplier ?? 1.5;
  const cap = options.maxIntervalMs ?? Number.POSITIVE_INFINITY;
  return (attempt) => Math.min(exponentialAt(options.initialIntervalMs, multiplier, attempt), cap);
}

/** Options of {@link randomizedInterval} and {@link exponentialRandomBackoff}. */
export interface RandomizedOptions {
  /** Share of the interval the wait may move either way, in [0, 1]. @default 0.5 */
  randomizationFactor?: number;
  /** @default Math.random */
  random?: RandomSource;
}

/** `interval ± factor·interval`, uniformly (`IntervalFunction.ofRandomized`). */
export function randomizedInterval(
  intervalMs: number,
  options: RandomizedOptions = {},
): IntervalFunction {
  const factor = options.randomizationFactor ?? 0.5;
  const random = options.random ?? Math.random;
  return () => Math.trunc(randomize(intervalMs, factor, random));
}

/**
 * Exponential backoff with jitter (`IntervalFunction.ofExponentialRandomBackoff`): the exponential
 * wait, then randomized by `randomizationFactor`, then capped.
 *
 * @example exponentialRandomBackoff({ initialIntervalMs: 100, multiplier: 2, randomizationFactor: 0.5 })(1); // 50…150
 */
export function exponentialRandomBackoff(
  options: ExponentialBackoffOptions & RandomizedOptions,
): IntervalFunction {
  const multiplier = options.multiplier ?? 1.5;
  const factor = options.randomizationFactor ?? 0.5;
  const random = options.random ?? Math.random;
  const cap = options.maxIntervalMs ?? Number.POSITIVE_INFINITY;
  return (attempt) => {
    const base = exponentialAt(options.initialIntervalMs, multiplier, attempt);
    return Math.min(Math.trunc(randomize(base, factor, random)), cap);
  };
}

function exponentialAt(initial: number, multiplier: number, attempt: number): number {
  let interval = initial;
  for (let i = 1; i < attempt; i++) interval = Math.trunc(interval * multiplier);
  return interval;
}

// IntervalFunctionCompanion.randomize: min + random·(max − min + 1), at least 1.
function randomize(current: number, factor: number, random: RandomSource): number {
  const delta = factor * current;
  const min = current - delta;
  const max = current + delta;
  return Math.max(1, min + random() * (max - min + 1));
}
