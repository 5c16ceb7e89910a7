import { Summary, type Registry } from 'prom-client';
import { histogramBuckets, type DistributionSettings } from '../distribution.js';

/** Options of {@link MicrometerTimer}. */
export interface TimerSpec {
  /** Prometheus base name with the unit, e.g. `http_server_requests_seconds`. */
  readonly promName: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly distribution: DistributionSettings;
  readonly registry: Registry;
  /** Milliseconds since the epoch, for the max's window. */
  readonly now: () => number;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  max: number;
  /** Start of the window `max` belongs to. */
  windowStart: number;
  /** Per-bucket counts (not cumulative), when the timer publishes a histogram. */
  readonly buckets: Float64Array | null;
}

/** A sample as prom-client's registry renders it. */
interface Sample {
  metricName: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric object prom-client's registry can render (its own metrics have the same shape). */
interface CollectedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }>;
  reset(): void;
}

/** Java's `Double.toString` for bucket bounds, so `le` matches a Java service's (`30.0`, not `30`). */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e7)) {
    const [mantissa = '0', exponent = '0'] = value.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

function collected(
  name: string,
  help: string,
  type: string,
  values: () => Sample[],
  reset: () => void,
): CollectedMetric {
  const aggregator = type === 'gauge' ? 'max' : 'sum';
  return {
    name,
    help,
    type,
    aggregator,
    get: async () => ({ name, help, type, aggregator, values: values() }),
    reset,
  };
}

/**
 * A Micrometer `Timer` as its Prometheus registry renders it: `<name>_count` and `<name>_sum`
 * (a summary, or a histogram with `_bucket{le}` when `percentiles-histogram` or an SLO is set),
 * plus the `<name>_max` gauge, the highest sample of the last `expiry` (2 min). Recording is a
 * map lookup and a few additions: it runs on every request.
 */
export class MicrometerTimer {
  readonly #series = new Map<string, Series>();
  readonly #labelNames: readonly string[];
  readonly #bounds: readonly number[];
  readonly #windowMs: number;
  readonly #now: () => number;
  /** Client-side quantiles, when `percentiles` asks for them (and no histogram is published). */
  readonly #quantiles: Summary<string> | null = null;
  readonly isHistogram: boolean;
  readonly maxGauge: CollectedMetric;

  constructor(spec: TimerSpec) {
    this.#labelNames = [...spec.labelNames].sort();
    this.#bounds = histogramBuckets(spec.distribution);
    this.isHistogram = this.#bounds.length > 0;
    this.#windowMs = spec.distribution.expiryMs;
    this.#now = spec.now;
    const { promName, help, registry } = spec;
    const reset = () => this.#series.clear();
    if (!this.isHistogram && spec.distribution.percentiles.length > 0) {
      this.#quantiles = new Summary({
        name: promName,
        help,
        labelNames: [...this.#labelNames],
        percentiles: [...spec.distribution.percentiles],
        maxAgeSeconds: Math.max(1, Math.round(spec.distribution.expiryMs / 1000)),
        ageBuckets: spec.distribution.bufferLength,
        registers: [registry],
      });
    } else {
      const type = this.isHistogram ? 'histogram' : 'summary';
      registry.registerMetric(
        collected(promName, help, type, () => this.#samples(promName), reset) as never,
      );
    }
    this.maxGauge = collected(
      `${promName}_max`,
      help,
      'gauge',
      () => this.#maxSamples(`${promName}_max`),
      reset,
    );
    registry.registerMetric(this.maxGauge as never);
  }

  /** Records one duration, in seconds, under `tags` (missing tags read `none`). */
  record(tags: Record<string, string>, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    // U+0000 separates the values: tags are names, templates and codes, which never contain it.
    let key = '';
    for (const name of this.#labelNames) key += `${tags[name] ?? 'none'}\u0000`;
    let series = this.#series.get(key);
    const now = this.#now();
    if (series === undefined) {
      // Micrometer writes tags sorted by key; label order on the wire follows this object's.
      const labels: Record<string, string> = {};
      for (const name of this.#labelNames) labels[name] = tags[name] ?? 'none';
      series = {
        labels,
        count: 0,
        sum: 0,
        max: 0,
        windowStart: now,
        buckets: this.isHistogram ? new Float64Array(this.#bounds.length) : null,
      };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    if (now - series.windowStart >= this.#windowMs) {
      series.windowStart = now;
      series.max = seconds;
    } else if (seconds > series.max) {
      series.max = seconds;
    }
    if (series.buckets !== null) {
      const index = this.#bucketIndex(seconds);
      if (index < series.buckets.length) series.buckets[index]! += 1;
    }
    this.#quantiles?.observe(series.labels, seconds);
  }

  /** The first bound at or above `seconds` (binary search); the length when above them all. */
  #bucketIndex(seconds: number): number {
    let low = 0;
    let high = this.#bounds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#bounds[middle]! < seconds) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #samples(name: string): Sample[] {
    const samples: Sample[] = [];
    for (const series of this.#series.values()) {
      if (series.buckets !== null) {
        let cumulative = 0;
        this.#bounds.forEach((bound, i) => {
          cumulative += series.buckets![i]!;
          samples.push({
            metricName: `${name}_bucket`,
            labels: { ...series.labels, le: javaDouble(bound) },
            value: cumulative,
          });
        });
        samples.push({
          metricName: `${name}_bucket`,
          labels: { ...series.labels, le: '+Inf' },
          value: series.count,
        });
      }
      samples.push({
        metricName: `${name}_count`,
        labels: { ...series.labels },
        value: series.count,
      });
      samples.push({ metricName: `${name}_sum`, labels: { ...series.labels }, value: series.sum });
    }
    return samples;
  }

  // Micrometer's max decays: a series idle for a whole window reads 0.
  #maxSamples(name: string): Sample[] {
    const now = this.#now();
    const samples: Sample[] = [];
    for (const series of this.#series.values()) {
      const value = now - series.windowStart >= this.#windowMs ? 0 : series.max;
      samples.push({ metricName: name, labels: { ...series.labels }, value });
    }
    return samples;
  }
}
