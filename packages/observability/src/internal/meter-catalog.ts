import { Counter, Gauge, type Registry } from 'prom-client';
import type { DistributionResolver } from '../distribution.js';
import { LongTaskTimer } from './long-task-timer.js';
import type { MeterInfo } from './describe.js';
import { MicrometerTimer } from './timer.js';

/** What the recording paths need of a timer. */
export interface TimerLike {
  record(tags: Record<string, string>, seconds: number): void;
}

/** Stands in for a timer whose name another library owns. */
const NO_TIMER: TimerLike = Object.freeze({ record: () => undefined });

/** Micrometer's Prometheus naming: dots to underscores, other invalid characters too. */
export function promBaseOf(name: string): string {
  const base = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(base) ? base : `_${base}`;
}

/**
 * The meters of one registry by Micrometer name, made on first use. A Prometheus name another
 * library already registered (an HTTP client or a transport given the same registry) stays
 * theirs: two owners of one name cannot coexist, so this side records nothing under it.
 */
export class MeterCatalog {
  readonly #meters = new Map<string, MeterInfo>();
  readonly #timers = new Map<string, TimerLike>();
  readonly #longTaskTimers = new Map<string, LongTaskTimer>();

  constructor(
    readonly registry: Registry,
    private readonly distribution: DistributionResolver,
    private readonly now: () => number,
  ) {}

  add(info: MeterInfo): void {
    this.#meters.set(info.name, info);
  }

  info(name: string): MeterInfo | undefined {
    return this.#meters.get(name);
  }

  names(): string[] {
    return [...this.#meters.keys()].sort();
  }

  timer(name: string, help: string, labelNames: readonly string[]): TimerLike {
    const existing = this.#timers.get(name);
    if (existing !== undefined) return existing;
    const promName = `${promBaseOf(name)}_seconds`;
    let timer: TimerLike = NO_TIMER;
    if (!this.#isTaken(promName) && !this.#isTaken(`${promName}_max`)) {
      const created = new MicrometerTimer({
        promName,
        help,
        labelNames,
        distribution: this.distribution(name),
        registry: this.registry,
        now: this.now,
      });
      this.add({
        name,
        promName,
        description: help,
        baseUnit: 'seconds',
        kind: 'timer',
        max: created.maxGauge,
      });
      timer = created;
    }
    this.#timers.set(name, timer);
    return timer;
  }

  longTaskTimer(name: string, description: string, labelNames: readonly string[]): LongTaskTimer {
    let existing = this.#longTaskTimers.get(name);
    if (existing === undefined) {
      const promBase = `${promBaseOf(name)}_seconds`;
      existing = new LongTaskTimer({
        promBase,
        help: description,
        labelNames,
        registry: this.registry,
        now: this.now,
      });
      this.#longTaskTimers.set(name, existing);
      this.add({
        name,
        promName: promBase,
        description,
        baseUnit: 'seconds',
        kind: 'longTaskTimer',
      });
    }
    return existing;
  }

  counter(name: string, description: string, labelNames: string[]): Counter<string> {
    const promName = `${promBaseOf(name)}_total`;
    const existing = this.registry.getSingleMetric(promName);
    if (existing) return existing as Counter<string>;
    this.add({ name, promName, description, baseUnit: null, kind: 'counter' });
    return new Counter({
      name: promName,
      help: description,
      labelNames,
      registers: [this.registry],
    });
  }

  gauge(name: string, description: string, read: () => number, baseUnit?: string): Gauge<string> {
    const promName = baseUnit ? `${promBaseOf(name)}_${promBaseOf(baseUnit)}` : promBaseOf(name);
    const existing = this.registry.getSingleMetric(promName);
    if (existing) return existing as Gauge<string>;
    this.add({ name, promName, description, baseUnit: baseUnit ?? null, kind: 'gauge' });
    return new Gauge({
      name: promName,
      help: description,
      registers: [this.registry],
      collect(this: Gauge<string>) {
        const value = read();
        if (Number.isFinite(value)) this.set(value);
      },
    });
  }

  #isTaken(promName: string): boolean {
    return this.registry.getSingleMetric(promName) !== undefined;
  }
}
