import type { Logger } from '@stratus/core';
import type { ServiceInstance } from '../../types.js';
import type { ParsedEntry } from '../parse-apps.js';

type Listener = (instances: readonly ServiceInstance[]) => void;

const keyOf = (instance: ServiceInstance): string =>
  `${instance.serviceId}\u0000${instance.instanceId}`;

/**
 * The client's copy of the registry, keyed by app and instance id as Eureka's `Applications`
 * are (insertion order kept). Listeners hear of a change only when an instance's id, status,
 * address, VIP or metadata changed, not on every fetch.
 */
export class RegistryCache {
  readonly #log: Logger;
  readonly #listeners = new Set<Listener>();
  #instances = new Map<string, ServiceInstance>();
  #signature = '';

  constructor(log: Logger) {
    this.#log = log;
  }

  /** UP instances whose app name or one of whose VIP addresses equals `serviceId`, any case. */
  instancesOf(serviceId: string): ServiceInstance[] {
    const wanted = serviceId.toLowerCase();
    return [...this.#instances.values()].filter(
      (i) =>
        i.status === 'UP' &&
        (i.serviceId.toLowerCase() === wanted ||
          i.vipAddress.split(',').some((vip) => vip.trim().toLowerCase() === wanted)),
    );
  }

  /** Every cached instance, whatever its status. */
  all(): ServiceInstance[] {
    return [...this.#instances.values()];
  }

  /** Replaces the whole cache (a full fetch). */
  replace(entries: readonly ParsedEntry[]): void {
    this.#publish(new Map(entries.map(({ instance }) => [keyOf(instance), instance])));
  }

  /**
   * Applies a delta idempotently (ADDED and MODIFIED put, DELETED removes), as Eureka's
   * `DiscoveryClient.updateDelta` does, and returns the instances after it.
   */
  applyDelta(entries: readonly ParsedEntry[]): ServiceInstance[] {
    const next = new Map(this.#instances);
    for (const { instance, actionType } of entries) {
      if (actionType === 'DELETED') next.delete(keyOf(instance));
      else next.set(keyOf(instance), instance);
    }
    this.#publish(next);
    return [...next.values()];
  }

  /** Calls `listener` with all instances after each change; returns the unsubscribe function. */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #publish(next: Map<string, ServiceInstance>): void {
    this.#instances = next;
    const signature = JSON.stringify(
      [...next.values()]
        .map((i) => [i.serviceId, i.instanceId, i.status, i.uri, i.vipAddress, i.metadata])
        .sort(),
    );
    if (signature === this.#signature) return;
    this.#signature = signature;
    const snapshot = Object.freeze([...next.values()]);
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#log.warn({ err: error }, 'registry change listener threw');
      }
    }
  }
}
