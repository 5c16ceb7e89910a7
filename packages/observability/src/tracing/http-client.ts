import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { isIP } from 'node:net';
import {
  context as contextApi,
  createContextKey,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { methodTagOf, outcomeOf, pathOf } from '../internal/http-tags.js';
import type { Metrics } from '../metrics.js';
import { PROPAGATION_HEADER_NAMES } from './propagation.js';
import {
  activeTracing,
  ensureContextManager,
  errorName,
  markFailed,
  type Tracing,
} from './tracing.js';
import { REMOTE_ADDRESS_ATTRIBUTE, REMOTE_PORT_ATTRIBUTE } from './zipkin-span.js';

/** The part of undici's `Request` the diagnostics channels hand out (undici 6 and 7). */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
  headers?: string | unknown[];
  addHeader?(name: string, value: string): unknown;
}

/** Whose spans and meters an outgoing call belongs to. */
export interface HttpClientObserver {
  readonly tracing: Tracing | null;
  readonly metrics: Metrics | null;
}

interface InFlight {
  readonly observer: HttpClientObserver;
  readonly uri: string;
  readonly span: Span | undefined;
  readonly started: bigint;
  readonly method: string;
  readonly clientName: string;
}

const URI_TEMPLATE_KEY = createContextKey('stratus.http-client.uri-template');

/**
 * Runs `fn` with `template` as the `uri` tag of the undici calls it starts (Spring's
 * `http.client.requests{uri="/users/{userId}"}`); without it the tag is `none`, since raw
 * paths would make one series per id. A declarative client calls it around each call.
 *
 * @example
 * await withUriTemplate('/users/{userId}/orders', () => undiciRequest(url));
 */
export function withUriTemplate<T>(template: string, fn: () => T): T {
  ensureContextManager();
  return contextApi.with(contextApi.active().setValue(URI_TEMPLATE_KEY, template), fn);
}

const observers: HttpClientObserver[] = [];
const inFlight = new WeakMap<object, InFlight>();
const TRACE_HEADERS = new Set(PROPAGATION_HEADER_NAMES);
let subscribed = false;

/** The observer owning the current context's span, else the most recently registered one. */
function observerFor(tracing: Tracing | undefined): HttpClientObserver | undefined {
  if (tracing !== undefined) {
    for (let i = observers.length - 1; i >= 0; i--)
      if (observers[i]!.tracing === tracing) return observers[i];
  }
  return observers[observers.length - 1];
}

/** Removes the caller's trace headers so the fresh ones are not sent twice (a proxy copies them). */
function stripTraceHeaders(request: UndiciRequest): void {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      const name = headers[i];
      if (typeof name === 'string' && TRACE_HEADERS.has(name.toLowerCase())) headers.splice(i, 2);
    }
  } else if (typeof headers === 'string') {
    request.headers = headers
      .split('\r\n')
      .filter((line) => !TRACE_HEADERS.has(line.slice(0, line.indexOf(':')).trim().toLowerCase()))
      .join('\r\n');
  }
}

function addHeader(request: UndiciRequest, name: string, value: string): void {
  if (typeof request.addHeader === 'function') request.addHeader(name, value);
  else if (Array.isArray(request.headers)) request.headers.push(name, value);
  else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`;
}

interface Target {
  /** Host as written (`client.name`), brackets removed from IPv6. */
  readonly host: string;
  readonly port: number;
  readonly isIp: boolean;
  /** `scheme://host[:port]`, for `http.url`. */
  readonly origin: string;
}

const targets = new Map<string, Target | null>();
const MAX_TARGETS = 1_000;
const ORIGIN = /^(https?):\/\/(\[[^\]]+\]|[^:/?#]+)(?::(\d{1,5}))?\/?$/i;

/** A request's origin, parsed once per distinct origin (a process talks to few). */
function targetOf(origin: string | URL | undefined): Target | null {
  const text = origin instanceof URL ? origin.origin : origin;
  if (text === undefined) return null;
  let target = targets.get(text);
  if (target !== undefined) return target;
  const match = ORIGIN.exec(text);
  if (match === null) target = null;
  else {
    const [, scheme = 'http', rawHost = '', port] = match;
    const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
    target = {
      host,
      port: port === undefined ? (scheme.toLowerCase() === 'https' ? 443 : 80) : Number(port),
      isIp: isIP(host) !== 0,
      origin: text.endsWith('/') ? text.slice(0, -1) : text,
    };
  }
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(text, target);
  return target;
}

function onCreate(message: unknown): void {
  const request = (message as { request?: UndiciRequest }).request;
  if (request === undefined || observers.length === 0) return;
  const ctx = contextApi.active();
  if (isTracingSuppressed(ctx)) return;
  const tracing = activeTracing(ctx);
  const observer = observerFor(tracing);
  const target = targetOf(request.origin);
  if (observer === undefined || target === null) return;
  const method = methodTagOf(request.method?.toUpperCase());
  const template = ctx.getValue(URI_TEMPLATE_KEY);
  const uri = typeof template === 'string' ? template : 'none';
  let span: Span | undefined;
  // Only calls made inside a trace (a request, a message, withSpan) get a span and headers.
  const parent = trace.getSpan(ctx);
  if (tracing?.isEnabled && parent !== undefined) {
    stripTraceHeaders(request);
    // An unsampled trace records nothing: its calls pass the parent's context on as it is,
    // sparing a span per call (the ids are never reported, so they need not be new).
    if (!parent.isRecording()) {
      tracing.inject((name, value) => addHeader(request, name, value), ctx);
    } else {
      span = tracing.startSpan(`http ${method.toLowerCase()}`, {
        kind: SpanKind.CLIENT,
        parent: ctx,
        attributes: {
          method,
          uri,
          'client.name': target.host,
          'http.url': `${target.origin}${pathOf(request.path)}`,
          ...(target.isIp ? { [REMOTE_ADDRESS_ATTRIBUTE]: target.host } : {}),
          [REMOTE_PORT_ATTRIBUTE]: target.port,
        },
      });
      tracing.inject(
        (name, value) => addHeader(request, name, value),
        tracing.contextWith(span, ctx),
      );
    }
  }
  inFlight.set(request, {
    observer,
    uri,
    span,
    started: process.hrtime.bigint(),
    method,
    clientName: target.host,
  });
}

function finish(request: object, status: number | null, error: unknown): void {
  const call = inFlight.get(request);
  if (call === undefined) return;
  inFlight.delete(request);
  const exception = errorName(error);
  call.observer.metrics?.recordHttpClientRequest({
    method: call.method,
    uri: call.uri,
    status,
    clientName: call.clientName,
    exception,
    durationSeconds: Number(process.hrtime.bigint() - call.started) / 1e9,
  });
  const span = call.span;
  if (span === undefined || !span.isRecording()) {
    span?.end();
    return;
  }
  span.setAttributes({
    status: status === null ? 'CLIENT_ERROR' : String(status),
    outcome: status === null ? 'UNKNOWN' : outcomeOf(status),
    exception,
  });
  if (error !== undefined) markFailed(span, error);
  else if (status !== null && status >= 500)
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(status) });
  span.end();
}

/**
 * A subscriber that throws would surface as an uncaught exception (diagnostics_channel rethrows
 * on the next tick): observing must never break the application's request.
 */
function guarded(handler: (message: unknown) => void): (message: unknown) => void {
  return (message) => {
    try {
      handler(message);
    } catch {
      // The call proceeds unobserved.
    }
  };
}

const onCreateGuarded = guarded(onCreate);

const onHeaders = guarded((message) => {
  const { request, response } = message as { request: object; response?: { statusCode?: number } };
  finish(request, response?.statusCode ?? null, undefined);
});

const onError = guarded((message) => {
  const { request, error } = message as { request: object; error: unknown };
  finish(request, null, error ?? new Error('request failed'));
});

const onTrailers = guarded((message) => {
  const { request } = message as { request: object };
  finish(request, null, undefined);
});

/** Handle of {@link instrumentHttpClients}. */
export interface HttpClientInstrumentation {
  /** Stops observing for this observer; the channels are left when none remains. Idempotent. */
  close(): void;
}

/**
 * Observes every undici request of the process (the `@stratus/http` client, the gateway's
 * proxy, `fetch`) through undici's diagnostics channels (`undici:request:create`, `:headers`,
 * `:trailers`, `:error`), as Micrometer observes RestTemplate and WebClient: a CLIENT span
 * `http get` with Spring's tags when the call is made inside a trace, the trace headers of the
 * produce formats written on the request (replacing any the caller copied), and
 * `http.client.requests` timed per host. The span ends and the timer stops at the response
 * headers, as Spring's observation does.
 *
 * @example
 * const instrumentation = instrumentHttpClients({ tracing, metrics });
 * app.onClose(() => instrumentation.close());
 */
export function instrumentHttpClients(observer: HttpClientObserver): HttpClientInstrumentation {
  ensureContextManager();
  observers.push(observer);
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:request:create', onCreateGuarded);
    subscribe('undici:request:headers', onHeaders);
    subscribe('undici:request:trailers', onTrailers);
    subscribe('undici:request:error', onError);
  }
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      const index = observers.indexOf(observer);
      if (index !== -1) observers.splice(index, 1);
      if (observers.length === 0 && subscribed) {
        subscribed = false;
        unsubscribe('undici:request:create', onCreateGuarded);
        unsubscribe('undici:request:headers', onHeaders);
        unsubscribe('undici:request:trailers', onTrailers);
        unsubscribe('undici:request:error', onError);
      }
    },
  };
}
