import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import {
  PROBLEM_CONTENT_TYPE,
  Secret,
  createSilentLogger,
  isStratusError,
  systemClock,
  toProblem,
  type Clock,
  type Logger,
} from '@stratus/core';
import { GATEWAY_DEFAULTS } from './defaults.js';
import { GatewayError } from './errors.js';
import { payloadTooLarge } from './filters/request-size.js';
import { compileRoutes, type CompiledRoute } from './internal/compile.js';
import {
  appendHeader,
  removeSpoofable,
  withoutHopByHop,
  type HeaderRecord,
} from './internal/headers.js';
import { normalizeRequestTarget } from './internal/normalize-path.js';
import type { FactoryContext, GatewayExchange, PredicateContext } from './internal/types.js';
import type { GatewayDefinitions, RouteDefinition } from './route-definition.js';

/** Picks an instance of a service for an `lb://SERVICE-ID` route. */
export interface LoadBalancer {
  /** Returns the instance's base uri (`http://10.0.0.5:8080`), or null when none is available. */
  choose(serviceId: string): { uri: string } | null;
}

/** Options of {@link registerGateway}. */
export interface GatewayOptions {
  /** Routes from {@link parseGatewayDefinitions}. */
  definitions: GatewayDefinitions;
  /** Resolves `lb://` routes; required when any route uses `lb://`. */
  loadBalancer?: LoadBalancer;
  /** HMAC secret of AuthorizationHeaderFilter (Spring `token.secret`); its UTF-8 bytes are the key. */
  tokenSecret?: string | Secret;
  /** Required `iss` of bearer tokens. @default none checked */
  tokenIssuer?: string;
  /** Required `aud` of bearer tokens. @default none checked */
  tokenAudience?: string;
  /** Header carrying the verified JWT subject upstream; null sends none. @default 'X-User-Id' */
  userIdHeader?: string | null;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** Time source of date predicates and token expiry. @default systemClock */
  clock?: Clock;
  /** Upstream TCP connect timeout, ms. @default 5000 */
  connectTimeoutMs?: number;
  /** Time to upstream response headers, and idle time between body chunks, ms (0 = none). @default 30000 */
  responseTimeoutMs?: number;
  /** Largest request body forwarded, bytes; RequestSize overrides it per route. @default 5 MiB */
  maxBodyBytes?: number;
  /**
   * Peers (socket addresses) whose `X-Forwarded-*`/`Forwarded` headers are
   * trusted and appended to. When null, incoming forwarded headers are removed
   * and none are added (Spring after CVE-2025-41235). @default null
   */
  trustedProxies?: RegExp | null;
}

/** Handle returned by {@link registerGateway}. */
export interface Gateway {
  /**
   * Atomically replaces the route table; requests already routed finish on the old one.
   *
   * @throws InvalidRouteDefinitionError `GW_ERR_INVALID_ROUTE` (the old table stays).
   */
  setRoutes(definitions: GatewayDefinitions): void;
  /** The definitions currently served, sorted by order then definition order. */
  routes(): readonly RouteDefinition[];
  /** Closes the upstream connection pools; idempotent. Also runs on the fastify instance's close. */
  close(): Promise<void>;
}

interface Settings {
  readonly loadBalancer: LoadBalancer | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly trustedProxies: RegExp | null;
}

const isNonNegative = (value: number): boolean => Number.isFinite(value) && value >= 0;

function resolveSettings(options: GatewayOptions): { settings: Settings; context: FactoryContext } {
  const problems: string[] = [];
  const connectTimeoutMs = options.connectTimeoutMs ?? GATEWAY_DEFAULTS.connectTimeoutMs;
  const responseTimeoutMs = options.responseTimeoutMs ?? GATEWAY_DEFAULTS.responseTimeoutMs;
  const maxBodyBytes = options.maxBodyBytes ?? GATEWAY_DEFAULTS.maxBodyBytes;
  if (!(Number.isFinite(connectTimeoutMs) && connectTimeoutMs > 0))
    problems.push('connectTimeoutMs must be a positive number');
  if (!isNonNegative(responseTimeoutMs)) problems.push('responseTimeoutMs must be >= 0');
  if (!isNonNegative(maxBodyBytes)) problems.push('maxBodyBytes must be >= 0');
  const trustedProxies = options.trustedProxies ?? null;
  if (trustedProxies !== null && !(trustedProxies instanceof RegExp))
    problems.push('trustedProxies must be a RegExp or null');
  const secret =
    options.tokenSecret instanceof Secret ? options.tokenSecret.reveal() : options.tokenSecret;
  if (secret !== undefined && (typeof secret !== 'string' || secret.length === 0))
    problems.push('tokenSecret must be a non-empty string');
  const userIdHeader =
    options.userIdHeader === undefined ? GATEWAY_DEFAULTS.userIdHeader : options.userIdHeader;
  if (userIdHeader !== null && !/^[A-Za-z0-9-]+$/.test(userIdHeader))
    problems.push('userIdHeader must be a header name or null');
  if (options.loadBalancer !== undefined && typeof options.loadBalancer.choose !== 'function') {
    problems.push('loadBalancer must have a choose(serviceId) function');
  }
  if (problems.length > 0) {
    throw new GatewayError('GW_ERR_INVALID_OPTIONS', {
      message: `Invalid gateway options: ${problems.join('; ')}`,
      details: { problems },
    });
  }
  const logger = (options.logger ?? createSilentLogger()).child({ component: 'gateway' });
  const clock = options.clock ?? systemClock;
  const settings: Settings = Object.freeze({
    loadBalancer: options.loadBalancer,
    logger,
    clock,
    connectTimeoutMs,
    responseTimeoutMs,
    maxBodyBytes,
    trustedProxies,
  });
  const context: FactoryContext = Object.freeze({
    clock,
    logger,
    tokenKey: secret === undefined ? undefined : new TextEncoder().encode(secret),
    tokenIssuer: options.tokenIssuer,
    tokenAudience: options.tokenAudience,
    userIdHeader,
    validateOnly: false,
  });
  return { settings, context };
}

function compileTable(
  definitions: GatewayDefinitions,
  settings: Settings,
  context: FactoryContext,
): readonly CompiledRoute[] {
  const routes = compileRoutes(definitions, context);
  if (settings.loadBalancer === undefined) {
    const lbRoutes = routes.filter((route) => route.target.kind === 'lb').map((route) => route.id);
    if (lbRoutes.length > 0) {
      throw new GatewayError('GW_ERR_INVALID_OPTIONS', {
        message: 'lb:// routes need the loadBalancer option',
        details: {
          problems: [
            `routes ${[...new Set(lbRoutes)].join(', ')} use lb:// but no loadBalancer is set`,
          ],
        },
      });
    }
  }
  return Object.freeze(routes);
}

function parseCookies(header: string | undefined): Map<string, string[]> {
  const cookies = new Map<string, string[]>();
  if (header === undefined) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    const list = cookies.get(name);
    if (list) list.push(value);
    else cookies.set(name, [value]);
  }
  return cookies;
}

function parseContentLength(value: string | undefined): number | null {
  if (value === undefined) return null;
  // Node's parser already refused malformed or conflicting Content-Length values.
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

const stripMappedIpv4 = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

/** spring-wire.md §5.6: append X-Forwarded-* and Forwarded for a request from `peer`. */
function addForwardedHeaders(
  headers: HeaderRecord,
  request: IncomingMessage,
  peer: string,
  originalPath: string,
  forwardedPath: string,
): void {
  const proto = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const host = request.headers.host;
  appendHeaderCsv(headers, 'x-forwarded-for', peer);
  appendHeaderCsv(headers, 'x-forwarded-proto', proto);
  if (host !== undefined) {
    appendHeaderCsv(headers, 'x-forwarded-host', host);
    const port = /:(\d+)$/.exec(host)?.[1] ?? (proto === 'https' ? '443' : '80');
    appendHeaderCsv(headers, 'x-forwarded-port', port);
  }
  if (
    forwardedPath !== originalPath &&
    forwardedPath.length < originalPath.length &&
    originalPath.endsWith(forwardedPath)
  ) {
    const prefix = originalPath.slice(0, originalPath.length - forwardedPath.length);
    if (prefix !== '' && prefix !== '/') appendHeaderCsv(headers, 'x-forwarded-prefix', prefix);
  }
  const peerPort = request.socket.remotePort;
  const forAddress = peer.includes(':') ? `[${peer}]` : peer;
  const parts = [`proto=${proto}`];
  if (host !== undefined) parts.push(`host="${host.replace(/["\\]/g, '')}"`);
  parts.push(`for="${forAddress}${peerPort === undefined ? '' : `:${peerPort}`}"`);
  appendHeaderCsv(headers, 'forwarded', parts.join(';'));
}

function appendHeaderCsv(headers: HeaderRecord, name: string, value: string): void {
  const current = headers[name];
  headers[name] =
    current === undefined
      ? value
      : `${Array.isArray(current) ? current.join(', ') : current}, ${value}`;
}

const UPSTREAM_TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const UPSTREAM_UNAVAILABLE = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  const cause = (error as { cause?: unknown } | null)?.cause;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  return typeof causeCode === 'string' ? causeCode : typeof code === 'string' ? code : undefined;
}

function sendProblem(
  reply: FastifyReply,
  error: GatewayError | ReturnType<typeof toProblem>,
  headers?: Record<string, string>,
): FastifyReply {
  const problem = isStratusError(error) ? toProblem(error) : error;
  reply.code(problem.status);
  if (error instanceof GatewayError) {
    reply.headers(error.headers);
    if (error.closeConnection) reply.header('connection', 'close');
  }
  if (headers) reply.headers(headers);
  // A Buffer keeps fastify from appending a charset to the media type.
  return reply
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(problem)));
}

async function* limitBody(
  source: IncomingMessage,
  limit: number,
  state: { exceeded: boolean },
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      state.exceeded = true;
      throw payloadTooLarge(null, limit);
    }
    yield chunk;
  }
}

/**
 * Registers the gateway on a fastify instance: an encapsulated catch-all route
 * that matches routes in order (first match wins), runs their filters, resolves
 * `lb://` through `loadBalancer` and streams request and response through an
 * undici keep-alive pool. Routes registered elsewhere on the instance (e.g.
 * `/actuator/*`) take precedence. Errors are `application/problem+json`:
 * 404 `GW_ERR_NO_ROUTE`, 400 `GW_ERR_INVALID_PATH`, 401 `GW_ERR_UNAUTHORIZED`,
 * 413 `GW_ERR_PAYLOAD_TOO_LARGE`, 503 `GW_ERR_NO_INSTANCE` /
 * `GW_ERR_UPSTREAM_UNAVAILABLE`, 504 `GW_ERR_UPSTREAM_TIMEOUT`,
 * 502 `GW_ERR_BAD_GATEWAY`. Upstream responses of any status pass through.
 *
 * @throws GatewayError `GW_ERR_INVALID_OPTIONS`; InvalidRouteDefinitionError `GW_ERR_INVALID_ROUTE`.
 * @example
 * const app = fastify();
 * const gateway = registerGateway(app, {
 *   definitions: parseGatewayDefinitions(config.spring.cloud.gateway),
 *   loadBalancer: { choose: (id) => registry.pick(id) },
 *   tokenSecret: config.token.secret,
 * });
 * await app.listen({ port: 8000 });
 */
export function registerGateway(app: FastifyInstance, options: GatewayOptions): Gateway {
  const { settings, context } = resolveSettings(options);
  const log = settings.logger;
  let table = compileTable(options.definitions, settings, context);
  const agents = new Map<number, Agent>();
  let closed = false;

  const agentFor = (connectTimeoutMs: number): Agent => {
    if (closed) throw new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE');
    let agent = agents.get(connectTimeoutMs);
    if (agent === undefined) {
      agent = new Agent({
        connect: { timeout: connectTimeoutMs },
        keepAliveTimeout: GATEWAY_DEFAULTS.keepAliveTimeoutMs,
      });
      agents.set(connectTimeoutMs, agent);
    }
    return agent;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const pools = [...agents.values()];
    agents.clear();
    await Promise.allSettled(pools.map((agent) => agent.close()));
  };

  const resolveOrigin = (route: CompiledRoute): string => {
    if (route.target.kind === 'direct') return route.target.origin;
    const instance = settings.loadBalancer?.choose(route.target.serviceId) ?? null;
    if (instance === null) {
      throw new GatewayError('GW_ERR_NO_INSTANCE', {
        details: { serviceId: route.target.serviceId },
      });
    }
    try {
      const url = new URL(instance.uri);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // handled below
    }
    log.warn(
      { serviceId: route.target.serviceId },
      'load balancer returned an unusable instance uri',
    );
    throw new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE', {
      details: { serviceId: route.target.serviceId },
    });
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const raw = request.raw;
    const method = raw.method ?? 'GET';
    const target = normalizeRequestTarget(raw.url ?? '');
    if (target === null) return sendProblem(reply, new GatewayError('GW_ERR_INVALID_PATH'));

    let queryParams: URLSearchParams | undefined;
    let cookies: Map<string, string[]> | undefined;
    const predicateContext: PredicateContext & { uriVariables: Record<string, string> } = {
      method,
      path: target.path,
      rawQuery: target.query,
      headers: raw.headers,
      nowMs: settings.clock.now(),
      uriVariables: {},
      query: () => (queryParams ??= new URLSearchParams(target.query)),
      cookies: () => (cookies ??= parseCookies(raw.headers.cookie)),
    };
    const routes = table;
    let route: CompiledRoute | undefined;
    for (const candidate of routes) {
      predicateContext.uriVariables = {};
      if (candidate.predicates.every((predicate) => predicate(predicateContext))) {
        route = candidate;
        break;
      }
    }
    if (route === undefined) return sendProblem(reply, new GatewayError('GW_ERR_NO_ROUTE'));

    const requestHeaders = withoutHopByHop(raw.headers);
    // undici refuses Expect; Node already answered 100-continue to the client.
    delete requestHeaders['expect'];
    const peer = stripMappedIpv4(raw.socket.remoteAddress ?? '');
    const isTrustedPeer = settings.trustedProxies !== null && settings.trustedProxies.test(peer);
    if (!isTrustedPeer) removeSpoofable(requestHeaders);
    const contentLength =
      raw.headers['transfer-encoding'] === undefined
        ? parseContentLength(raw.headers['content-length'])
        : null;

    const exchange: GatewayExchange = {
      routeId: route.id,
      method,
      path: target.path,
      query: target.query,
      requestHeaders,
      responseHeaders: {},
      statusCode: 0,
      uriVariables: predicateContext.uriVariables,
      contentLength,
      maxBodyBytes: settings.maxBodyBytes,
      preserveHost: false,
      log,
    };
    const bodyState = { exceeded: false };
    let timedOut = false;
    let responded = false;
    let responseTimer: NodeJS.Timeout | undefined;
    const abort = new AbortController();
    const onClientClose = (): void => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', onClientClose);
    try {
      for (const filter of route.filters) {
        if (filter.pre) {
          const pending = filter.pre(exchange);
          if (pending) await pending;
        }
      }
      if (contentLength !== null && contentLength > exchange.maxBodyBytes) {
        throw payloadTooLarge(contentLength, exchange.maxBodyBytes);
      }
      const origin = resolveOrigin(route);
      let path = exchange.path.startsWith('/') ? exchange.path : `/${exchange.path}`;
      path = path.replace(/^\/{2,}/, '/');
      if (/[\s\x00-\x1f\x7f]/.test(path)) throw new GatewayError('GW_ERR_INVALID_PATH');
      if (settings.trustedProxies !== null)
        addForwardedHeaders(requestHeaders, raw, peer, target.path, path);
      if (!exchange.preserveHost) delete requestHeaders['host'];

      const hasBody =
        contentLength !== null ? contentLength > 0 : raw.headers['transfer-encoding'] !== undefined;
      // With a Content-Length within the limit Node's parser bounds the body, so it can be piped as is.
      const body = !hasBody
        ? null
        : contentLength !== null
          ? raw
          : Readable.from(limitBody(raw, exchange.maxBodyBytes, bodyState), { objectMode: false });
      const timeoutMs = route.responseTimeoutMs ?? settings.responseTimeoutMs;
      if (timeoutMs > 0) {
        // undici's own headersTimeout has ~1 s resolution; this timer is exact. It starts once the
        // request body has been read, so a slow upload is not a slow upstream.
        const arm = (): void => {
          if (abort.signal.aborted || responded) return;
          responseTimer = setTimeout(() => {
            timedOut = true;
            abort.abort();
          }, timeoutMs).unref();
        };
        if (body === null || raw.readableEnded) arm();
        else raw.once('end', arm);
      }
      const upstream = await agentFor(route.connectTimeoutMs ?? settings.connectTimeoutMs).request({
        origin,
        path: exchange.query === '' ? path : `${path}?${exchange.query}`,
        method,
        headers: requestHeaders,
        body,
        signal: abort.signal,
        headersTimeout: 0,
        bodyTimeout: timeoutMs,
      });
      responded = true;
      clearTimeout(responseTimer);
      exchange.statusCode = upstream.statusCode;
      Object.assign(exchange.responseHeaders, withoutHopByHop(upstream.headers));
      for (let i = route.filters.length - 1; i >= 0; i--) route.filters[i]?.post?.(exchange);
      reply.code(upstream.statusCode).headers(exchange.responseHeaders);
      if (method === 'HEAD' || upstream.statusCode === 204 || upstream.statusCode === 304) {
        await upstream.body.dump();
        return reply.send();
      }
      return reply.send(upstream.body);
    } catch (error) {
      clearTimeout(responseTimer);
      const failure = timedOut
        ? new GatewayError('GW_ERR_UPSTREAM_TIMEOUT')
        : toGatewayError(error, bodyState.exceeded, exchange.maxBodyBytes);
      if (abort.signal.aborted && !timedOut) {
        log.debug({ routeId: route.id }, 'client went away before the upstream answered');
        // Nobody is left to answer: take the response over and make sure the socket is gone.
        reply.hijack();
        if (!reply.raw.destroyed) reply.raw.destroy();
        return reply;
      }
      if (failure.httpStatus >= 500) {
        log.warn(
          { routeId: route.id, code: failure.code, cause: errorCode(error) },
          'upstream request failed',
        );
      } else {
        log.debug({ routeId: route.id, code: failure.code }, 'request refused');
      }
      return sendProblem(reply, failure);
    } finally {
      reply.raw.off('close', onClientClose);
    }
  };

  app.register(async (instance) => {
    // The gateway streams bodies: no parser may read them.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null));
    instance.all('/*', handle);
    instance.addHook('onClose', close);
  });

  return {
    setRoutes(definitions) {
      table = compileTable(definitions, settings, context);
      log.info({ routes: table.length }, 'gateway routes replaced');
    },
    routes: () => table.map((route) => route.definition),
    close,
  };
}

function toGatewayError(error: unknown, bodyExceeded: boolean, limit: number): GatewayError {
  if (error instanceof GatewayError) return error;
  if (bodyExceeded) return payloadTooLarge(null, limit);
  if (isStratusError(error)) return new GatewayError('GW_ERR_BAD_GATEWAY');
  const code = errorCode(error);
  if (code !== undefined && UPSTREAM_TIMEOUT.has(code))
    return new GatewayError('GW_ERR_UPSTREAM_TIMEOUT');
  if (code !== undefined && UPSTREAM_UNAVAILABLE.has(code))
    return new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE');
  return new GatewayError('GW_ERR_BAD_GATEWAY');
}
