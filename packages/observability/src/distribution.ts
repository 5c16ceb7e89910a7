/**
 * Distribution statistics of a timer, as Spring Boot's `management.metrics.distribution.*`
 * configures them per meter-name prefix (`http.server.requests`, `http`, `all`).
 */
export interface DistributionSettings {
  /** `percentiles-histogram`: publish `_bucket{le}` series for server-side quantiles. @default false */
  readonly percentilesHistogram: boolean;
  /** `percentiles`: client-side quantiles (`quantile="0.95"`), when no histogram is published. @default [] */
  readonly percentiles: readonly number[];
  /** `slo`: extra bucket boundaries, seconds (publishes a histogram). @default [] */
  readonly slos: readonly number[];
  /** `minimum-expected-value`: lowest generated bucket, seconds. @default 0.001 */
  readonly minimumExpectedValue: number;
  /** `maximum-expected-value`: highest generated bucket, seconds. @default 30 */
  readonly maximumExpectedValue: number;
  /** `expiry`: how long client-side quantiles and the max look back, ms. @default 120000 */
  readonly expiryMs: number;
  /** `buffer-length`: ring buffers behind the quantiles. @default 3 */
  readonly bufferLength: number;
}

/** Micrometer's `DistributionStatisticConfig.DEFAULT` for timers. */
export const DISTRIBUTION_DEFAULTS: DistributionSettings = Object.freeze({
  percentilesHistogram: false,
  percentiles: Object.freeze([]) as readonly number[],
  slos: Object.freeze([]) as readonly number[],
  minimumExpectedValue: 0.001,
  maximumExpectedValue: 30,
  expiryMs: 120_000,
  bufferLength: 3,
});

/** Resolves the settings of one meter by name (see {@link distributionFromConfig}). */
export type DistributionResolver = (meterName: string) => DistributionSettings;

/** Every meter gets the defaults. */
export const DEFAULT_DISTRIBUTION: DistributionResolver = () => DISTRIBUTION_DEFAULTS;

const PREFIX = 'management.metrics.distribution';

/** The meter name, then each shorter dotted prefix, then `all` (Spring's `PropertiesMeterFilter`). */
function candidates(meterName: string): string[] {
  const parts = meterName.split('.');
  const names: string[] = [];
  for (let i = parts.length; i > 0; i--) names.push(parts.slice(0, i).join('.'));
  names.push('all');
  return names;
}

function parseSeconds(value: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h|d)?\s*$/.exec(value);
  if (match === null) {
    const iso = /^\s*PT(\d+(?:\.\d+)?)S\s*$/i.exec(value);
    return iso === null ? null : Number(iso[1]);
  }
  const amount = Number(match[1]);
  // A bare number is milliseconds, as Spring's DurationStyle reads a timer's SLO.
  const unit = match[2] ?? 'ms';
  const factor = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 }[unit];
  return factor === undefined ? null : amount * factor;
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'number') return [String(value)];
  return typeof value === 'string' ? value.split(',').filter((item) => item.trim() !== '') : [];
}

/**
 * Reads `management.metrics.distribution.{percentiles-histogram, percentiles, slo,
 * minimum-expected-value, maximum-expected-value, expiry, buffer-length}.<meter>` with
 * Spring's lookup: the most specific dotted prefix of the meter name wins, then `all`.
 * Durations take `100ms`, `1s`, `PT0.5S` or a number of milliseconds.
 *
 * @returns the resolver and every problem found (bad values are listed, never thrown here).
 * @example
 * const { resolve } = distributionFromConfig((key) => config.get(key));
 * resolve('http.server.requests').percentilesHistogram; // true with `...percentiles-histogram.http: true`
 */
export function distributionFromConfig(read: (key: string) => unknown): {
  resolve: DistributionResolver;
  problems: (meterName: string) => string[];
} {
  const lookup = (property: string, meterName: string): { key: string; value: unknown } | null => {
    for (const name of candidates(meterName)) {
      const key = `${PREFIX}.${property}.${name}`;
      const value = read(key);
      if (value !== undefined && value !== null && value !== '') return { key, value };
    }
    return null;
  };
  const settingsOf = (
    meterName: string,
  ): { settings: DistributionSettings; problems: string[] } => {
    const problems: string[] = [];
    const histogram = lookup('percentiles-histogram', meterName);
    const percentiles = lookup('percentiles', meterName);
    const slo = lookup('slo', meterName);
    const minimum = lookup('minimum-expected-value', meterName);
    const maximum = lookup('maximum-expected-value', meterName);
    const expiry = lookup('expiry', meterName);
    const bufferLength = lookup('buffer-length', meterName);
    const seconds = (found: { key: string; value: unknown } | null, fallback: number): number => {
      if (found === null) return fallback;
      const parsed = parseSeconds(String(found.value));
      if (parsed === null || parsed <= 0) {
        problems.push(`${found.key}: '${String(found.value)}' is not a positive duration`);
        return fallback;
      }
      return parsed;
    };
    const quantiles = listOf(percentiles?.value).map(Number);
    if (quantiles.some((q) => !(q >= 0 && q <= 1)))
      problems.push(`${percentiles?.key}: every percentile must be between 0 and 1`);
    const slos = listOf(slo?.value).map((item) => {
      const parsed = parseSeconds(item);
      if (parsed === null || parsed <= 0) problems.push(`${slo?.key}: '${item}' is not a duration`);
      return parsed ?? 0;
    });
    const histogramValue =
      histogram === null ? false : String(histogram.value).trim().toLowerCase();
    if (histogramValue !== false && histogramValue !== 'true' && histogramValue !== 'false')
      problems.push(`${histogram?.key}: '${String(histogram?.value)}' is not true or false`);
    const buffers = bufferLength === null ? 3 : Number(bufferLength.value);
    if (!Number.isInteger(buffers) || buffers < 1)
      problems.push(`${bufferLength?.key}: must be a positive integer`);
    const settings: DistributionSettings = Object.freeze({
      percentilesHistogram: histogramValue === 'true',
      percentiles: Object.freeze(quantiles.filter((q) => q >= 0 && q <= 1)),
      slos: Object.freeze([...new Set(slos.filter((s) => s > 0))].sort((a, b) => a - b)),
      minimumExpectedValue: seconds(minimum, DISTRIBUTION_DEFAULTS.minimumExpectedValue),
      maximumExpectedValue: seconds(maximum, DISTRIBUTION_DEFAULTS.maximumExpectedValue),
      expiryMs: seconds(expiry, DISTRIBUTION_DEFAULTS.expiryMs / 1000) * 1000,
      bufferLength: Number.isInteger(buffers) && buffers >= 1 ? buffers : 3,
    });
    return { settings, problems };
  };
  return {
    resolve: (meterName) => settingsOf(meterName).settings,
    problems: (meterName) => settingsOf(meterName).problems,
  };
}

let percentileBucketsNanos: readonly number[] | null = null;

/**
 * Micrometer's `PercentileHistogramBuckets`: 1, 2, 3 ns, then for every power of four a third
 * of it at a time — the same boundaries a Java service publishes, so their buckets aggregate.
 */
function micrometerBucketsNanos(): readonly number[] {
  if (percentileBucketsNanos !== null) return percentileBucketsNanos;
  const buckets = [1, 2, 3];
  for (let exp = 2; exp < 64; exp += 2) {
    let current = 2 ** exp;
    const delta = Math.floor(current / 3);
    const next = current * 4 - delta;
    while (current < next) {
      buckets.push(current);
      current += delta;
    }
  }
  percentileBucketsNanos = Object.freeze(buckets);
  return percentileBucketsNanos;
}

/**
 * Bucket boundaries (seconds) a timer publishes: Micrometer's generated ones between the
 * minimum and maximum expected values when `percentilesHistogram`, plus the SLOs; empty when
 * neither is set (the timer is then a summary).
 */
export function histogramBuckets(settings: DistributionSettings): number[] {
  const boundaries = new Set<number>(settings.slos);
  if (settings.percentilesHistogram) {
    const min = Math.round(settings.minimumExpectedValue * 1e9);
    const max = Math.round(settings.maximumExpectedValue * 1e9);
    for (const nanos of micrometerBucketsNanos()) {
      if (nanos >= min && nanos <= max) boundaries.add(nanos / 1e9);
    }
    // DistributionStatisticConfig.getHistogramBuckets adds both ends too.
    boundaries.add(settings.minimumExpectedValue);
    boundaries.add(settings.maximumExpectedValue);
  }
  return [...boundaries].sort((a, b) => a - b);
}
