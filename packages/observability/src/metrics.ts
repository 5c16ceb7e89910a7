import { Registry, Summary, Gauge, Counter, collectDefaultMetrics } from 'prom-client';

/** A meter as Micrometer names it (`http.server.requests`) and how Prometheus sees it. */
interface MeterInfo {
  name: string;
  promName: string;
  description: string;
  baseUnit: string | null;
  kind: 'timer' | 'counter' | 'gauge';
}

/** One HTTP exchange, tagged as Spring's `http.server.requests` timer tags it. */
export interface HttpObservation {
  method: string;
  /** The route template (`/users/{userId}`), never the raw path. */
  uri: string;
  status: number;
  exception?: string;
  durationSeconds: number;
}

/** Spring Boot's `/actuator/metrics/{name}` response. */
export interface MetricResponse {
  name: string;
  description: string;
  baseUnit: string | null;
  measurements: Array<{ statistic: string; value: number }>;
  availableTags: Array<{ tag: string; values: string[] }>;
}

/** A process's metrics with Micrometer's names, exposed for Prometheus. */
export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  recordHttpServerRequest(observation: HttpObservation): void;
  /** A counter with Micrometer naming (`orders.created` → `orders_created_total`). */
  counter(name: string, description: string, labelNames?: string[]): Counter<string>;
  /** Text exposition for `/actuator/prometheus`. */
  scrape(): Promise<string>;
  /** Micrometer names, for `/actuator/metrics`. */
  names(): string[];
  /** One meter in Spring's JSON form, filtered by `tag=k:v` pairs; `null` when unknown. */
  describe(name: string, tags?: Record<string, string>): Promise<MetricResponse | null>;
}

const MAX_WINDOW_MS = 120_000;

/**
 * Creates the metrics registry of one process, tagged `application=<name>`
 * as Spring users set `management.metrics.tags.application`.
 *
 * @example
 * const metrics = createMetrics({ application: 'user-service' });
 * metrics.recordHttpServerRequest({ method: 'GET', uri: '/users/{id}', status: 200, durationSeconds: 0.004 });
 */
export function createMetrics(options: {
  application: string;
  collectProcessMetrics?: boolean;
}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ application: options.application });
  const meters = new Map<string, MeterInfo>();
  const add = (info: MeterInfo) => meters.set(info.name, info);
  if (options.collectProcessMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    add({
      name: 'process.cpu.usage',
      promName: 'process_cpu_seconds_total',
      description: 'CPU seconds used by the process',
      baseUnit: 'seconds',
      kind: 'counter',
    });
    add({
      name: 'process.resident.memory',
      promName: 'process_resident_memory_bytes',
      description: 'Resident memory size',
      baseUnit: 'bytes',
      kind: 'gauge',
    });
    add({
      name: 'process.start.time',
      promName: 'process_start_time_seconds',
      description: 'Start time of the process',
      baseUnit: 'seconds',
      kind: 'gauge',
    });
  }
  const labelNames = ['method', 'uri', 'status', 'outcome', 'exception', 'error'];
  const timer = new Summary({
    name: 'http_server_requests_seconds',
    help: 'Duration of HTTP server request handling',
    labelNames,
    percentiles: [],
    registers: [registry],
  });
  const maxGauge = new Gauge({
    name: 'http_server_requests_seconds_max',
    help: 'Duration of HTTP server request handling',
    labelNames,
    registers: [registry],
  });
  add({
    name: 'http.server.requests',
    promName: 'http_server_requests_seconds',
    description: 'Duration of HTTP server request handling',
    baseUnit: 'seconds',
    kind: 'timer',
  });
  const maxes = new Map<string, { value: number; at: number }>();

  return {
    registry,
    contentType: registry.contentType,
    recordHttpServerRequest(o) {
      const labels = {
        method: o.method,
        uri: o.uri,
        status: String(o.status),
        outcome: outcomeOf(o.status),
        exception: o.exception ?? 'none',
        error: o.exception ?? 'none',
      };
      timer.observe(labels, o.durationSeconds);
      // Micrometer's max decays over a window; we restart it after two minutes.
      const key = `${labels.method} ${labels.uri} ${labels.status} ${labels.exception}`;
      const now = Date.now();
      const current = maxes.get(key);
      if (!current || now - current.at > MAX_WINDOW_MS || o.durationSeconds > current.value) {
        const value =
          current && now - current.at <= MAX_WINDOW_MS
            ? Math.max(current.value, o.durationSeconds)
            : o.durationSeconds;
        maxes.set(key, { value, at: current && value === current.value ? current.at : now });
        maxGauge.set(labels, value);
      }
    },
    counter(name, description, extraLabels = []) {
      const promName = `${name.replaceAll('.', '_')}_total`;
      const existing = registry.getSingleMetric(promName);
      if (existing) return existing as Counter<string>;
      add({ name, promName, description, baseUnit: null, kind: 'counter' });
      return new Counter({
        name: promName,
        help: description,
        labelNames: extraLabels,
        registers: [registry],
      });
    },
    scrape: () => registry.metrics(),
    names: () => [...meters.keys()].sort(),
    async describe(name, tags = {}) {
      const info = meters.get(name);
      if (!info) return null;
      const metric = registry.getSingleMetric(info.promName);
      if (!metric) return null;
      const data = await metric.get();
      const matches = (labels: Record<string, unknown>) =>
        Object.entries(tags).every(([k, v]) => String(labels[k]) === v);
      const tagValues = new Map<string, Set<string>>();
      const measurements = new Map<string, number>();
      for (const value of data.values) {
        const labels = value.labels as Record<string, unknown>;
        if (!matches(labels)) continue;
        for (const [k, v] of Object.entries(labels)) {
          if (k === 'application' || k in tags || k === 'quantile') continue;
          if (!tagValues.has(k)) tagValues.set(k, new Set());
          tagValues.get(k)!.add(String(v));
        }
        const suffix = (value as { metricName?: string }).metricName ?? info.promName;
        const statistic =
          info.kind === 'timer'
            ? suffix.endsWith('_count')
              ? 'COUNT'
              : suffix.endsWith('_sum')
                ? 'TOTAL_TIME'
                : null
            : info.kind === 'counter'
              ? 'COUNT'
              : 'VALUE';
        if (statistic)
          measurements.set(statistic, (measurements.get(statistic) ?? 0) + value.value);
      }
      if (info.kind === 'timer') {
        const max = await maxGauge.get();
        let highest = 0;
        for (const v of max.values)
          if (matches(v.labels as Record<string, unknown>)) highest = Math.max(highest, v.value);
        measurements.set('MAX', highest);
      }
      return {
        name,
        description: info.description,
        baseUnit: info.baseUnit,
        measurements: ['COUNT', 'TOTAL_TIME', 'MAX', 'VALUE']
          .filter((statistic) => measurements.has(statistic))
          .map((statistic) => ({ statistic, value: measurements.get(statistic)! })),
        availableTags: [...tagValues].map(([tag, values]) => ({ tag, values: [...values].sort() })),
      };
    },
  };
}

function outcomeOf(status: number): string {
  if (status >= 100 && status < 200) return 'INFORMATIONAL';
  if (status < 300) return 'SUCCESS';
  if (status < 400) return 'REDIRECTION';
  if (status < 500) return 'CLIENT_ERROR';
  if (status < 600) return 'SERVER_ERROR';
  return 'UNKNOWN';
}
