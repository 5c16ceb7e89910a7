import { Registry, type Counter, type Gauge } from 'prom-client';
import { DEFAULT_DISTRIBUTION, type DistributionResolver } from './distribution.js';
import {
  negotiateExposition,
  OPENMETRICS_TEXT_TYPE,
  PROMETHEUS_TEXT_TYPE,
  toOpenMetrics,
} from './exposition.js';
import { errorName } from './tracing/tracing.js';
import type { LongTask } from './internal/long-task-timer.js';
import { describeMeter, type MetricResponse } from './internal/describe.js';
import { MeterCatalog } from './internal/meter-catalog.js';
import {
  CLIENT_HELP,
  CLIENT_LABELS,
  clientTags,
  LISTENER_LABELS,
  listenerTags,
  SERVER_HELP,
  SERVER_LABELS,
  serverTags,
  TEMPLATE_LABELS,
  templateTags,
} from './internal/observation-tags.js';
import { registerRuntimeMetrics } from './internal/runtime-metrics.js';
import { timeCalls, timeLongTask } from './internal/timing.js';

export type { MetricResponse } from './internal/describe.js';
export type { LongTask } from './internal/long-task-timer.js';

/** One HTTP exchange a server answered, tagged as Spring's `http.server.requests` timer. */
export interface HttpObservation {
  method: string;
  /** The route template (`/users/{userId}`), never the raw path. */
  uri: string;
  status: number;
  /** Simple class name of the error a handler threw. @default 'none' */
  exception?: string;
  durationSeconds: number;
}

/** One outgoing HTTP call, tagged as Spring's `http.client.requests` timer. */
export interface HttpClientObservation {
  method: string;
  /** The URI template when known; `none` otherwise (raw paths would explode cardinality). */
  uri?: string;
  /** The response status, or null when no response came (`CLIENT_ERROR`, as Spring tags it). */
  status: number | null;
  /** The target host (`client.name`). */
  clientName: string;
  exception?: string;
  durationSeconds: number;
}

/** One message published or handled, tagged as Spring Kafka's observation timers. */
export interface MessagingObservation {
  /** `messaging.system`: `kafka`, `rabbitmq` or `stratus` (the embedded log). */
  system: string;
  /** The topic (`messaging.destination.name` / `messaging.source.name`). */
  topic: string;
  /** For consumed messages: the consumer group. */
  group?: string;
  exception?: string;
  durationSeconds: number;
}

/** Options of a timer made with {@link Metrics.timer} or {@link Metrics.timed}. */
export interface TimerOptions {
  /** @default the name */
  description?: string;
  /** Fixed tags (`extraTags` of `@Timed`). @default {} */
  tags?: Record<string, string>;
  /** A Micrometer `LongTaskTimer` (`@Timed(longTask = true)`): counts running calls. @default false */
  longTask?: boolean;
}

/** A process's metrics with Micrometer's names, exposed for Prometheus. */
export interface Metrics {
  readonly registry: Registry;
  /** The 0.0.4 text type (`expose` negotiates OpenMetrics). */
  readonly contentType: string;
  recordHttpServerRequest(observation: HttpObservation): void;
  /**
   * Times one outgoing call as `http.client.requests`; a no-op when another library already
   * registered `http_client_requests_seconds` in this registry (it owns the name then).
   */
  recordHttpClientRequest(observation: HttpClientObservation): void;
  recordMessagePublished(observation: MessagingObservation): void;
  recordMessageConsumed(observation: MessagingObservation): void;
  /** A counter with Micrometer naming (`orders.created` → `orders_created_total`). */
  counter(name: string, description: string, labelNames?: string[]): Counter<string>;
  /**
   * A gauge read at scrape time (`cache.size` → `cache_size`; with `baseUnit: 'bytes'` →
   * `cache_size_bytes`). Calling it again with the same name returns the same gauge.
   */
  gauge(
    name: string,
    description: string,
    read: () => number,
    options?: { baseUnit?: string },
  ): Gauge<string>;
  /**
   * Times `fn` as `@Timed(name)` does: a timer (`<name>_seconds_count/_sum/_max`, tags plus
   * `exception`) or, with `longTask`, a long task timer (`<name>_seconds_active_count`,
   * `_duration_sum`, `_max`). The returned function has `fn`'s signature.
   * @example
   * server.get('/health_check', metrics.timed('users.status', { longTask: true }, async () => 'ok'));
   */
  timed<A extends unknown[], R>(
    name: string,
    options: TimerOptions,
    fn: (...args: A) => R,
  ): (...args: A) => R;
  /** Starts a long task of the `name` long task timer; stop it when the work ends. */
  startLongTask(name: string, options?: TimerOptions): LongTask;
  /** Records one duration on the `name` timer. */
  recordTime(name: string, seconds: number, options?: TimerOptions & { exception?: string }): void;
  /** Text exposition in the Prometheus 0.0.4 format. */
  scrape(): Promise<string>;
  /** The exposition for an `Accept` header: OpenMetrics 1.0.0 when preferred, else 0.0.4 text. */
  expose(accept?: string): Promise<{ contentType: string; body: string }>;
  /** Micrometer names, for `/actuator/metrics`. */
  names(): string[];
  /** One meter in Spring's JSON form, filtered by `tag=k:v` pairs; `null` when unknown. */
  describe(name: string, tags?: Record<string, string>): Promise<MetricResponse | null>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** `spring.application.name`, the `application` tag on every series. */
  application: string;
  /** More common tags (`management.metrics.tags.*`), e.g. `{ region: 'eu' }`. @default {} */
  tags?: Record<string, string>;
  /** Node.js runtime, process and system meters. @default true */
  collectProcessMetrics?: boolean;
  /** Histogram buckets, SLOs and percentiles per meter (`management.metrics.distribution.*`). */
  distribution?: DistributionResolver;
  /** Milliseconds since the epoch (timers' max window, long tasks). @default Date.now */
  now?: () => number;
}

/**
 * Creates the metrics registry of one process, tagged `application=<name>` as Spring users set
 * `management.metrics.tags.application`, with the HTTP server, HTTP client and
 * messaging timers under Micrometer's names and the Node.js runtime meters.
 *
 * @example
 * const metrics = createMetrics({ application: 'user-service' });
 * metrics.recordHttpServerRequest({ method: 'GET', uri: '/users/{id}', status: 200, durationSeconds: 0.004 });
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ ...options.tags, application: options.application });
  const meters = new MeterCatalog(
    registry,
    options.distribution ?? DEFAULT_DISTRIBUTION,
    options.now ?? Date.now,
  );
  if (options.collectProcessMetrics ?? true) {
    for (const meter of registerRuntimeMetrics(registry)) meters.add(meter);
  }
  const serverTimer = meters.timer('http.server.requests', SERVER_HELP, SERVER_LABELS);
  const userTimer = (name: string, timer: TimerOptions) =>
    meters.timer(name, timer.description ?? name, [...Object.keys(timer.tags ?? {}), 'exception']);
  const longTaskTimer = (name: string, timer: TimerOptions) =>
    meters.longTaskTimer(name, timer.description ?? name, Object.keys(timer.tags ?? {}).sort());
  return {
    registry,
    contentType: PROMETHEUS_TEXT_TYPE,
    recordHttpServerRequest: (o) => serverTimer.record(serverTags(o), o.durationSeconds),
    recordHttpClientRequest: (o) =>
      meters
        .timer('http.client.requests', CLIENT_HELP, CLIENT_LABELS)
        .record(clientTags(o), o.durationSeconds),
    recordMessagePublished: (o) =>
      meters
        .timer('spring.kafka.template', 'Messages sent', TEMPLATE_LABELS)
        .record(templateTags(o, options.application), o.durationSeconds),
    recordMessageConsumed: (o) =>
      meters
        .timer('spring.kafka.listener', 'Messages handled by listeners', LISTENER_LABELS)
        .record(listenerTags(o), o.durationSeconds),
    counter: (name, description, labelNames = []) => meters.counter(name, description, labelNames),
    gauge: (name, description, read, gauge = {}) =>
      meters.gauge(name, description, read, gauge.baseUnit),
    timed(name, timer, fn) {
      const tags = timer.tags ?? {};
      if (timer.longTask) {
        const ltt = longTaskTimer(name, timer);
        ltt.register(tags);
        return timeLongTask(fn, () => ltt.start(tags));
      }
      const timed = userTimer(name, timer);
      return timeCalls(fn, (seconds, error) =>
        timed.record({ ...tags, exception: errorName(error) }, seconds),
      );
    },
    startLongTask: (name, timer = {}) => longTaskTimer(name, timer).start(timer.tags ?? {}),
    recordTime(name, seconds, timer = {}) {
      userTimer(name, timer).record(
        { ...timer.tags, exception: timer.exception ?? 'none' },
        seconds,
      );
    },
    scrape: () => registry.metrics(),
    async expose(accept) {
      const text = await registry.metrics();
      return negotiateExposition(accept) === 'openmetrics'
        ? { contentType: OPENMETRICS_TEXT_TYPE, body: toOpenMetrics(text) }
        : { contentType: PROMETHEUS_TEXT_TYPE, body: text };
    },
    names: () => meters.names(),
    describe: (name, tags = {}) => {
      const info = meters.info(name);
      return info === undefined ? Promise.resolve(null) : describeMeter(registry, info, tags);
    },
  };
}
