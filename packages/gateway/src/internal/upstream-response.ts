import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { HOP_BY_HOP, type HeaderRecord } from './headers.js';

/** What the upstream call learns from one attempt. */
export interface AttemptListener {
  /** The response headers arrived (status 200 or more); the body follows. */
  onResponse(response: UpstreamResponse): void;
  /** The attempt failed before its response headers. */
  onFailure(error: Error): void;
}

/** Where the body of an answered attempt goes once the gateway decided. */
interface BodySink {
  /** False asks the upstream to pause until `resume()`. */
  write(chunk: Buffer): boolean;
  end(): void;
  fail(error: Error): void;
}

/** Bytes kept while nothing reads the body yet; the upstream is paused beyond them. */
const MAX_HELD_BYTES = 64 * 1024;
/** A discarded body is read to the end (keeping the connection) up to this size, then cut. */
const MAX_DISCARDED_BYTES = 256 * 1024;

/** The response headers of an upstream: hop-by-hop fields and those named in `Connection` left out. */
export function responseHeadersOf(raw: readonly Buffer[]): HeaderRecord {
  const headers: HeaderRecord = {};
  let listed: string[] | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    if (name === 'connection') listed = value.toLowerCase().split(',');
    if (HOP_BY_HOP.has(name)) continue;
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else headers[name] = [existing, value];
  }
  if (listed !== null) for (const name of listed) delete headers[name.trim()];
  return headers;
}

/**
 * One upstream attempt as an undici dispatch handler (its callback API, no promise and no
 * stream per request). Its body is held (a few chunks, the upstream paused beyond them) until
 * the gateway pipes it to the client, turns it into a Readable for a filter that reads it, or
 * discards it.
 */
export class UpstreamResponse implements Dispatcher.DispatchHandler {
  statusCode = 0;
  headers: HeaderRecord = {};
  #listener: AttemptListener | null;
  #abort: ((error?: Error) => void) | null = null;
  #abortReason: Error | null = null;
  #resume: (() => void) | null = null;
  #held: Buffer[] | null = null;
  #heldBytes = 0;
  #isEnded = false;
  #error: Error | null = null;
  #sink: BodySink | null = null;

  constructor(listener: AttemptListener) {
    this.#listener = listener;
  }

  /** Cancels the attempt (before or after its headers). */
  abort(reason: Error): void {
    if (this.#abort !== null) this.#abort(reason);
    else this.#abortReason ??= reason;
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.#abortReason !== null) abort(this.#abortReason);
    else this.#abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true;
    this.statusCode = statusCode;
    this.headers = responseHeadersOf(rawHeaders);
    this.#resume = resume;
    const listener = this.#listener;
    this.#listener = null;
    listener?.onResponse(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#sink !== null) return this.#sink.write(chunk);
    (this.#held ??= []).push(chunk);
    this.#heldBytes += chunk.length;
    return this.#heldBytes < MAX_HELD_BYTES;
  }

  onComplete(): void {
    this.#isEnded = true;
    this.#sink?.end();
  }

  onError(error: Error): void {
    const listener = this.#listener;
    if (listener !== null) {
      this.#listener = null;
      listener.onFailure(error);
      return;
    }
    this.#error = error;
    this.#sink?.fail(error);
  }

  /** Sends the body to `res` after its head (`writeHead` already called); ends or destroys it. */
  pipeTo(res: ServerResponse): void {
    if (this.#error !== null) {
      res.destroy(this.#error);
      return;
    }
    const held = this.#held;
    this.#held = null;
    if (this.#isEnded) {
      if (held === null) res.end();
      else if (held.length === 1) res.end(held[0]);
      else {
        // Head and chunks leave in one writev (end() uncorks), without copying the body into
        // one buffer first: a 100 KiB copy per response, and the collections it forces.
        res.cork();
        for (const chunk of held) res.write(chunk);
        res.end();
      }
      return;
    }
    const sink = new ResponseSink(res, this);
    if (held !== null) for (const chunk of held) sink.write(chunk);
    this.#sink = sink;
    if (!res.writableNeedDrain) this.resume();
    res.once('close', () => {
      if (!this.#isEnded && this.#error === null) this.abort(new Error('client went away'));
    });
  }

  /** The body as a Readable, for filters that read or replace it. */
  toReadable(): Readable {
    const readable = new UpstreamBodyReadable(this);
    const held = this.#held;
    this.#held = null;
    if (held !== null) for (const chunk of held) readable.push(chunk);
    if (this.#error !== null) readable.sink.fail(this.#error);
    else if (this.#isEnded) readable.sink.end();
    else this.#sink = readable.sink;
    return readable;
  }

  /**
   * Drops the body: read to its end when it is small, so the connection is kept; cut (and the
   * connection closed) beyond {@link MAX_DISCARDED_BYTES}.
   */
  discard(): void {
    this.#held = null;
    if (this.#isEnded || this.#error !== null) return;
    let dropped = this.#heldBytes;
    this.#sink = {
      write: (chunk) => {
        dropped += chunk.length;
        if (dropped > MAX_DISCARDED_BYTES) this.abort(new Error('discarded body too large'));
        return true;
      },
      end: () => undefined,
      fail: () => undefined,
    };
    this.resume();
  }

  resume(): void {
    this.#resume?.();
  }
}

/** Streams to the client with backpressure: a full socket pauses the upstream until it drains. */
class ResponseSink implements BodySink {
  readonly #res: ServerResponse;
  readonly #upstream: UpstreamResponse;
  #isWaiting = false;
  readonly #onDrain = (): void => {
    this.#isWaiting = false;
    this.#upstream.resume();
  };

  constructor(res: ServerResponse, upstream: UpstreamResponse) {
    this.#res = res;
    this.#upstream = upstream;
  }

  write(chunk: Buffer): boolean {
    if (this.#res.write(chunk)) return true;
    if (!this.#isWaiting) {
      this.#isWaiting = true;
      this.#res.once('drain', this.#onDrain);
    }
    return false;
  }

  end(): void {
    this.#res.end();
  }

  fail(error: Error): void {
    this.#res.destroy(error);
  }
}

/** The upstream body as a stream; destroying it before its end cancels the upstream. */
class UpstreamBodyReadable extends Readable {
  readonly #upstream: UpstreamResponse;
  #isDone = false;
  readonly sink: BodySink = {
    write: (chunk) => this.push(chunk),
    end: () => {
      this.#isDone = true;
      this.push(null);
    },
    fail: (error) => {
      this.#isDone = true;
      this.destroy(error);
    },
  };

  constructor(upstream: UpstreamResponse) {
    super();
    this.#upstream = upstream;
  }

  override _read(): void {
    this.#upstream.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#isDone) this.#upstream.abort(error ?? new Error('response body destroyed'));
    callback(error);
  }

  /** Reads the rest and throws it away (what undici's body `dump()` does). */
  dump(): Promise<void> {
    this.#upstream.discard();
    this.#isDone = true;
    this.destroy();
    return Promise.resolve();
  }
}
