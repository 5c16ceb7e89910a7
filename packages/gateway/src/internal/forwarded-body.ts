import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { payloadTooLarge } from '../filters/request-size.js';

/** The request body as the upstream attempts see it. */
export interface ForwardedBody {
  /** The body for the next attempt: null when there is none. */
  next(): Readable | Buffer | null;
  /** True while another attempt can send the whole body: none, in memory, or not a byte read yet. */
  readonly isReplayable: boolean;
  /** True once the body went over the limit (the attempt failed because of it). */
  readonly isOverLimit: boolean;
}

interface PullState {
  /** The wrapper of the current attempt; an earlier one never reads again. */
  current: PullBody | null;
  isTouched: boolean;
  total: number;
  isOverLimit: boolean;
}

/**
 * Reads `source` only when the upstream pulls, and never destroys it: when an
 * attempt fails before its connection opened (undici then destroys the body
 * it was given), `source` keeps every byte for the next attempt, and the
 * client's socket stays usable for the error response.
 */
class PullBody extends Readable {
  readonly #source: IncomingMessage;
  readonly #limit: number;
  readonly #state: PullState;
  #isAttached = false;
  readonly #onReadable = (): void => this.#pump();
  readonly #onEnd = (): void => {
    this.push(null);
  };
  readonly #onError = (error: Error): void => {
    this.destroy(error);
  };

  constructor(source: IncomingMessage, limit: number, state: PullState) {
    super();
    this.#source = source;
    this.#limit = limit;
    this.#state = state;
  }

  override _read(): void {
    if (!this.#isAttached) {
      this.#isAttached = true;
      this.#source.on('readable', this.#onReadable);
      this.#source.once('end', this.#onEnd);
      this.#source.once('error', this.#onError);
    }
    this.#pump();
  }

  #pump(): void {
    if (this.#state.current !== this) return;
    let chunk: Buffer | null;
    while ((chunk = this.#source.read() as Buffer | null) !== null) {
      this.#state.isTouched = true;
      this.#state.total += chunk.length;
      if (this.#state.total > this.#limit) {
        this.#state.isOverLimit = true;
        this.destroy(payloadTooLarge(null, this.#limit));
        return;
      }
      if (!this.push(chunk)) return;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#source.off('readable', this.#onReadable);
    this.#source.off('end', this.#onEnd);
    this.#source.off('error', this.#onError);
    callback(error);
  }
}

/** A body streamed from the client, bounded by `limit` bytes. */
export function streamedBody(source: IncomingMessage, limit: number): ForwardedBody {
  const state: PullState = { current: null, isTouched: false, total: 0, isOverLimit: false };
  return {
    next: () => {
      state.current?.destroy();
      state.current = new PullBody(source, limit, state);
      return state.current;
    },
    get isReplayable() {
      return !state.isTouched && !source.readableEnded;
    },
    get isOverLimit() {
      return state.isOverLimit;
    },
  };
}

/** No body at all. */
export const NO_BODY: ForwardedBody = Object.freeze({
  next: () => null,
  isReplayable: true,
  isOverLimit: false,
});

/** A body held in memory (or none): every attempt sends it whole. */
export function replayableBody(bytes: Buffer | null): ForwardedBody {
  return { next: () => bytes, isReplayable: true, isOverLimit: false };
}

/**
 * Reads the whole body of `source` into memory, refusing more than `limit`
 * bytes with `GW_ERR_PAYLOAD_TOO_LARGE`.
 */
export async function readBody(source: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw payloadTooLarge(null, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** True when the request has a body: a positive `Content-Length`, or chunked. */
export const hasRequestBody = (source: IncomingMessage, contentLength: number | null): boolean =>
  contentLength !== null ? contentLength > 0 : source.headers['transfer-encoding'] !== undefined;

/**
 * The body as the upstream attempts send it: none; read into memory when the
 * request may be repeated after it reached an upstream and is small enough;
 * otherwise streamed (then only a connect failure lets it be sent again).
 *
 * @throws GatewayError `GW_ERR_PAYLOAD_TOO_LARGE` while reading into memory.
 */
export async function forwardedBodyOf(
  source: IncomingMessage,
  options: {
    contentLength: number | null;
    maxBodyBytes: number;
    isRepeatable: boolean;
    maxBufferedBodyBytes: number;
  },
): Promise<ForwardedBody> {
  const { contentLength } = options;
  if (!hasRequestBody(source, contentLength)) return NO_BODY;
  if (
    options.isRepeatable &&
    contentLength !== null &&
    contentLength <= options.maxBufferedBodyBytes
  ) {
    return replayableBody(await readBody(source, options.maxBodyBytes));
  }
  return streamedBody(source, options.maxBodyBytes);
}
