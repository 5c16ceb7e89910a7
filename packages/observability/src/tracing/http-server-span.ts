import type { IncomingMessage } from 'node:http';
import type { ServerResponse } from 'node:http';
import {
  context as contextApi,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { methodTagOf, outcomeOf, pathOf } from '../internal/http-tags.js';
import { errorName, markFailed, type Tracing } from './tracing.js';
import { REMOTE_ADDRESS_ATTRIBUTE, REMOTE_PORT_ATTRIBUTE } from './zipkin-span.js';

/** The server span of one request, kept from its first byte to its response. */
export interface ServerSpan {
  readonly span: Span;
  /** The context the request's handlers run in (the span is current there). */
  readonly context: Context;
  readonly tracing: Tracing;
}

/** What the server knows once it answered. */
export interface ServerOutcome {
  /** The request method as received. */
  method: string;
  /** The route template (`/users/{userId}`), or null when no route matched. */
  template: string | null;
  /** The `uri` tag: the template, `NOT_FOUND`, `REDIRECTION` or `UNKNOWN` (Spring's rules). */
  uri: string;
  status: number;
  /** The request target (its path becomes `http.url`). */
  url: string | undefined;
  /** The error a handler threw, if any. */
  error?: unknown;
}

/**
 * Starts the SERVER span of an incoming request, named and tagged later by
 * {@link finishServerSpan}: its parent comes from the headers in the consume formats (a
 * malformed header starts a new trace), and its remote endpoint is the client's socket.
 */
export function startServerSpan(tracing: Tracing, request: IncomingMessage): ServerSpan {
  const headers = request.headers;
  const parent = tracing.extract((name) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  });
  const method = methodTagOf(request.method);
  const span = tracing.startSpan(`http ${method.toLowerCase()}`, { kind: SpanKind.SERVER, parent });
  // Attributes only for a span that is recorded: most requests are not sampled.
  if (span.isRecording()) {
    const attributes: Attributes = {};
    const address = request.socket?.remoteAddress;
    const port = request.socket?.remotePort;
    if (address !== undefined) attributes[REMOTE_ADDRESS_ATTRIBUTE] = address;
    if (port !== undefined) attributes[REMOTE_PORT_ATTRIBUTE] = port;
    span.setAttributes(attributes);
  }
  return { span, context: tracing.contextWith(span, parent), tracing };
}

/**
 * Runs a server's request handler with the span current for the whole exchange: the handler,
 * its hooks, and the listeners reading a request body — those run in the socket's events, so a
 * request with a body is bound to the context too, as OpenTelemetry's HTTP instrumentation does
 * (binding every request and response costs ~5 % of a proxy's throughput; nothing that needs
 * the context listens on the response).
 */
export function runInServerSpan(
  server: ServerSpan,
  request: IncomingMessage,
  response: ServerResponse,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): void {
  const headers = request.headers;
  if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined)
    contextApi.bind(server.context, request);
  contextApi.with(server.context, handler, undefined, request, response);
}

/** Writes the span's context as response headers in the produce formats (`traceparent`, `b3`). */
export function injectResponseHeaders(
  server: ServerSpan,
  set: (name: string, value: string) => void,
): void {
  server.tracing.inject(set, server.context);
}

/**
 * Names and tags the span as Micrometer's `DefaultServerRequestObservationConvention` does for
 * Spring MVC and WebFlux (`http get /users/{userId}`; `method`, `uri`, `status`, `outcome`,
 * `exception`, `http.url`), marks a 5xx answer failed, and ends it.
 */
export function finishServerSpan(server: ServerSpan, outcome: ServerOutcome): void {
  const { span } = server;
  if (!span.isRecording()) {
    span.end();
    return;
  }
  const method = methodTagOf(outcome.method);
  span.updateName(
    outcome.template === null
      ? `http ${method.toLowerCase()}`
      : `http ${method.toLowerCase()} ${outcome.template}`,
  );
  span.setAttributes({
    method,
    uri: outcome.uri,
    status: String(outcome.status),
    outcome: outcomeOf(outcome.status),
    exception: errorName(outcome.error),
    'http.url': pathOf(outcome.url),
  });
  // A refused request (4xx) keeps its `exception` tag but is not an error of this server.
  if (outcome.status >= 500) {
    if (outcome.error !== undefined && outcome.error !== null) markFailed(span, outcome.error);
    else span.setStatus({ code: SpanStatusCode.ERROR, message: String(outcome.status) });
  }
  span.end();
}
