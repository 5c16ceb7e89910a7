import type { Logger } from '@stratus/core';

/**
 * Runs the anti-entropy pass on an unref'ed timer, one pass at a time: a call while a pass
 * runs gets that pass. A failed pass is logged; the next tick tries again.
 */
export class AntiEntropyRunner {
  readonly #pass: () => Promise<void>;
  readonly #log: Logger;
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(pass: () => Promise<void>, log: Logger) {
    this.#pass = pass;
    this.#log = log;
  }

  /** The pass in flight, or null. */
  get running(): Promise<void> | null {
    return this.#running;
  }

  /** One pass now, or the one in flight. */
  run(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Runs a pass every `intervalMs` from now on; 0 stops the timer. */
  schedule(intervalMs: number): void {
    clearInterval(this.#timer);
    this.#timer =
      intervalMs > 0
        ? setInterval(() => {
            this.run().catch((error: unknown) => {
              this.#log.warn({ err: error }, 'anti-entropy pass failed');
            });
          }, intervalMs).unref()
        : undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
