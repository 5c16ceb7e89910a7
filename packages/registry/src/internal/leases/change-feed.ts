import type { Logger } from '@stratus/core';
import type { RegistryChange, RegistryChangeListener } from '../../registry-types.js';

/** Tells subscribers of every change, synchronously; a throwing listener is logged and skipped. */
export class ChangeFeed {
  readonly #listeners = new Set<RegistryChangeListener>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: RegistryChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(change: RegistryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#log.warn({ err: error, kind: change.kind }, 'registry change listener failed');
      }
    }
  }
}
