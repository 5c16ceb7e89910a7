import type { Registry } from 'prom-client';

/** A meter as Micrometer names it (`http.server.requests`) and how Prometheus sees it. */
export interface MeterInfo {
  readonly name: string;
  /** The Prometheus name; a timer's base (`http_server_requests_seconds`). */
  readonly promName: string;
  readonly description: string;
  readonly baseUnit: string | null;
  readonly kind: 'timer' | 'counter' | 'gauge' | 'longTaskTimer';
  /** A timer's `_max` gauge. */
  readonly max?: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> };
}

/** Spring Boot's `/actuator/metrics/{name}` response. */
export interface MetricResponse {
  name: string;
  description: string;
  baseUnit: string | null;
  measurements: Array<{ statistic: string; value: number }>;
  availableTags: Array<{ tag: string; values: string[] }>;
}

type Sample = { labels: Record<string, unknown>; value: number; metricName?: string };

const ORDER = ['COUNT', 'TOTAL_TIME', 'MAX', 'VALUE'];
const LONG_TASK_ORDER = ['ACTIVE_TASKS', 'DURATION', 'MAX'];

function statisticOf(info: MeterInfo, sampleName: string): string | null {
  if (info.kind === 'counter') return 'COUNT';
  if (info.kind === 'gauge') return 'VALUE';
  if (sampleName.endsWith('_count')) return 'COUNT';
  if (sampleName.endsWith('_sum')) return 'TOTAL_TIME';
  return null;
}

async function samplesOf(registry: Registry, name: string): Promise<Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return [];
  return (await metric.get()).values as Sample[];
}

/**
 * Reads one meter as Spring Boot's metrics endpoint shows it: the measurements summed over the
 * series matching `tags` (`COUNT`, `TOTAL_TIME`, `MAX` for timers; `ACTIVE_TASKS`, `DURATION`,
 * `MAX` for long task timers; `COUNT` or `VALUE` otherwise) and the other tags' values.
 */
export async function describeMeter(
  registry: Registry,
  info: MeterInfo,
  tags: Record<string, string>,
): Promise<MetricResponse> {
  const matches = (labels: Record<string, unknown>) =>
    Object.entries(tags).every(([k, v]) => String(labels[k]) === v);
  const tagValues = new Map<string, Set<string>>();
  const measurements = new Map<string, number>();
  const note = (labels: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(labels)) {
      if (k === 'application' || k in tags || k === 'quantile' || k === 'le') continue;
      if (!tagValues.has(k)) tagValues.set(k, new Set());
      tagValues.get(k)!.add(String(v));
    }
  };
  const sum = (statistic: string, value: number) =>
    measurements.set(statistic, (measurements.get(statistic) ?? 0) + value);
  const max = (statistic: string, value: number) =>
    measurements.set(statistic, Math.max(measurements.get(statistic) ?? 0, value));
  if (info.kind === 'longTaskTimer') {
    for (const [suffix, statistic] of [
      ['active_count', 'ACTIVE_TASKS'],
      ['duration_sum', 'DURATION'],
      ['max', 'MAX'],
    ] as const) {
      for (const sample of await samplesOf(registry, `${info.promName}_${suffix}`)) {
        if (!matches(sample.labels)) continue;
        note(sample.labels);
        if (statistic === 'MAX') max(statistic, sample.value);
        else sum(statistic, sample.value);
      }
    }
  } else {
    for (const sample of await samplesOf(registry, info.promName)) {
      if (!matches(sample.labels)) continue;
      note(sample.labels);
      const statistic = statisticOf(info, sample.metricName ?? info.promName);
      if (statistic !== null) sum(statistic, sample.value);
    }
    if (info.kind === 'timer') {
      measurements.set('MAX', 0);
      for (const sample of info.max ? (await info.max.get()).values : [])
        if (matches(sample.labels as Record<string, unknown>)) max('MAX', sample.value);
    }
  }
  return {
    name: info.name,
    description: info.description,
    baseUnit: info.baseUnit,
    measurements: (info.kind === 'longTaskTimer' ? LONG_TASK_ORDER : ORDER)
      .filter((statistic) => measurements.has(statistic))
      .map((statistic) => ({
        statistic,
        value: measurements.get(statistic)!,
      })),
    availableTags: [...tagValues].map(([tag, values]) => ({ tag, values: [...values].sort() })),
  };
}
