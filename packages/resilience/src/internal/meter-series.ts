import type { Registry } from 'prom-client';
import type { Clock } from '@stratus/core';

type Labels = Readonly<Record<string, string>>;

// Micrometer's TimeWindowMax: the largest value of the last two minutes, 0 after a quiet window.
const MAX_WINDOW_MS = 120_000;

/** One labelled series of a counter or a timer, kept as plain numbers. */
export interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  max: number;
  maxAtMs: number;
}

/**
 * Counters and timers fed on every call, read by the registry at scrape time. prom-client's own
 * `Counter.inc(labels)` hashes the labels on every call and its `Summary` keeps a t-digest per
 * series even without percentiles; here a caller keeps its series and adds plain numbers.
 */
export class MeterSeries {
  readonly #series = new Map<string, Series>();

  /** The series for `key`, made with `labels` the first time. */
  series(key: string, labels: () => Labels): Series {
    let entry = this.#series.get(key);
    if (entry === undefined) {
      entry = { labels: labels(), count: 0, sum: 0, max: 0, maxAtMs: 0 };
      this.#series.set(key, entry);
    }
    return entry;
  }

  /** Adds one timed call of `seconds`. */
  static time(entry: Series, seconds: number, nowMs: number): void {
    entry.count++;
    entry.sum += seconds;
    if (nowMs - entry.maxAtMs > MAX_WINDOW_MS || seconds >= entry.max) {
      entry.max = seconds;
      entry.maxAtMs = nowMs;
    }
  }

  values(): Series[] {
    return [...this.#series.values()];
  }

  reset(): void {
    this.#series.clear();
  }
}

interface MetricValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

function register(
  prometheus: Registry,
  name: string,
  help: string,
  type: 'counter' | 'summary' | 'gauge',
  values: () => MetricValue[],
  reset: () => void,
): void {
  const get = async () => ({ name, help, type, aggregator: 'sum', values: values() });
  prometheus.registerMetric({ name, help, type, aggregator: 'sum', get, reset } as never);
}

/** Registers `series` as a counter named `name` (which ends in `_total`, as Micrometer's do). */
export function registerCounter(
  prometheus: Registry,
  name: string,
  help: string,
  series: MeterSeries,
): void {
  register(
    prometheus,
    name,
    help,
    'counter',
    () => series.values().map((s) => ({ labels: { ...s.labels }, value: s.count })),
    () => series.reset(),
  );
}

/** Registers `series` as a Micrometer timer: `<name>_count`, `<name>_sum` and `<name>_max`. */
export function registerTimer(
  prometheus: Registry,
  name: string,
  help: string,
  series: MeterSeries,
  clock: Clock,
): void {
  register(
    prometheus,
    name,
    help,
    'summary',
    () =>
      series.values().flatMap((s) => [
        { labels: { ...s.labels }, value: s.count, metricName: `${name}_count` },
        { labels: { ...s.labels }, value: s.sum, metricName: `${name}_sum` },
      ]),
    () => series.reset(),
  );
  register(
    prometheus,
    `${name}_max`,
    help,
    'gauge',
    () => {
      const now = clock.now();
      return series.values().map((s) => ({
        labels: { ...s.labels },
        value: now - s.maxAtMs <= MAX_WINDOW_MS ? s.max : 0,
      }));
    },
    () => series.reset(),
  );
}
