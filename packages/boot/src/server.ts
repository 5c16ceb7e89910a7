import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  type Logger,
  isStratusError,
  parseDurationMs,
  toProblem,
  PROBLEM_CONTENT_TYPE,
  StratusError,
} from '@stratus/core';
import {
  currentTraceId,
  errorName,
  finishServerSpan,
  injectResponseHeaders,
  runInServerSpan,
  startServerSpan,
  UNTRACED_ROUTE,
  type HttpExchangeRepository,
  type Metrics,
  type ServerSpan,
  type Tracing,
} from '@stratus/observability';
import { NotFoundError } from './errors.js';
import { isActuatorRequest } from './actuator/routes.js';
import {
  applyConnectionLimits,
  closeConnectionsOnClose,
  resolveConnectionLimits,
  type ConnectionLimits,
} from './connection-limits.js';

/** Options of the HTTP server every Stratus app runs. */
export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  /** @default 1 MiB */
  bodyLimitBytes?: number;
  /** Trusts `X-Forwarded-*` from these proxies (fastify's trustProxy). @default false */
  trustProxy?: boolean | string | string[];
  /** Timeouts and connection caps; missing ones take {@link CONNECTION_LIMIT_DEFAULTS}. */
  connection?: Partial<ConnectionLimits>;
  /** Server spans for every request (none when null or disabled). @default null */
  tracing?: Tracing | null;
  /** How requests are traced; see {@link ServerTracingOptions}. */
  tracingOptions?: ServerTracingOptions;
  /** Records exchanges for `/actuator/httpexchanges` (none when null). @default null */
  exchanges?: HttpExchangeRepository | null;
}

/** How the server traces its requests. */
export interface ServerTracingOptions {
  /**
   * Writes the request's trace context back as response headers in the produce formats
   * (`traceparent`, `b3`…), so a caller can find its trace (`stratus.tracing.response-headers`).
   * @default false
   */
  readonly responseHeaders?: boolean;
  /**
   * Traces actuator requests too (`management.observations.http.server.actuator.enabled`);
   * off by default, as in Spring Boot 4, so Prometheus scrapes and probes make no traces.
   * @default false
   */
  readonly actuator?: boolean;
}

/**
 * A handler that serves some requests before fastify builds a request and reply for them (the
 * gateway's proxied paths), installed with {@link interceptRequests}. Such a request still gets
 * its server span, made current while it is served, and its trace headers.
 */
export interface RequestInterceptor {
  /** The route template a request is traced under (fastify's form: `/*` is tagged `/**`). */
  templateOf(request: IncomingMessage): string;
  /** Whether the request is the interceptor's; false leaves it to fastify's routes. */
  accepts(request: IncomingMessage): boolean;
  /** Serves a request it accepted (and records its own metrics). */
  serve(request: IncomingMessage, response: ServerResponse): void;
}

const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * The request's id, as boot's server gives every request: the client's `X-Request-Id` when it
 * is sane (`[\w.-]{1,64}`), else a new UUID. An interceptor sends it back as fastify's routes do.
 */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The interceptor of each server made by {@link createHttpServer}. */
const INTERCEPTORS = new WeakMap<FastifyInstance, RequestInterceptor[]>();

/**
 * Puts `interceptor` before the routes of a server made by {@link createHttpServer}; of several,
 * the first added that accepts a request serves it.
 * @throws Error when `server` was not made by createHttpServer.
 */
export function interceptRequests(server: FastifyInstance, interceptor: RequestInterceptor): void {
  const interceptors = INTERCEPTORS.get(server);
  if (interceptors === undefined)
    throw new Error('interceptRequests needs a server of createHttpServer');
  interceptors.push(interceptor);
}

/** The interceptor that takes `request`, if any. */
function interceptorFor(
  interceptors: readonly RequestInterceptor[],
  request: IncomingMessage,
): RequestInterceptor | null {
  for (const interceptor of interceptors) if (interceptor.accepts(request)) return interceptor;
  return null;
}

/** Per-request observation state, from the first byte to the response. */
interface Observed {
  readonly startedAt: number;
  span?: ServerSpan;
  template?: string | null;
  error?: unknown;
  isUntraced?: boolean;
}

/**
 * Where a request's observation state lives: a symbol-keyed property of the request itself, not
 * a WeakMap, whose ephemeron table grew with every request until a full collection and kept
 * the requests' garbage in old space under load.
 */
const OBSERVED = Symbol('stratus.observed');

function observedOf(raw: IncomingMessage): Observed {
  const holder = raw as IncomingMessage & { [OBSERVED]?: Observed };
  return (holder[OBSERVED] ??= { startedAt: Date.now() });
}

/** Tags of the route templates seen so far: as many as the server has routes. */
const URI_TAGS = new Map<string, string>();

/**
 * Micrometer's `uri` tag: the route template with `{name}` variables (a trailing `*` as
 * Spring's `/**`), else `NOT_FOUND` for a 404, `REDIRECTION` for a 3xx, `UNKNOWN` otherwise.
 */
function uriTagOf(template: string | undefined | null, status: number): string {
  if (template) {
    let tag = URI_TAGS.get(template);
    if (tag === undefined) {
      tag =
        template === '*'
          ? '/**'
          : template.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*$/, '/**');
      URI_TAGS.set(template, tag);
    }
    return tag;
  }
  if (status === 404) return 'NOT_FOUND';
  if (status >= 300 && status < 400) return 'REDIRECTION';
  return 'UNKNOWN';
}

const FASTIFY_CODES: Record<number, { code: string; title: string }> = {
  400: { code: 'BOOT_ERR_BAD_REQUEST', title: 'Bad Request' },
  404: { code: 'BOOT_ERR_NOT_FOUND', title: 'Not Found' },
  405: { code: 'BOOT_ERR_METHOD_NOT_ALLOWED', title: 'Method Not Allowed' },
  413: { code: 'BOOT_ERR_PAYLOAD_TOO_LARGE', title: 'Payload Too Large' },
  415: { code: 'BOOT_ERR_UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported Media Type' },
  431: { code: 'BOOT_ERR_HEADERS_TOO_LARGE', title: 'Request Header Fields Too Large' },
  503: { code: 'BOOT_ERR_UNAVAILABLE', title: 'Service Unavailable' },
};

/**
 * Creates the Fastify server with Stratus's conventions: request ids,
 * `problem+json` for every error (never a stack trace), Micrometer's
 * `http.server.requests` timer tagged with the route template, and the
 * {@link ConnectionLimits} that cut slow and idle clients.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for inconsistent connection limits.
 * @example
 * const server = createHttpServer({ logger, metrics, connection: { headersTimeoutMs: 8_000 } });
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const limits = resolveConnectionLimits(options.connection);
  // Read by Node's constructor only; the other limits are applied below.
  const http = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
  const tracing = options.tracing?.isEnabled ? options.tracing : null;
  const interceptors: RequestInterceptor[] = [];
  const server: FastifyInstance = Fastify({
    http,
    serverFactory: nodeServerFactory(http, interceptors, tracing, options.tracingOptions ?? {}),
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: options.trustProxy ?? false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Errors raised before routing (a malformed escape such as `/x/%zz`): a problem document
    // like every other error, never fastify's default body, which echoes the path.
    frameworkErrors: (_error, _request, reply) => {
      const problem = toProblem(
        new StratusError('BOOT_ERR_BAD_REQUEST', 400, 'Bad Request', {
          message: 'The request URL is not valid',
          retryable: false,
        }),
      );
      void (reply as FastifyReply)
        .code(400)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(problem);
    },
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
    // Strict validation: no silent type coercion or dropped fields, and every problem reported.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });

  INTERCEPTORS.set(server, interceptors);
  applyConnectionLimits(server, limits);
  closeConnectionsOnClose(server);

  // Callback hooks, not async ones: no promise and no extra microtask per request.
  server.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  observeRequests(server, options, tracing);

  server.setNotFoundHandler(async (request) => {
    throw new NotFoundError(`route for ${request.method}`);
  });

  server.setErrorHandler(async (error: FastifyError | StratusError | Error, request, reply) => {
    observedOf(request.raw).error = error;
    let problemSource: unknown = error;
    if (!isStratusError(error)) {
      const status = (error as FastifyError).statusCode;
      if ((error as FastifyError).validation) {
        const fields = ((error as FastifyError).validation ?? []).map((v) => ({
          field: v.instancePath
            ? v.instancePath.slice(1).replaceAll('/', '.')
            : ((v.params as { missingProperty?: string }).missingProperty ?? ''),
          message: v.message ?? 'is invalid',
        }));
        problemSource = new StratusError('BOOT_ERR_VALIDATION', 400, 'Bad Request', {
          message: `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
          details: { errors: fields },
          retryable: false,
        });
      } else if (status !== undefined && status >= 400 && status < 500) {
        const mapped = FASTIFY_CODES[status] ?? {
          code: 'BOOT_ERR_BAD_REQUEST',
          title: 'Bad Request',
        };
        const message = status === 400 ? safeFastifyMessage(error as FastifyError) : mapped.title;
        problemSource = new StratusError(mapped.code, status, mapped.title, {
          message,
          retryable: false,
        });
      } else {
        request.log.error(
          { err: error, method: request.method, url: request.routeOptions.url },
          'unhandled error',
        );
      }
    } else if (error.httpStatus >= 500) {
      request.log.warn({ code: error.code, err: error.cause ?? error }, 'request failed');
    }
    const problem = toProblem(problemSource, currentTraceId() ?? request.id);
    return reply
      .code(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
  });

  return server;
}

/**
 * The Node HTTP server under fastify (its `serverFactory`): a request goes to the interceptor
 * when it accepts it, else to fastify's routes; with tracing on, either runs inside the
 * request's server span, started at its first byte and current for its whole life.
 */
function nodeServerFactory(
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number },
  interceptors: readonly RequestInterceptor[],
  tracing: Tracing | null,
  tracingOptions: ServerTracingOptions,
) {
  return (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
    createServer(http, (request, response) => {
      const interceptor = interceptors.length === 0 ? null : interceptorFor(interceptors, request);
      const span = tracing === null ? null : serverSpanOf(tracing, request);
      if (span === null) {
        if (interceptor === null) handler(request, response);
        else interceptor.serve(request, response);
        return;
      }
      const observed = observedOf(request);
      observed.span = span;
      response.once('close', () => finishSpan(request, response, observed, span));
      if (interceptor === null) {
        runInServerSpan(span, request, response, handler);
        return;
      }
      // What the onRequest hook does for fastify's requests.
      observed.template = interceptor.templateOf(request);
      if (tracingOptions.responseHeaders)
        injectResponseHeaders(span, (name, value) => response.setHeader(name, value));
      runInServerSpan(span, request, response, (req, res) => interceptor.serve(req, res));
    });
}

/** The request's server span; null when it cannot be started (the request is then untraced). */
function serverSpanOf(tracing: Tracing, request: IncomingMessage): ServerSpan | null {
  try {
    return startServerSpan(tracing, request);
  } catch {
    return null;
  }
}

function finishSpan(
  request: IncomingMessage,
  response: ServerResponse,
  observed: Observed,
  span: ServerSpan,
): void {
  // An untraced route's span is never ended, so it is never exported.
  if (observed.isUntraced) return;
  const template = observed.template ?? null;
  finishServerSpan(span, {
    method: request.method ?? 'GET',
    template: template === null ? null : uriTagOf(template, response.statusCode),
    uri: uriTagOf(template, response.statusCode),
    status: response.statusCode,
    url: request.url,
    error: observed.error,
  });
}

/**
 * The observation hooks: the route template and the span's fate once routed, Micrometer's
 * `http.server.requests` and the recorded exchange once answered.
 */
function observeRequests(
  server: FastifyInstance,
  options: HttpServerOptions,
  tracing: Tracing | null,
): void {
  const tracingOptions = options.tracingOptions ?? {};
  server.addHook('onRequest', (request, reply, done) => {
    const observed = observedOf(request.raw);
    observed.template = request.routeOptions.url ?? null;
    if (observed.span === undefined || tracing === null) {
      done();
      return;
    }
    const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
    if (
      config?.[UNTRACED_ROUTE] === true ||
      (!tracingOptions.actuator && isActuatorRequest(request))
    ) {
      observed.isUntraced = true;
    } else if (tracingOptions.responseHeaders) {
      injectResponseHeaders(observed.span, (name, value) => void reply.header(name, value));
    }
    done();
  });
  server.addHook('onResponse', (request, reply, done) => {
    const observed = observedOf(request.raw);
    const status = reply.statusCode;
    const uri = uriTagOf(request.routeOptions.url, status);
    const seconds = reply.elapsedTime / 1000;
    // No route is not an exception of a handler (Spring tags its 404s `none` too).
    const exception =
      observed.error === undefined || request.routeOptions.url === undefined
        ? 'none'
        : errorName(observed.error);
    options.metrics.recordHttpServerRequest({
      method: request.method,
      uri,
      status,
      exception,
      durationSeconds: seconds,
    });
    if (options.exchanges) recordExchange(options.exchanges, request, reply, observed);
    request.log.debug(
      { method: request.method, uri, status, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
    done();
  });
}

function recordExchange(
  exchanges: HttpExchangeRepository,
  request: FastifyRequest,
  reply: FastifyReply,
  observed: Observed,
): void {
  exchanges.record({
    startedAt: observed.startedAt,
    method: request.method,
    uri: `${request.protocol}://${request.host}${request.url}`,
    requestHeaders: request.headers,
    remoteAddress: request.ip,
    status: reply.statusCode,
    responseHeaders: reply.getHeaders(),
    timeTakenMs: reply.elapsedTime,
  });
}

function safeFastifyMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty';
  if (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError)
    return 'The request body is not valid JSON';
  return 'The request is malformed';
}
