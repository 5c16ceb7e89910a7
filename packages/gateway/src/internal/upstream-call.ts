import { isStratusError, type StratusError } from '@stratus/core';
import { GatewayErrors } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import { payloadTooLarge } from '../filters/request-size.js';
import type { GatewaySettings } from '../settings.js';
import type { CallbackTerminal } from './chain.js';
import type { Exchange } from './exchange-impl.js';
import { failureKindOf, isIdempotentRequest } from '@stratus/discovery';
import type { Forward, ForwardCall } from './forward.js';
import { forwardedBodyOf, hasRequestBody, NO_BODY, type ForwardedBody } from './forwarded-body.js';
import { addForwardedHeaders } from './forwarded-headers.js';
import type { AttemptListener, UpstreamResponse } from './upstream-response.js';

/** What the upstream call needs from the gateway. */
export interface UpstreamCallDeps {
  /** The settings in force (they change on refresh). */
  readonly settings: () => GatewaySettings;
  readonly forward: Forward;
  /** `forward:/path` routes: dispatch to this gateway's own routes and handlers. */
  readonly forwardLocally: (
    exchange: GatewayExchange,
    path: string,
    cause: unknown,
  ) => Promise<void>;
}

const CONTROL = /[\s\x00-\x1f\x7f]/;

/** The path as sent upstream: one leading slash, no whitespace or control characters. */
function upstreamPath(path: string): string {
  let out = path.charCodeAt(0) === 0x2f ? path : `/${path}`;
  if (out.charCodeAt(1) === 0x2f) out = out.replace(/^\/{2,}/, '/');
  if (CONTROL.test(out)) throw GatewayErrors.INVALID_PATH();
  return out;
}

/** The gateway error for a failed upstream attempt. */
function upstreamError(
  error: unknown,
  exchange: Exchange,
  timedOut: boolean,
  isAborted: boolean,
): unknown {
  if (isAborted && !timedOut) return error;
  if (timedOut) return GatewayErrors.UPSTREAM_TIMEOUT({ cause: error });
  if (isStratusError(error) && error.code.startsWith('GW_ERR_')) return error;
  if (exchange.body?.isOverLimit) return payloadTooLarge(null, exchange.maxBodyBytes);
  if (isStratusError(error)) return GatewayErrors.BAD_GATEWAY({ cause: error });
  const failure = failureKindOf(error);
  if (failure === 'timeout') return GatewayErrors.UPSTREAM_TIMEOUT({ cause: error });
  if (failure === 'connect') return GatewayErrors.UPSTREAM_UNAVAILABLE({ cause: error });
  return GatewayErrors.BAD_GATEWAY({ cause: error });
}

/**
 * Starts the response timer once the request body has been read (a slow upload is not a slow
 * upstream). undici's own headersTimeout has ~1 s resolution; this one is exact, and it covers
 * the failover attempt: both fit in the route's timeout.
 */
function armResponseTimer(
  exchange: Exchange,
  timeoutMs: number,
  onTimeout: () => void,
): () => void {
  if (timeoutMs <= 0) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const arm = (): void => {
    if (done) return;
    timer = setTimeout(onTimeout, timeoutMs).unref();
  };
  const raw = exchange.raw;
  if (!hasRequestBody(raw, exchange.contentLength) || raw.readableEnded) arm();
  else raw.once('end', arm);
  return () => {
    done = true;
    clearTimeout(timer);
    raw.off('end', arm);
  };
}

/** Checks and prepares what is sent upstream; the path as sent (with its query). */
function prepareRequest(exchange: Exchange, settings: GatewaySettings): string {
  if (exchange.contentLength !== null && exchange.contentLength > exchange.maxBodyBytes)
    throw payloadTooLarge(exchange.contentLength, exchange.maxBodyBytes);
  const { requestHeaders } = exchange;
  const path = upstreamPath(exchange.path);
  if (settings.trustedProxies !== null)
    addForwardedHeaders(requestHeaders, exchange.raw, exchange.peer, exchange.originalPath, path);
  if (!exchange.preserveHost) delete requestHeaders['host'];
  return exchange.query === '' ? path : `${path}?${exchange.query}`;
}

/** One upstream call of an exchange: the request sent with failover, bounded by the route's timeout. */
class UpstreamCall implements AttemptListener {
  readonly #exchange: Exchange;
  readonly #done: (error?: unknown) => void;
  #call: ForwardCall | null = null;
  #isTimedOut = false;
  #disarm: (() => void) | null = null;
  #signal: AbortSignal | null = null;
  readonly #onAbort = (): void => this.#cancel(new Error('call aborted'));

  constructor(exchange: Exchange, done: (error?: unknown) => void) {
    this.#exchange = exchange;
    this.#done = done;
  }

  send(
    deps: UpstreamCallDeps,
    settings: GatewaySettings,
    path: string,
    isIdempotent: boolean,
  ): void {
    const exchange = this.#exchange;
    if (exchange.isClientGone) return this.#done(new Error('client went away'));
    const signal = exchange.signalIfAny;
    if (signal !== null) {
      if (signal.aborted) return this.#done(signal.reason);
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    exchange.cancelUpstream = (reason) => this.#cancel(reason);
    const route = exchange.compiled;
    const timeoutMs = route.responseTimeoutMs ?? settings.responseTimeoutMs;
    this.#disarm = armResponseTimer(exchange, timeoutMs, () => {
      this.#isTimedOut = true;
      this.#cancel(new Error('response timeout'));
    });
    this.#call = deps.forward(
      {
        route,
        method: exchange.method,
        path,
        headers: exchange.requestHeaders,
        body: exchange.body as ForwardedBody,
        isIdempotent,
        bodyTimeoutMs: timeoutMs,
      },
      this,
    );
  }

  onResponse(response: UpstreamResponse): void {
    this.#finish();
    this.#exchange.setUpstreamResponse(response);
    this.#done();
  }

  onFailure(error: Error): void {
    const isAborted = this.#exchange.isClientGone || this.#signal?.aborted === true;
    this.#finish();
    this.#done(upstreamError(error, this.#exchange, this.#isTimedOut, isAborted));
  }

  #cancel(reason: Error): void {
    this.#call?.abort(reason);
  }

  #finish(): void {
    this.#disarm?.();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#exchange.cancelUpstream = null;
  }
}

/** Sends the exchange upstream (with failover) and puts the answer on it. */
function callUpstream(
  exchange: Exchange,
  deps: UpstreamCallDeps,
  done: (error?: unknown) => void,
): void {
  const settings = deps.settings();
  let path: string;
  let isIdempotent: boolean;
  try {
    path = prepareRequest(exchange, settings);
    isIdempotent = isIdempotentRequest(
      exchange.method,
      exchange.requestHeaders,
      settings.idempotencyKeyHeader,
    );
  } catch (error) {
    return done(error);
  }
  const call = new UpstreamCall(exchange, done);
  if (exchange.body !== null || !hasRequestBody(exchange.raw, exchange.contentLength)) {
    exchange.body ??= NO_BODY;
    return call.send(deps, settings, path, isIdempotent);
  }
  forwardedBodyOf(exchange.raw, {
    contentLength: exchange.contentLength,
    maxBodyBytes: exchange.maxBodyBytes,
    isRepeatable: isIdempotent || exchange.compiled.needsReplayableBody,
    maxBufferedBodyBytes: settings.maxBufferedBodyBytes,
  }).then((body) => {
    exchange.body = body;
    call.send(deps, settings, path, isIdempotent);
  }, done);
}

/** The chain's terminal: the upstream call, a local forward, or nothing (`no://op`). */
export function createUpstreamCall(deps: UpstreamCallDeps): CallbackTerminal {
  return (exchange, done) => {
    const target = (exchange as Exchange).compiled.target;
    if (target.kind === 'direct' || target.kind === 'lb')
      return callUpstream(exchange as Exchange, deps, done);
    if (target.kind === 'none') {
      if (exchange.statusCode === 0) exchange.statusCode = 200;
      return done();
    }
    deps.forwardLocally(exchange, target.path, null).then(() => done(), done);
  };
}

/** True for the errors an upstream call ends with (for Retry's `exceptions`). */
export const isUpstreamFailure = (error: unknown): error is StratusError =>
  isStratusError(error) &&
  (GatewayErrors.UPSTREAM_UNAVAILABLE.is(error) ||
    GatewayErrors.BAD_GATEWAY.is(error) ||
    GatewayErrors.UPSTREAM_TIMEOUT.is(error) ||
    GatewayErrors.NO_INSTANCE.is(error));
