import { CallController, onAbort, type AnySignal, type CallSignal } from '@stratus/resilience';

/** The abort reason of a read timeout; never leaves this package (it becomes `HTTP_ERR_TIMEOUT`). */
class ReadTimedOut extends Error {
  override readonly name = 'ReadTimedOut';
}

/**
 * One attempt's read timeout on a native timer: undici 7 runs its own header and body timeouts
 * on a 1 s-resolution timer wheel, so a 300 ms `readTimeout` could wait well over a second.
 * Armed until the head arrives, then re-armed on every body chunk (an idle timeout, as a socket
 * read timeout is). Firing, or the caller's signal, aborts `signal`, which closes the socket.
 * The signal is a `CallSignal`, which undici takes as it is: an `AbortController` per attempt
 * cost more than the rest of the client's own work (creating an `AbortSignal` on Node 20).
 */
export class ReadTimer {
  readonly #controller = new CallController();
  readonly #timer: NodeJS.Timeout;
  readonly #stopListening: () => void;
  #hasFired = false;

  constructor(
    readonly timeoutMs: number,
    caller: AnySignal | undefined,
  ) {
    this.#timer = setTimeout(() => {
      this.#hasFired = true;
      this.#controller.abort(new ReadTimedOut());
    }, timeoutMs);
    this.#timer.unref();
    if (caller?.aborted) this.#controller.abort(caller.reason);
    this.#stopListening = onAbort(caller, () => this.#controller.abort(caller!.reason));
  }

  /** Aborted when the timeout fires or the caller's signal is aborted. */
  get signal(): CallSignal {
    return this.#controller.signal;
  }

  /** True once the timeout fired (not when the caller aborted). */
  get hasFired(): boolean {
    return this.#hasFired;
  }

  /** Starts the wait again (a body chunk arrived). */
  rearm(): void {
    if (!this.#hasFired) this.#timer.refresh();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#stopListening();
  }
}
