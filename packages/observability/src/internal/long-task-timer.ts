import { Gauge, type Registry } from 'prom-client';

/** A running task of a {@link LongTaskTimer}; `stop()` is idempotent. */
export interface LongTask {
  stop(): void;
}

interface Running {
  readonly key: string;
  readonly startedAt: number;
}

/**
 * Micrometer's `LongTaskTimer` (`@Timed(longTask = true)`) as its Prometheus registry renders it:
 * `<name>_seconds_active_count` (tasks running now), `<name>_seconds_duration_sum` (their
 * combined running time) and `<name>_seconds_max` (the longest running one), read at scrape time.
 */
export class LongTaskTimer {
  readonly #running = new Set<Running>();
  /** Every tag set seen: it keeps reporting (0 when idle), as a registered Micrometer meter does. */
  readonly #seen = new Map<string, Record<string, string>>();
  readonly #labelNames: readonly string[];
  readonly #now: () => number;

  constructor(spec: {
    promBase: string;
    help: string;
    labelNames: readonly string[];
    registry: Registry;
    now: () => number;
  }) {
    this.#labelNames = spec.labelNames;
    this.#now = spec.now;
    const running = this.#running;
    const seen = this.#seen;
    const now = this.#now;
    const names = [...spec.labelNames];
    const gauge = (suffix: string, read: (tasks: Running[], at: number) => number) =>
      new Gauge({
        name: `${spec.promBase}_${suffix}`,
        help: spec.help,
        labelNames: names,
        registers: [spec.registry],
        collect(this: Gauge<string>) {
          const groups = new Map<string, Running[]>();
          for (const key of seen.keys()) groups.set(key, []);
          for (const task of running) {
            const group = groups.get(task.key);
            if (group) group.push(task);
            else groups.set(task.key, [task]);
          }
          this.reset();
          const at = now();
          for (const [key, tasks] of groups) this.set(seen.get(key) ?? {}, read(tasks, at));
        },
      });
    gauge('active_count', (tasks) => tasks.length);
    gauge('duration_sum', (tasks, at) =>
      tasks.reduce((sum, task) => sum + (at - task.startedAt) / 1000, 0),
    );
    gauge('max', (tasks, at) =>
      tasks.reduce((max, task) => Math.max(max, (at - task.startedAt) / 1000), 0),
    );
  }

  /** Reports `labels` from now on, at 0 while no task runs (Micrometer registers at creation). */
  register(labels: Record<string, string>): string {
    const complete: Record<string, string> = {};
    for (const name of this.#labelNames) complete[name] = labels[name] ?? 'none';
    const key = this.#labelNames.map((name) => complete[name]).join('\u0000');
    if (!this.#seen.has(key)) this.#seen.set(key, complete);
    return key;
  }

  /** Starts timing one task under `labels`. */
  start(labels: Record<string, string>): LongTask {
    const key = this.register(labels);
    const task: Running = { key, startedAt: this.#now() };
    this.#running.add(task);
    return { stop: () => void this.#running.delete(task) };
  }

  /** Tasks running now (for `/actuator/metrics`). */
  get activeTasks(): number {
    return this.#running.size;
  }
}
