import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import {
  createCircuitBreakerFactory,
  createResilienceRegistry,
  type ResilienceRegistry,
} from '@stratus/resilience';
import { GatewayErrors } from './errors.js';
import type { GatewayFilterFactory, GlobalFilter, RoutePredicateFactory } from './filter-api.js';
import { createAgents } from './internal/agents.js';
import { FILTER_FACTORIES, PREDICATE_FACTORIES } from './internal/built-in-factories.js';
import { placeFilter } from './internal/compile.js';
import { limitConnectionsPerClient } from './internal/connection-limit.js';
import { createForwarder } from './internal/forward.js';
import { GatewayRuntime, settingsFrom } from './internal/gateway-runtime.js';
import { installFastPath } from './internal/fast-path.js';
import { createRequestHandler } from './internal/handler.js';
import { createInternalForwards } from './internal/internal-forward.js';
import { createObserver } from './internal/observer.js';
import type { GatewayTracing, MetricRegistry } from './observability.js';
import { createMemoryRateLimiter } from './internal/rate-limit/memory-backend.js';
import { BUILT_IN_KEY_RESOLVERS, type KeyResolver } from './key-resolvers.js';
import { createRedisRateLimiter } from './internal/rate-limit/redis-backend.js';
import type { StaticServices } from './internal/services.js';
import { adaptFilterFactory, adaptPredicateFactory } from './internal/typed-factories.js';
import type { FilterFactory, PredicateFactory } from './internal/types.js';
import { createUpstreamCall } from './internal/upstream-call.js';
import { attachWebSocketProxy } from './internal/websocket.js';
import type { GatewayDefinitions, RouteDefinition } from './route-definition.js';
import type { GatewaySettings, GatewaySettingsInput } from './settings.js';

export type { LoadBalancer } from '@stratus/discovery';

/** What the fast path puts before fastify (structurally boot's `RequestInterceptor`). */
export interface FastPathInterceptor {
  templateOf(raw: IncomingMessage): string;
  accepts(raw: IncomingMessage): boolean;
  serve(raw: IncomingMessage, res: ServerResponse): void;
}

/**
 * Serving gateway requests before fastify ({@link GatewayOptions.fastPath}): what the
 * application's own hooks would have done for them.
 */
export interface GatewayFastPath {
  /**
   * The request id header: a client's value is kept when sane (`[\w.-]{1,64}`), otherwise a
   * UUID is made; either way it is sent back.
   */
  readonly requestIdHeader: string;
  /** Called once such a request is over (Micrometer's `http.server.requests`). @default none */
  readonly onServed?: (sample: {
    readonly method: string;
    readonly status: number;
    readonly durationSeconds: number;
  }) => void;
  /**
   * Puts the fast path before fastify's routes, e.g. boot's `interceptRequests`, which traces
   * its requests. @default replace fastify's own `request` listener (when it is the server's)
   */
  readonly install?: (interceptor: FastPathInterceptor) => void;
}

/** Options of {@link registerGateway}. */
export interface GatewayOptions {
  /** Routes and default filters, from {@link parseGatewayDefinitions} or the route builder. @default none */
  readonly definitions?: GatewayDefinitions;
  /** Settings, from `bindGatewaySettings` (configuration) or written in code. @default GATEWAY_DEFAULTS */
  readonly settings?: GatewaySettingsInput | GatewaySettings;
  /**
   * Resolves `lb://` routes; required when any route uses `lb://`. A refused or reset
   * connection or a 502/503 from an instance is reported with `markFailed`, any other answer
   * with `markSucceeded`.
   */
  readonly loadBalancer?: LoadBalancer;
  /** @default createSilentLogger() */
  readonly logger?: Logger;
  /** Time of date predicates, token expiry, rate limits and log throttling. @default systemClock */
  readonly clock?: Clock;
  /** Your own filter factories, by name (a built-in's name replaces it). @default [] */
  readonly filterFactories?: readonly GatewayFilterFactory[];
  /** Your own predicate factories, by name. @default [] */
  readonly predicateFactories?: readonly RoutePredicateFactory[];
  /** Filters applied to every route, placed by their `order`. @default [] */
  readonly globalFilters?: readonly GlobalFilter[];
  /** Key resolvers for `RequestRateLimiter`, by bean name (`#{@userKeyResolver}`). @default the built-ins */
  readonly keyResolvers?: Readonly<Record<string, KeyResolver>>;
  /** Circuit breakers and time limiters of the CircuitBreaker filter. @default Resilience4j's defaults */
  readonly resilience?: ResilienceRegistry;
  /** Where `spring_cloud_gateway_requests_seconds` is registered (a prom-client Registry). @default none */
  readonly metricsRegistry?: MetricRegistry;
  /** The tracing seam: starts the gateway's span and names the headers to propagate. @default none */
  readonly tracing?: GatewayTracing;
  /** Uniform numbers in [0, 1) for Weight and jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * Serve routed requests straight from the Node server's `request` event, before fastify
   * builds a request and reply for them (fastify's router still decides which paths are the
   * gateway's, and other routes stay fastify's); what the application's hooks would do for
   * those requests (request id, server metrics) is given here. Without its `install`, only taken
   * when fastify's own handler is the server's listener. @default none: every request goes
   * through fastify
   */
  readonly fastPath?: GatewayFastPath;
}

/** A change of routes and settings applied at once by {@link Gateway.reconfigure}. */
export interface GatewayUpdate {
  readonly definitions?: GatewayDefinitions;
  readonly settings?: GatewaySettingsInput | GatewaySettings;
}

/** Handle returned by {@link registerGateway}. */
export interface Gateway {
  /**
   * Atomically replaces the configured routes; requests already routed finish on the old ones.
   *
   * @throws StratusError `GW_ERR_INVALID_ROUTE` listing every problem (the old table stays).
   */
  setRoutes(definitions: GatewayDefinitions): void;
  /**
   * Replaces routes and settings together (a configuration refresh).
   *
   * @throws StratusError `GW_ERR_INVALID_ROUTE` / `GW_ERR_INVALID_OPTIONS` (nothing changes).
   */
  reconfigure(update: GatewayUpdate): void;
  /** The problems `reconfigure` would report, without applying anything. */
  validate(update: GatewayUpdate): string[];
  /** Saves a route to apply on the next {@link Gateway.refresh} (the actuator's `POST /routes/{id}`). */
  saveRoute(definition: RouteDefinition): void;
  /** Removes a saved route on the next refresh; false when no saved route has that id. */
  deleteRoute(id: string): boolean;
  /** Recompiles configured plus saved routes (the actuator's `POST /refresh`). */
  refresh(): void;
  /** The definitions served, sorted by order then definition order. */
  routes(): readonly RouteDefinition[];
  /** Problems of the routes served (misconfigured routes refuse their requests). */
  problems(): readonly string[];
  /** The settings in force. */
  settings(): GatewaySettings;
  /** Global filters with their order. */
  globalFilters(): readonly { readonly name: string; readonly order: number }[];
  /** Names of the filter and predicate factories routes may use. */
  factoryNames(): { readonly filters: readonly string[]; readonly predicates: readonly string[] };
  /** Closes the upstream pools and the Redis connection; idempotent. Also runs on the fastify instance's close. */
  close(): Promise<void>;
}

function factoryTables(options: GatewayOptions) {
  const filters = new Map<string, FilterFactory>(FILTER_FACTORIES);
  for (const factory of options.filterFactories ?? [])
    filters.set(factory.name, adaptFilterFactory(factory));
  const predicates = new Map<string, PredicateFactory>(PREDICATE_FACTORIES);
  for (const factory of options.predicateFactories ?? [])
    predicates.set(factory.name, adaptPredicateFactory(factory));
  return { filters, predicates };
}

function staticServices(
  app: FastifyInstance,
  options: GatewayOptions,
  settings: GatewaySettings,
  logger: Logger,
  clock: Clock,
) {
  const internalForwards = createInternalForwards(app);
  const ownsResilience = options.resilience === undefined;
  const resilience = options.resilience ?? createResilienceRegistry({ clock, logger });
  const services: StaticServices = {
    rateLimiter:
      settings.redis === null
        ? createMemoryRateLimiter(clock)
        : createRedisRateLimiter(settings.redis, logger, clock),
    keyResolvers: new Map([
      ...BUILT_IN_KEY_RESOLVERS,
      ...Object.entries(options.keyResolvers ?? {}),
    ]),
    circuitBreakers: createCircuitBreakerFactory(resilience),
    forwardLocally: (exchange, path, cause) => internalForwards.forward(exchange, path, cause),
    random: options.random ?? Math.random,
  };
  const closeOwned = (): Promise<void> => (ownsResilience ? resilience.close() : Promise.resolve());
  return { services, internalForwards, closeOwned };
}

/** The fastify route of the gateway: requests the fast path did not take (or all, without it). */
function catchAllRoute(serve: ReturnType<typeof createRequestHandler>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // The gateway writes the raw response itself; fastify's onResponse hooks still run.
    const extraHeaders = reply.getHeaders() as OutgoingHttpHeaders;
    reply.hijack();
    serve(request.raw, reply.raw, { requestId: request.id, extraHeaders, onServed: null });
    return reply;
  };
}

/** Wires the request path (pools, forwarder, handler, WebSocket proxy) onto `app`; returns close. */
function mountGateway(
  app: FastifyInstance,
  runtime: GatewayRuntime,
  parts: ReturnType<typeof staticServices>,
  options: GatewayOptions,
  logger: Logger,
  clock: Clock,
): () => Promise<void> {
  const state = () => runtime.state;
  const agents = createAgents(() => runtime.state.settings);
  const forward = createForwarder({
    loadBalancer: options.loadBalancer,
    agentFor: agents.agentFor,
    logger,
    noInstance: (serviceId) =>
      state().settings.use404
        ? GatewayErrors.NO_ROUTE({ details: { serviceId } })
        : GatewayErrors.NO_INSTANCE({ details: { serviceId } }),
  });
  const serve = createRequestHandler({
    state,
    clock,
    logger,
    terminal: createUpstreamCall({
      settings: () => state().settings,
      forward,
      forwardLocally: parts.services.forwardLocally,
    }),
    internalForwards: parts.internalForwards,
    observer: createObserver({
      logger,
      metricsRegistry: options.metricsRegistry,
      tracing: options.tracing,
      accessLog: () => state().settings.accessLog,
    }),
  });
  const removeLimit = limitConnectionsPerClient(app.server, {
    maxPerClient: () => state().settings.maxConnectionsPerClient,
    isExempt: (peer) => state().settings.trustedProxies?.test(peer) ?? false,
    logger,
    clock,
  });
  const webSockets = attachWebSocketProxy(app.server, {
    state,
    clock,
    logger,
    loadBalancer: options.loadBalancer,
  });
  let isClosing = false;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    isClosing = true;
    removeLimit();
    webSockets.detach();
    webSockets.closeTunnels();
    await Promise.allSettled([
      agents.close(),
      parts.services.rateLimiter.close(),
      parts.closeOwned(),
    ]);
  };
  if (options.fastPath !== undefined)
    installFastPath(app, serve, options.fastPath, () => isClosing);
  app.register(async (instance) => {
    // The gateway streams bodies: no parser may read them.
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, done) => done(null));
    instance.all('/*', catchAllRoute(serve));
    instance.addHook('preClose', async () => {
      isClosing = true;
      webSockets.closeTunnels();
    });
    instance.addHook('onClose', close);
  });
  return close;
}

/**
 * Registers Spring Cloud Gateway on a fastify instance: an encapsulated catch-all route that
 * normalises the request, matches routes in order (first match wins), runs global, default and
 * route filters, sends the request through an undici keep-alive pool (`lb://` resolved through
 * `loadBalancer`, with failover to another instance when that is safe) and streams the answer
 * back; WebSocket upgrades are proxied too. Routes registered elsewhere on the instance (e.g.
 * `/actuator/*`) take precedence. Errors are `application/problem+json` (see `GatewayErrors`).
 * A route that fails to compile is logged and refuses its requests with 503; the others serve.
 *
 * @throws StratusError `GW_ERR_INVALID_OPTIONS` for invalid settings, or `lb://` routes without a load balancer.
 * @example
 * const app = fastify();
 * const gateway = registerGateway(app, {
 *   definitions: parseGatewayDefinitions(yaml.spring.cloud.gateway),
 *   loadBalancer: createRoundRobinLoadBalancer(eurekaClient),
 *   settings: { jwt: { key: { secret: tokenSecret } } },
 * });
 * await app.listen({ port: 8000 });
 */
export function registerGateway(app: FastifyInstance, options: GatewayOptions): Gateway {
  const settings = settingsFrom(options.settings);
  const logger = (options.logger ?? createSilentLogger()).child({ component: 'gateway' });
  const clock = options.clock ?? systemClock;
  const factories = factoryTables(options);
  const globalFilters = (options.globalFilters ?? []).map((f) => placeFilter(f, f.name, f.order));
  const parts = staticServices(app, options, settings, logger, clock);
  let runtime: GatewayRuntime;
  try {
    runtime = new GatewayRuntime(options.definitions, settings, {
      filterFactories: factories.filters,
      predicateFactories: factories.predicates,
      globalFilters,
      services: parts.services,
      loadBalancer: options.loadBalancer,
      clock,
      logger,
    });
  } catch (error) {
    void parts.services.rateLimiter.close();
    throw error;
  }
  const close = mountGateway(app, runtime, parts, options, logger, clock);
  return {
    setRoutes: (definitions) => runtime.apply(definitions, undefined),
    reconfigure: (update) => runtime.apply(update.definitions, update.settings),
    validate: (update) => runtime.validate(update.definitions, update.settings),
    saveRoute: (definition) => runtime.repository.save(definition),
    deleteRoute: (id) => runtime.repository.delete(id),
    refresh: () => runtime.apply(undefined, undefined),
    routes: () => runtime.state.table.routes.map((route) => route.definition),
    problems: () => runtime.state.table.problems,
    settings: () => runtime.state.settings,
    globalFilters: () => globalFilters.map((f) => ({ name: f.name, order: f.order })),
    factoryNames: () => ({
      filters: [...factories.filters.keys()].sort(),
      predicates: [...factories.predicates.keys()].sort(),
    }),
    close,
  };
}
