import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from '@stratus/core';
import type { GatewayExchange, HeaderRecord, RouteInfo } from '../exchange.js';
import { hasRequestBody, replayableBody, type ForwardedBody } from './forwarded-body.js';
import { readWholeRequestBody } from './request-body.js';
import type { CompiledRoute } from './types.js';
import type { UpstreamResponse } from './upstream-response.js';

/** What is needed to start an exchange for a matched route. */
export interface ExchangeInit {
  readonly raw: IncomingMessage;
  readonly route: CompiledRoute;
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly requestHeaders: HeaderRecord;
  readonly uriVariables: Readonly<Record<string, string>>;
  readonly contentLength: number | null;
  readonly maxBodyBytes: number;
  readonly peer: string;
  readonly clientAddress: string;
  /** Aborted when the client goes away; created on first use when absent. */
  readonly signal?: AbortSignal;
  readonly log: Logger;
}

/** The gateway's exchange: the public view plus what the pipeline keeps for itself. */
export class Exchange implements GatewayExchange {
  readonly route: RouteInfo;
  readonly routeId: string;
  readonly requestId: string;
  readonly method: string;
  readonly originalPath: string;
  path: string;
  query: string;
  readonly incomingHeaders: IncomingHttpHeaders;
  readonly requestHeaders: HeaderRecord;
  statusCode = 0;
  readonly uriVariables: Readonly<Record<string, string>>;
  readonly contentLength: number | null;
  maxBodyBytes: number;
  preserveHost = false;
  readonly clientAddress: string;
  principal: string | null = null;
  claims: Readonly<Record<string, unknown>> | null = null;
  isResponded = false;
  /** True once the client went away: nothing is written to it any more. */
  isClientGone = false;
  readonly log: Logger;
  /** The incoming request (its body is read at most once, by the upstream call). */
  readonly raw: IncomingMessage;
  readonly compiled: CompiledRoute;
  /** The socket peer address. */
  readonly peer: string;
  /** The body as upstream attempts send it, created by the first upstream call. */
  body: ForwardedBody | null = null;
  #attributes: Map<string, unknown> | undefined;
  #responseHeaders: HeaderRecord | null = null;
  #body: Readable | Buffer | null = null;
  /** The upstream's answer while its body is still held (not yet a Readable). */
  #upstream: UpstreamResponse | null = null;
  #signal: AbortSignal | null;
  #clientGone: AbortController | null = null;
  /** Cancels the upstream call in flight (set by the upstream call while it waits). */
  cancelUpstream: ((reason: Error) => void) | null = null;
  /** The client's body once a filter read it whole (kept for every attempt). */
  #bufferedBody: Promise<Buffer> | null = null;
  /** The body a filter put in place of the client's (`setRequestBody`). */
  #replacedBody: Buffer | null = null;

  constructor(init: ExchangeInit) {
    this.raw = init.raw;
    this.compiled = init.route;
    this.route = init.route.info;
    this.routeId = init.route.id;
    this.requestId = init.requestId;
    this.method = init.method;
    this.originalPath = init.path;
    this.path = init.path;
    this.query = init.query;
    this.incomingHeaders = init.raw.headers;
    this.requestHeaders = init.requestHeaders;
    this.uriVariables = init.uriVariables;
    this.contentLength = init.contentLength;
    this.maxBodyBytes = init.maxBodyBytes;
    this.peer = init.peer;
    this.clientAddress = init.clientAddress;
    this.#signal = init.signal ?? null;
    this.log = init.log;
  }

  get responseHeaders(): HeaderRecord {
    return (this.#responseHeaders ??= {});
  }

  /** The body: an upstream's still-held body becomes a Readable the first time a filter reads it. */
  get responseBody(): Readable | Buffer | null {
    if (this.#upstream !== null) {
      this.#body = this.#upstream.toReadable();
      this.#upstream = null;
    }
    return this.#body;
  }

  set responseBody(body: Readable | Buffer | null) {
    // An upstream body nobody read is dropped, or its connection would wait for a reader.
    this.#upstream?.discard();
    this.#upstream = null;
    this.#body = body;
  }

  /** Aborted when the client goes away (or by the filter that replaced it: CircuitBreaker). */
  get signal(): AbortSignal {
    if (this.#signal === null) {
      this.#clientGone = new AbortController();
      if (this.isClientGone) this.#clientGone.abort();
      this.#signal = this.#clientGone.signal;
    }
    return this.#signal;
  }

  set signal(signal: AbortSignal) {
    this.#signal = signal;
  }

  /** The signal when one exists, without creating it. */
  get signalIfAny(): AbortSignal | null {
    return this.#signal;
  }

  /** The client closed its connection before the answer was complete. */
  clientWentAway(): void {
    if (this.isClientGone) return;
    this.isClientGone = true;
    this.#clientGone?.abort();
    this.cancelUpstream?.(new Error('client went away'));
  }

  /** Puts an upstream's answer on the exchange: status and headers merged, body held. */
  setUpstreamResponse(response: UpstreamResponse): void {
    this.statusCode = response.statusCode;
    if (this.#responseHeaders === null) this.#responseHeaders = response.headers;
    else mergeHeaders(this.#responseHeaders, response.headers);
    this.#upstream?.discard();
    this.#body = null;
    this.#upstream = response;
  }

  /** Takes the held upstream answer, for streaming it to the client as it is. */
  takeUpstreamResponse(): UpstreamResponse | null {
    const upstream = this.#upstream;
    this.#upstream = null;
    return upstream;
  }

  /** The response headers when any were set, without creating them. */
  get responseHeadersIfAny(): HeaderRecord | null {
    return this.#responseHeaders;
  }

  get attributes(): Map<string, unknown> {
    return (this.#attributes ??= new Map());
  }

  respond(status: number, body: Buffer | string | null = null): void {
    this.statusCode = status;
    this.responseBody = typeof body === 'string' ? Buffer.from(body) : body;
    this.isResponded = true;
  }

  readRequestBody(): Promise<Buffer> {
    if (this.#replacedBody !== null) return Promise.resolve(this.#replacedBody);
    return (this.#bufferedBody ??= this.#bufferBody());
  }

  async #bufferBody(): Promise<Buffer> {
    if (this.body !== null) throw new Error('the request body was already sent upstream');
    if (!hasRequestBody(this.raw, this.contentLength)) return Buffer.alloc(0);
    const bytes = await readWholeRequestBody(this.raw, this.contentLength, this.maxBodyBytes);
    if (this.#replacedBody === null) this.#sendBody(bytes);
    return bytes;
  }

  setRequestBody(body: Buffer | string): void {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    this.#replacedBody = bytes;
    this.#sendBody(bytes);
  }

  /** Every upstream attempt sends `bytes` whole, with their length. */
  #sendBody(bytes: Buffer): void {
    this.body = replayableBody(bytes);
    delete this.requestHeaders['transfer-encoding'];
    this.requestHeaders['content-length'] = String(bytes.length);
  }
}

/** What a Retry puts back before the chain runs again (Spring re-runs it on the unmutated exchange). */
export interface ExchangeSnapshot {
  readonly path: string;
  readonly query: string;
  readonly requestHeaders: HeaderRecord;
  readonly responseHeaders: HeaderRecord;
  readonly maxBodyBytes: number;
  readonly preserveHost: boolean;
}

export function snapshotExchange(exchange: Exchange): ExchangeSnapshot {
  return {
    path: exchange.path,
    query: exchange.query,
    requestHeaders: { ...exchange.requestHeaders },
    responseHeaders: { ...exchange.responseHeaders },
    maxBodyBytes: exchange.maxBodyBytes,
    preserveHost: exchange.preserveHost,
  };
}

/** Adds `source`'s headers to those filters already set (repeated names become lists). */
function mergeHeaders(target: HeaderRecord, source: HeaderRecord): void {
  for (const name in source) {
    const value = source[name] as string | string[];
    const existing = target[name];
    target[name] = existing === undefined ? value : [existing, value].flat();
  }
}

const replaceAll = (target: HeaderRecord, source: HeaderRecord): void => {
  for (const name of Object.keys(target)) delete target[name];
  Object.assign(target, source);
};

export function restoreExchange(exchange: Exchange, snapshot: ExchangeSnapshot): void {
  exchange.path = snapshot.path;
  exchange.query = snapshot.query;
  replaceAll(exchange.requestHeaders, snapshot.requestHeaders);
  replaceAll(exchange.responseHeaders, snapshot.responseHeaders);
  exchange.maxBodyBytes = snapshot.maxBodyBytes;
  exchange.preserveHost = snapshot.preserveHost;
  exchange.statusCode = 0;
  exchange.responseBody = null;
  exchange.isResponded = false;
}

/** Drops a response body the client will never see (a retried or replaced answer). */
export async function discardResponseBody(exchange: Exchange): Promise<void> {
  const upstream = exchange.takeUpstreamResponse();
  if (upstream !== null) {
    upstream.discard();
    exchange.responseBody = null;
    return;
  }
  const body = exchange.responseBody;
  exchange.responseBody = null;
  if (body === null || Buffer.isBuffer(body)) return;
  const dump = (body as Readable & { dump?: () => Promise<void> }).dump;
  if (typeof dump === 'function') await dump.call(body).catch(() => undefined);
  else body.destroy();
}
