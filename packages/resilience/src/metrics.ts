import { Counter, Gauge, type Registry } from 'prom-client';
import { systemClock, type Clock } from '@stratus/core';
import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import type { CircuitBreakerState } from './circuit-breaker/config.js';
import type { CircuitBreakerEvent, ResilienceEvent, TimeLimiterEvent } from './events.js';
import {
  MeterSeries,
  registerCounter,
  registerTimer,
  type Series,
} from './internal/meter-series.js';
import type { ResilienceRegistry } from './registry.js';

/** A binding of a registry's meters to a Prometheus registry. */
export interface ResilienceMetricsBinding {
  /** Stops recording this registry's calls; the meters go with the last binding. Idempotent. */
  close(): void;
}

const STATES: readonly CircuitBreakerState[] = [
  'CLOSED',
  'OPEN',
  'HALF_OPEN',
  'DISABLED',
  'FORCED_OPEN',
  'METRICS_ONLY',
];

type Labels = Record<string, string>;

function withGroup(labels: Labels, tags: Readonly<Record<string, string>>): Labels {
  return tags.group === undefined ? labels : { ...labels, group: tags.group };
}

/** The meters of one Prometheus registry, shared by every resilience registry bound to it. */
interface Hub {
  /** Each bound registry, with its bindings and how to stop recording its events. */
  readonly bound: Map<ResilienceRegistry, { count: number; unsubscribe: () => void }>;
  readonly names: string[];
  readonly calls: MeterSeries;
  readonly notPermitted: MeterSeries;
  readonly timeLimits: MeterSeries;
  readonly clock: Clock;
}

const hubs = new WeakMap<Registry, Hub>();

/**
 * Publishes a registry's meters with resilience4j-micrometer's names and tags, as Micrometer's
 * Prometheus registry renders them (`TaggedCircuitBreakerMetrics`, `TaggedRetryMetrics`, …):
 * `resilience4j_circuitbreaker_state{name,state}`, `_buffered_calls{kind}`, `_slow_calls{kind}`,
 * `_failure_rate`, `_slow_call_rate`, `_calls_seconds{kind=successful|failed|ignored}` (a timer),
 * `_not_permitted_calls_total{kind=not_permitted}`; `resilience4j_retry_calls_total{kind}`;
 * `resilience4j_bulkhead_available_concurrent_calls`, `_max_allowed_concurrent_calls`;
 * `resilience4j_ratelimiter_available_permissions`, `_waiting_threads`;
 * `resilience4j_timelimiter_calls_total{kind=successful|failed|timeout}`. Spring Cloud
 * CircuitBreaker's `group` tag is kept. Gauges read the live instances at scrape time, so
 * replaced instances need no re-binding. Several registries bound to one Prometheus registry
 * share the meters, each instance a series of its own (as several Resilience4j registries bound
 * to one `MeterRegistry`).
 *
 * @example
 * const binding = bindResilienceMetrics(registry, metrics.registry);
 * app.addHook('onClose', () => binding.close());
 */
export function bindResilienceMetrics(
  registry: ResilienceRegistry,
  prometheus: Registry,
  options: { clock?: Clock } = {},
): ResilienceMetricsBinding {
  let hub = hubs.get(prometheus);
  if (hub === undefined) {
    hub = createHub(prometheus, options.clock ?? systemClock);
    hubs.set(prometheus, hub);
  }
  const shared = hub;
  const binding = shared.bound.get(registry);
  if (binding !== undefined) binding.count++;
  else
    shared.bound.set(registry, {
      count: 1,
      unsubscribe: registry.onEvent(eventRecorder(shared, registry)),
    });
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      const own = shared.bound.get(registry);
      if (own !== undefined && --own.count === 0) {
        own.unsubscribe();
        shared.bound.delete(registry);
      }
      if (shared.bound.size > 0) return;
      hubs.delete(prometheus);
      for (const name of shared.names) prometheus.removeSingleMetric(name);
    },
  };
}

function createHub(prometheus: Registry, clock: Clock): Hub {
  const hub: Hub = {
    bound: new Map(),
    names: [],
    calls: new MeterSeries(),
    notPermitted: new MeterSeries(),
    timeLimits: new MeterSeries(),
    clock,
  };
  const registries = () => hub.bound.keys();
  for (const spec of gaugeSpecs(registries)) {
    hub.names.push(spec.name);
    new Gauge({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [prometheus],
      collect(this: Gauge<string>) {
        this.reset();
        spec.read((labels, value) => this.set(labels, value));
      },
    });
  }
  hub.names.push('resilience4j_retry_calls_total');
  new Counter({
    name: 'resilience4j_retry_calls_total',
    help: 'The number of calls of a retry, by how they ended',
    labelNames: ['name', 'kind'],
    registers: [prometheus],
    collect(this: Counter<string>) {
      this.reset();
      for (const registry of registries())
        for (const retry of registry.all('retry')) {
          const m = retry.metrics;
          const count = (kind: string, value: number) =>
            this.inc({ name: retry.name, kind }, value);
          count('successful_without_retry', m.numberOfSuccessfulCallsWithoutRetryAttempt);
          count('successful_with_retry', m.numberOfSuccessfulCallsWithRetryAttempt);
          count('failed_without_retry', m.numberOfFailedCallsWithoutRetryAttempt);
          count('failed_with_retry', m.numberOfFailedCallsWithRetryAttempt);
        }
    },
  });
  const calls = 'resilience4j_circuitbreaker_calls_seconds';
  registerTimer(prometheus, calls, 'Total number of calls', hub.calls, clock);
  const notPermitted = 'resilience4j_circuitbreaker_not_permitted_calls_total';
  registerCounter(
    prometheus,
    notPermitted,
    'Total number of not permitted calls',
    hub.notPermitted,
  );
  const timeLimits = 'resilience4j_timelimiter_calls_total';
  registerCounter(
    prometheus,
    timeLimits,
    'The number of calls of a time limiter, by how they ended',
    hub.timeLimits,
  );
  hub.names.push(calls, `${calls}_max`, notPermitted, timeLimits);
  return hub;
}

interface GaugeSpec {
  name: string;
  help: string;
  labelNames: string[];
  read(set: (labels: Labels, value: number) => void): void;
}

/** The gauges of `TaggedCircuitBreakerMetrics`, `TaggedBulkheadMetrics` and `TaggedRateLimiterMetrics`. */
function gaugeSpecs(registries: () => Iterable<ResilienceRegistry>): GaugeSpec[] {
  const eachBreaker =
    (read: (cb: CircuitBreaker, set: (labels: Labels, value: number) => void) => void) =>
    (set: (labels: Labels, value: number) => void) => {
      for (const registry of registries())
        for (const cb of registry.all('circuitbreaker'))
          read(cb, (labels, value) => set(withGroup({ name: cb.name, ...labels }, cb.tags), value));
    };
  return [
    {
      name: 'resilience4j_circuitbreaker_state',
      help: 'The states of the circuit breaker',
      labelNames: ['name', 'state', 'group'],
      read: eachBreaker((cb, set) => {
        const current = cb.state;
        for (const s of STATES) set({ state: s.toLowerCase() }, s === current ? 1 : 0);
      }),
    },
    {
      name: 'resilience4j_circuitbreaker_buffered_calls',
      help: 'The number of buffered calls stored in the ring buffer',
      labelNames: ['name', 'kind', 'group'],
      read: eachBreaker((cb, set) => {
        const m = cb.metrics;
        set({ kind: 'failed' }, m.numberOfFailedCalls);
        set({ kind: 'successful' }, m.numberOfSuccessfulCalls);
      }),
    },
    {
      name: 'resilience4j_circuitbreaker_slow_calls',
      help: 'The number of slow calls which were slower than a certain threshold',
      labelNames: ['name', 'kind', 'group'],
      read: eachBreaker((cb, set) => {
        const m = cb.metrics;
        set({ kind: 'successful' }, m.numberOfSlowSuccessfulCalls);
        set({ kind: 'failed' }, m.numberOfSlowFailedCalls);
      }),
    },
    {
      name: 'resilience4j_circuitbreaker_failure_rate',
      help: 'The failure rate of the circuit breaker',
      labelNames: ['name', 'group'],
      read: eachBreaker((cb, set) => set({}, cb.metrics.failureRate)),
    },
    {
      name: 'resilience4j_circuitbreaker_slow_call_rate',
      help: 'The slow call of the circuit breaker',
      labelNames: ['name', 'group'],
      read: eachBreaker((cb, set) => set({}, cb.metrics.slowCallRate)),
    },
    {
      name: 'resilience4j_bulkhead_available_concurrent_calls',
      help: 'The number of available permissions',
      labelNames: ['name'],
      read: (set) => {
        for (const registry of registries())
          for (const b of registry.all('bulkhead'))
            set({ name: b.name }, b.metrics.availableConcurrentCalls);
      },
    },
    {
      name: 'resilience4j_bulkhead_max_allowed_concurrent_calls',
      help: 'The maximum number of available permissions',
      labelNames: ['name'],
      read: (set) => {
        for (const registry of registries())
          for (const b of registry.all('bulkhead'))
            set({ name: b.name }, b.metrics.maxAllowedConcurrentCalls);
      },
    },
    {
      name: 'resilience4j_ratelimiter_available_permissions',
      help: 'The number of available permissions',
      labelNames: ['name'],
      read: (set) => {
        for (const registry of registries())
          for (const r of registry.all('ratelimiter'))
            set({ name: r.name }, r.metrics.availablePermissions);
      },
    },
    {
      name: 'resilience4j_ratelimiter_waiting_threads',
      help: 'The number of waiting threads',
      labelNames: ['name'],
      read: (set) => {
        for (const registry of registries())
          for (const r of registry.all('ratelimiter'))
            set({ name: r.name }, r.metrics.numberOfWaitingThreads);
      },
    },
  ];
}

const KIND_OF_CALL: Partial<Record<CircuitBreakerEvent['type'], string>> = {
  SUCCESS: 'successful',
  ERROR: 'failed',
  IGNORED_ERROR: 'ignored',
};
const KIND_OF_TIME_LIMIT: Record<TimeLimiterEvent['type'], string> = {
  SUCCESS: 'successful',
  ERROR: 'failed',
  TIMEOUT: 'timeout',
};

/** The event-driven meters of one registry: the calls timer, the not-permitted and time-limiter counters. */
function eventRecorder(hub: Hub, registry: ResilienceRegistry): (event: ResilienceEvent) => void {
  // One series per instance and kind, found without building a key on every call.
  const breakers = new Map<string, Partial<Record<CircuitBreakerEvent['type'], Series>>>();
  const limiters = new Map<string, Partial<Record<TimeLimiterEvent['type'], Series>>>();
  const breakerSeries = (name: string, type: CircuitBreakerEvent['type'], kind: string) => {
    let byType = breakers.get(name);
    if (byType === undefined) breakers.set(name, (byType = {}));
    return (byType[type] ??= (type === 'NOT_PERMITTED' ? hub.notPermitted : hub.calls).series(
      `${name}\u0000${kind}`,
      () => withGroup({ name, kind }, registry.find('circuitbreaker', name)?.tags ?? {}),
    ));
  };
  return (event) => {
    if (event.kind === 'timelimiter') {
      let byType = limiters.get(event.name);
      if (byType === undefined) limiters.set(event.name, (byType = {}));
      const kind = KIND_OF_TIME_LIMIT[event.type];
      const series = (byType[event.type] ??= hub.timeLimits.series(
        `${event.name}\u0000${kind}`,
        () => ({ name: event.name, kind }),
      ));
      series.count++;
      return;
    }
    if (event.kind !== 'circuitbreaker') return;
    if (event.type === 'NOT_PERMITTED') {
      breakerSeries(event.name, 'NOT_PERMITTED', 'not_permitted').count++;
      return;
    }
    const kind = KIND_OF_CALL[event.type];
    if (kind === undefined || event.elapsedMs === undefined) return;
    const series = breakerSeries(event.name, event.type, kind);
    MeterSeries.time(series, event.elapsedMs / 1000, hub.clock.now());
  };
}
