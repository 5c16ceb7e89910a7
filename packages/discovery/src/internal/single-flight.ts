/**
 * Runs one task at a time: a call while one is in flight gets the same promise, so timers and
 * callers never stack requests.
 */
export class SingleFlight<T> {
  #current: Promise<T> | null = null;

  /** The task in flight, or null. */
  get current(): Promise<T> | null {
    return this.#current;
  }

  /** `task()`, or the promise of the task already in flight. */
  run(task: () => Promise<T>): Promise<T> {
    this.#current ??= task().finally(() => {
      this.#current = null;
    });
    return this.#current;
  }
}
