import type { MetricRegistry } from '../observability.js';
import { seriesName, statusName } from './http-status.js';

/** One routed request, tagged as Spring's `GatewayMetricsFilter` tags `spring.cloud.gateway.requests`. */
export interface GatewayRequestObservation {
  readonly routeId: string;
  readonly routeUri: string;
  readonly httpMethod: string;
  readonly httpStatusCode: number;
  readonly durationSeconds: number;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  max: number;
  maxAtMs: number;
}

const NAME = 'spring_cloud_gateway_requests_seconds';
const HELP = 'Time spent routing requests through the gateway';
// Micrometer's max is a decaying window; restart it after two minutes, as @stratus/observability does.
const MAX_WINDOW_MS = 120_000;

/** Records the gateway timer; registers `_count`/`_sum` (summary) and `_max` (gauge) collectors. */
export function createGatewayMetrics(
  registry: MetricRegistry | undefined,
  now: () => number = Date.now,
) {
  const series = new Map<string, Series>();
  const values = (pick: (s: Series) => number, suffix: string) =>
    [...series.values()].map((s) => ({
      metricName: `${NAME}${suffix}`,
      labels: s.labels,
      value: pick(s),
    }));
  if (registry !== undefined) {
    const summary = {
      name: NAME,
      help: HELP,
      type: 'summary',
      aggregator: 'sum',
      get: () => ({
        name: NAME,
        help: HELP,
        type: 'summary',
        aggregator: 'sum',
        values: [...values((s) => s.count, '_count'), ...values((s) => s.sum, '_sum')],
      }),
      reset: () => series.clear(),
    };
    const max = {
      name: `${NAME}_max`,
      help: HELP,
      type: 'gauge',
      aggregator: 'max',
      get: () => ({
        name: `${NAME}_max`,
        help: HELP,
        type: 'gauge',
        aggregator: 'max',
        values: values((s) => (now() - s.maxAtMs > MAX_WINDOW_MS ? 0 : s.max), '_max'),
      }),
      reset: () => undefined,
    };
    registry.registerMetric(summary as never);
    registry.registerMetric(max as never);
  }
  return {
    record(o: GatewayRequestObservation): void {
      const status = String(o.httpStatusCode);
      const key = `${o.routeId}\u0000${o.routeUri}\u0000${o.httpMethod}\u0000${status}`;
      let entry = series.get(key);
      if (entry === undefined) {
        entry = {
          labels: Object.freeze({
            routeId: o.routeId,
            routeUri: o.routeUri,
            outcome: seriesName(o.httpStatusCode),
            status: statusName(o.httpStatusCode),
            httpStatusCode: status,
            httpMethod: o.httpMethod,
          }),
          count: 0,
          sum: 0,
          max: 0,
          maxAtMs: 0,
        };
        series.set(key, entry);
      }
      entry.count++;
      entry.sum += o.durationSeconds;
      const t = now();
      if (t - entry.maxAtMs > MAX_WINDOW_MS || o.durationSeconds > entry.max) {
        entry.max =
          t - entry.maxAtMs > MAX_WINDOW_MS
            ? o.durationSeconds
            : Math.max(entry.max, o.durationSeconds);
        entry.maxAtMs = t;
      }
    },
  };
}
