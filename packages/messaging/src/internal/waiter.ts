/**
 * A sleep that ends early when woken. `wake()` with no sleeper pending is
 * remembered, so a notification between two sleeps is never lost.
 */
export class Waiter {
  #pending = false;
  #resolve: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  /** Resolves after `ms`, or at once / as soon as `wake()` is called. */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      this.#timer = setTimeout(() => this.#finish(), ms);
      this.#timer.unref();
    });
  }

  wake(): void {
    if (this.#resolve) this.#finish();
    else this.#pending = true;
  }

  #finish(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const resolve = this.#resolve;
    this.#resolve = null;
    this.#pending = false;
    resolve?.();
  }
}

/** Exponential backoff: `initialMs · 2^(attempt-1)`, capped at `maxMs`. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}
