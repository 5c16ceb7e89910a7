import { Counter, Gauge, Summary, type Registry } from 'prom-client';

/** Consumer lag of one partition (or queue), in messages. */
export interface LagSample {
  topic: string;
  partition: number;
  group: string;
  lag: number;
}

/** Reads the current lag of a subscription; the meters call it on each scrape. */
export type LagSource = () => Promise<LagSample[]>;

/** Metric names per transport: Micrometer's Spring Kafka names on Kafka, Stratus names elsewhere. */
const TIMER_NAMES: Readonly<Record<string, { template: string; listener: string }>> = {
  kafka: { template: 'spring_kafka_template_seconds', listener: 'spring_kafka_listener_seconds' },
  default: {
    template: 'stratus_messaging_template_seconds',
    listener: 'stratus_messaging_listener_seconds',
  },
};
const LAG_NAME = 'stratus_messaging_consumer_lag_records';
const DEAD_LETTER_NAME = 'stratus_messaging_dead_letter_total';
const TIMER_TAGS = ['name', 'result', 'exception'] as const;
/** Micrometer's max is over a sliding window; ours restarts after this long. */
const MAX_WINDOW_MS = 120_000;
/** A lag source slower than this is left out of the scrape. */
const LAG_TIMEOUT_MS = 1_000;

const lagSources = new WeakMap<Registry, Set<LagSource>>();
/** Metrics this module registered, told apart from same-named ones registered by others. */
const ours = new WeakSet<object>();

interface Timer {
  summary: Summary<string>;
  max: Gauge<string>;
  maxes: Map<string, { value: number; at: number }>;
}

/** Our metric of that name, made on first use; null when another component owns the name. */
function single<T extends object>(registry: Registry, name: string, make: () => T): T | null {
  const existing = registry.getSingleMetric(name) as T | undefined;
  if (existing) return ours.has(existing) ? existing : null;
  const made = make();
  ours.add(made);
  return made;
}

function timer(registry: Registry, name: string, help: string): Timer | null {
  const summary = single(
    registry,
    name,
    () =>
      new Summary({ name, help, labelNames: TIMER_TAGS, percentiles: [], registers: [registry] }),
  );
  const max = single(
    registry,
    `${name}_max`,
    () => new Gauge({ name: `${name}_max`, help, labelNames: TIMER_TAGS, registers: [registry] }),
  );
  return summary && max ? { summary, max, maxes: new Map() } : null;
}

function observe(t: Timer, name: string, seconds: number, error: string | null): void {
  const labels = {
    name,
    result: error === null ? 'success' : 'failure',
    exception: error ?? 'none',
  };
  t.summary.observe(labels, seconds);
  const key = `${labels.name}\0${labels.result}\0${labels.exception}`;
  const now = Date.now();
  const current = t.maxes.get(key);
  if (!current || now - current.at > MAX_WINDOW_MS || seconds > current.value) {
    t.maxes.set(key, { value: seconds, at: now });
    t.max.set(labels, seconds);
  }
}

async function sampleWithin(source: LagSource): Promise<LagSample[]> {
  let timeout: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      source(),
      new Promise<LagSample[]>((resolve) => {
        // Not unref'ed: a scrape awaits this bounded wait.
        timeout = setTimeout(() => resolve([]), LAG_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return [];
  } finally {
    clearTimeout(timeout);
  }
}

function lagGauge(registry: Registry): void {
  single(
    registry,
    LAG_NAME,
    () =>
      new Gauge({
        name: LAG_NAME,
        help: 'Messages a consumer group has yet to consume, per topic and partition',
        labelNames: ['topic', 'partition', 'group'],
        registers: [registry],
        async collect() {
          this.reset();
          const sources = [...(lagSources.get(registry) ?? [])];
          for (const samples of await Promise.all(sources.map(sampleWithin))) {
            for (const s of samples) {
              this.set({ topic: s.topic, partition: String(s.partition), group: s.group }, s.lag);
            }
          }
        },
      }),
  );
}

/** How a transport records metrics. */
export interface MetersOptions {
  /** Prometheus registry; without one nothing is recorded. */
  registry?: Registry | null;
  /**
   * Record the publish and handler timers (`spring_kafka_template_seconds` /
   * `spring_kafka_listener_seconds` on Kafka, `stratus_messaging_*_seconds` elsewhere). Turn off
   * when the transport is wrapped by `@stratus/observability`'s `instrumentTransport`, which
   * records Spring Kafka's timers with Micrometer's observation tags. @default true
   */
  recordTimers?: boolean;
}

/**
 * The meters a transport records into; a no-op without a registry. A name another component
 * already registered is left to it rather than recorded twice.
 */
export class MessagingMeters {
  readonly #registry: Registry | null;
  readonly #template: Timer | null = null;
  readonly #listener: Timer | null = null;
  readonly #deadLetters: Counter<string> | null = null;
  readonly #templateName: string;

  constructor(options: MetersOptions, transport: string, templateName: string) {
    const registry = options.registry ?? null;
    this.#registry = registry;
    this.#templateName = templateName;
    if (!registry) return;
    const names = TIMER_NAMES[transport] ?? TIMER_NAMES.default!;
    if (options.recordTimers ?? true) {
      this.#template = timer(
        registry,
        names.template,
        'Time to have messages confirmed by the broker',
      );
      this.#listener = timer(registry, names.listener, 'Time spent in message handlers');
    }
    this.#deadLetters = single(
      registry,
      DEAD_LETTER_NAME,
      () =>
        new Counter({
          name: DEAD_LETTER_NAME,
          help: 'Messages sent to a dead-letter topic',
          labelNames: ['topic', 'group'],
          registers: [registry],
        }),
    );
    lagGauge(registry);
  }

  /** One `publish()` call (Spring's `spring.kafka.template` timer). */
  recordPublish(seconds: number, error: string | null): void {
    if (this.#template) observe(this.#template, this.#templateName, seconds, error);
  }

  /** One handler call (Spring's `spring.kafka.listener` timer). */
  recordListener(name: string, seconds: number, error: string | null): void {
    if (this.#listener) observe(this.#listener, name, seconds, error);
  }

  recordDeadLetter(topic: string, group: string): void {
    this.#deadLetters?.inc({ topic, group });
  }

  /** Adds a lag source read on every scrape; returns its removal. */
  addLagSource(source: LagSource): () => void {
    const registry = this.#registry;
    if (!registry) return () => undefined;
    let sources = lagSources.get(registry);
    if (!sources) lagSources.set(registry, (sources = new Set()));
    sources.add(source);
    return () => sources.delete(source);
  }
}
