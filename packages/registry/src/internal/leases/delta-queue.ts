import { instanceIdOf, type Application, type InstanceInfo } from '@stratus/discovery';

interface Change {
  readonly atMs: number;
  readonly instance: InstanceInfo;
}

/**
 * Eureka's `recentlyChangedQueue`: every change stays `retentionMs` (spring-wire §1.8), so a
 * delta holds the last state of each instance changed within that window. The version counts
 * changes (`versions__delta`).
 */
export class DeltaQueue {
  readonly #retentionMs: () => number;
  #changes: Change[] = [];
  #version = 1;
  #generation = 0;

  constructor(retentionMs: () => number) {
    this.#retentionMs = retentionMs;
  }

  get version(): number {
    return this.#version;
  }

  /** Changes whenever `applications()` would answer differently: on a record and on a purge. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#changes.length;
  }

  /** Records the instance as it is after a change. */
  record(instance: InstanceInfo, nowMs: number): void {
    this.purge(nowMs);
    this.#changes.push({ atMs: nowMs, instance });
    this.#version += 1;
    this.#generation += 1;
  }

  /** Drops the changes older than the retention time. */
  purge(nowMs: number): void {
    const cutoff = nowMs - this.#retentionMs();
    let first = 0;
    while (first < this.#changes.length && this.#changes[first]!.atMs < cutoff) first += 1;
    if (first === 0) return;
    this.#changes = this.#changes.slice(first);
    this.#generation += 1;
  }

  /** The last state of each changed instance, by application, the latest change last. */
  applications(nowMs: number): Application[] {
    this.purge(nowMs);
    const latest = new Map<string, InstanceInfo>();
    for (const { instance } of this.#changes) {
      const key = `${instance.app}\u0000${instanceIdOf(instance)}`;
      latest.delete(key);
      latest.set(key, instance);
    }
    const byApp = new Map<string, InstanceInfo[]>();
    for (const instance of latest.values()) {
      const list = byApp.get(instance.app) ?? [];
      list.push(instance);
      byApp.set(instance.app, list);
    }
    return [...byApp].map(([name, instances]) =>
      Object.freeze({ name, instances: Object.freeze(instances) }),
    );
  }
}
