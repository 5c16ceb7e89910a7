/**
 * A set of event listeners. A listener that throws is dropped from the call, never from the set,
 * and never reaches the caller (Resilience4j logs and carries on in `EventProcessor`).
 */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  add(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#listeners.size;
  }

  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
