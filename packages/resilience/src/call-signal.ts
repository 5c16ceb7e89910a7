type AbortListener = () => void;

/** Aborts a {@link CallSignal}; set once by the class, kept out of its public surface. */
let abortCallSignal: (signal: CallSignal, reason: unknown) => void;

/** What waits and time limits accept as a caller's signal. */
export type AnySignal = AbortSignal | CallSignal;

/**
 * A cancellation signal that costs next to nothing until an `AbortSignal` is asked for: on
 * Node 20 creating an `AbortSignal` takes tens of microseconds, more than the rest of a breaker,
 * time limiter and retry together. undici's `request()` and `Dispatcher.request()` take it as
 * their `signal` as it is (they accept the EventEmitter form: `on`, `removeListener`, `aborted`,
 * `reason`); {@link CallSignal.signal} gives a real `AbortSignal` following it, made on first use,
 * for `fetch` and other APIs that need one. Made and aborted by a {@link CallController}.
 */
export class CallSignal {
  #aborted = false;
  #reason: unknown = undefined;
  #listeners: AbortListener[] | null = null;
  #controller: AbortController | null = null;

  /** True once aborted. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was aborted (`undefined` before). */
  get reason(): unknown {
    return this.#reason;
  }

  /** An `AbortSignal` aborted with this one (already aborted if this one is), made once. */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Calls `listener` once when aborted (never when already aborted: read `aborted` first). */
  on(_event: 'abort', listener: AbortListener): this {
    if (!this.#aborted) (this.#listeners ??= []).push(listener);
    return this;
  }

  /** The same as {@link CallSignal.on}: every listener runs at most once. */
  once(event: 'abort', listener: AbortListener): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: AbortListener): this {
    const listeners = this.#listeners;
    if (listeners === null) return this;
    const index = listeners.lastIndexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
    return this;
  }

  off(event: 'abort', listener: AbortListener): this {
    return this.removeListener(event, listener);
  }

  /** @throws the abort reason when aborted. */
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  static {
    abortCallSignal = (signal, reason) => signal.#abort(reason);
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = null;
    this.#controller?.abort(reason);
    if (listeners !== null) for (const listener of listeners) listener();
  }
}

/**
 * Makes and aborts a {@link CallSignal}, as an `AbortController` does an `AbortSignal`.
 *
 * @example
 * const controller = new CallController();
 * const response = await undici.request(url, { signal: controller.signal });
 */
export class CallController {
  readonly signal = new CallSignal();

  /** Aborts the signal (once) with `reason`. @default reason a DOMException named `AbortError` */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    abortCallSignal(this.signal, reason);
  }
}

/**
 * Runs `listener` when `signal` aborts (an `AbortSignal` or a {@link CallSignal}); returns the
 * function that stops listening. Nothing happens for an already aborted signal.
 */
export function onAbort(signal: AnySignal | undefined, listener: AbortListener): () => void {
  if (signal === undefined || signal.aborted) return noop;
  if (signal instanceof CallSignal) {
    signal.on('abort', listener);
    return () => signal.removeListener('abort', listener);
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

const noop = () => {};
