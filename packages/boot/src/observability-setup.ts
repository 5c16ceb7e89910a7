import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { getList } from '@stratus/config';
import { StratusError, type Logger } from '@stratus/core';
import {
  bindTraceIdsToLogs,
  clearGlobalObservability,
  createHttpExchangeRepository,
  createMetrics,
  createTracing,
  distributionFromConfig,
  httpExchangesBody,
  httpTraceBody,
  instrumentHttpClients,
  instrumentTransport,
  traceOutbox,
  parseExchangeIncludes,
  parsePropagationTypes,
  PROPAGATION_DEFAULTS,
  setGlobalObservability,
  createSpanStore,
  spanStoreSender,
  zipkinApiPlugin,
  EXCHANGE_INCLUDE_DEFAULTS,
  type ExchangeInclude,
  type HttpExchangeRepository,
  type InstrumentableTransport,
  type TraceableOutbox,
  type Metrics,
  type PropagationType,
  type SpanExport,
  type SpanStore,
  type Tracing,
} from '@stratus/observability';
import type { Actuator } from './actuator/routes.js';
import { readEndpointExposure } from './actuator/exposure.js';
import { sendActuatorJson } from './actuator/response.js';
import type { LiveConfig } from './live-config.js';
import {
  bindObservabilitySettings,
  observabilitySettingsProblems,
  type ObservabilitySettings,
} from './observability-settings.js';
import type { ServerTracingOptions } from './server.js';

/** What `createApplication` gets from {@link setupObservability}. */
export interface ObservabilitySetup {
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  /** The exchange repository when `httpexchanges` (or Boot 2's `httptrace`) is exposed. */
  readonly exchanges: HttpExchangeRepository | null;
  /** The span store this process serves (`stratus.tracing.span-store.enabled`), else null. */
  readonly spanStore: SpanStore | null;
  /** Spread into `createHttpServer`'s options. */
  readonly serverOptions: {
    readonly tracing: Tracing;
    readonly tracingOptions: ServerTracingOptions;
    readonly exchanges: HttpExchangeRepository | null;
  };
  /**
   * Adds `httpexchanges`/`httptrace` to the actuator, mounts the Zipkin API of the span store
   * (when this process keeps one) and notes the port the server listens on.
   */
  attach(server: FastifyInstance, actuator: Actuator): void;
  /** The transport with producer/consumer spans and Spring Kafka's timers. */
  instrumentTransport<T extends InstrumentableTransport>(transport: T): T;
  /** The outbox keeping each row's trace context, so the relay publishes in it. */
  traceOutbox<O extends TraceableOutbox>(outbox: O): O;
  /** Exports the spans still queued and stops observing. Idempotent. */
  close(): Promise<void>;
}

/** Inputs of {@link setupObservability}. */
export interface ObservabilitySetupOptions {
  config: LiveConfig;
  /** `spring.application.name`. */
  name: string;
  logger: Logger;
  /**
   * `messaging.system` of the transport. @default `stratus.messaging.transport`
   * (`kafka`, `rabbitmq`; `stratus` for the embedded log)
   */
  messagingSystem?: string;
}

/** The first non-internal IPv4 address: Brave's default `localEndpoint.ipv4`. */
function siteLocalIpv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

function propagationOf(
  config: LiveConfig,
  problems: string[],
): { produce: PropagationType[]; consume: PropagationType[] } {
  const read = (key: string, fallback: readonly PropagationType[]): PropagationType[] => {
    const items = getList(config.environment, key);
    if (items.length === 0) return [...fallback];
    const parsed = parsePropagationTypes(items, key);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      return [...fallback];
    }
    return parsed;
  };
  // Spring Boot: `type` sets both directions and wins over `produce`/`consume`.
  const both = getList(config.environment, 'management.tracing.propagation.type');
  if (both.length > 0) {
    const types = read('management.tracing.propagation.type', PROPAGATION_DEFAULTS.produce);
    return { produce: types, consume: types };
  }
  return {
    produce: read('management.tracing.propagation.produce', PROPAGATION_DEFAULTS.produce),
    consume: read('management.tracing.propagation.consume', PROPAGATION_DEFAULTS.consume),
  };
}

/**
 * Where spans go: `management.zipkin.tracing.endpoint` when set; else, with Eureka discovery,
 * the registry's embedded span store (`<registry>/api/v2/spans`, the "no Zipkin configured"
 * default; `stratus.tracing.embedded.enabled=false` turns it off); else nowhere.
 */
function exportOf(
  config: LiveConfig,
  settings: ObservabilitySettings,
  store: SpanStore | null,
): SpanExport | null {
  const { zipkin } = settings;
  if (!zipkin.exportEnabled) return null;
  const { connectTimeoutMs, readTimeoutMs } = zipkin;
  if (zipkin.endpoint !== undefined)
    return { endpoint: zipkin.endpoint, connectTimeoutMs, readTimeoutMs };
  // The process holding the store keeps its own spans there, not over HTTP to itself.
  if (store !== null) return { sender: spanStoreSender(store), target: 'span store' };
  const endpoint = embeddedEndpointOf(config, settings);
  return endpoint === undefined ? null : { endpoint, connectTimeoutMs, readTimeoutMs };
}

function embeddedEndpointOf(
  config: LiveConfig,
  settings: ObservabilitySettings,
): string | undefined {
  if (!settings.stratusTracing.embedded || !settings.eurekaEnabled) return undefined;
  const mode = config.getString('stratus.discovery.mode')?.trim().toLowerCase();
  if (mode !== undefined && mode !== '' && mode !== 'eureka') return undefined;
  try {
    return new URL('/api/v2/spans', settings.serviceUrls[0] ?? 'http://localhost:8761/eureka/')
      .href;
  } catch {
    return undefined;
  }
}

/** `management.httpexchanges.recording.include` (or Boot 2's `management.trace.http.include`). */
function exchangeIncludesOf(config: LiveConfig, problems: string[]): readonly ExchangeInclude[] {
  for (const key of [
    'management.httpexchanges.recording.include',
    'management.trace.http.include',
  ]) {
    const items = getList(config.environment, key);
    if (items.length === 0) continue;
    const parsed = parseExchangeIncludes(items, key);
    if (!('problem' in parsed)) return parsed;
    problems.push(parsed.problem);
    break;
  }
  return EXCHANGE_INCLUDE_DEFAULTS;
}

function exchangesOf(
  config: LiveConfig,
  settings: ObservabilitySettings,
  include: readonly ExchangeInclude[],
): HttpExchangeRepository | null {
  const { exposure } = readEndpointExposure(config.environment);
  if (!exposure.isAvailable('httpexchanges') && !exposure.isAvailable('httptrace')) return null;
  if (!settings.exchangesRecording || !settings.legacyTraceHttp) return null;
  return createHttpExchangeRepository({ capacity: settings.exchangesCapacity, include });
}

function tracingOf(
  options: ObservabilitySetupOptions,
  settings: ObservabilitySettings,
  propagation: { produce: PropagationType[]; consume: PropagationType[] },
  store: SpanStore | null,
): Tracing {
  const { config, name, logger } = options;
  return createTracing({
    serviceName: name,
    enabled: settings.tracing.enabled,
    samplingProbability: settings.tracing.probability,
    propagation,
    export: exportOf(config, settings, store),
    localIpv4: settings.ipAddress ?? siteLocalIpv4() ?? '127.0.0.1',
    logger: logger.child({ component: 'tracing' }),
  });
}

/**
 * Observability from Spring Boot's properties: Micrometer-named metrics tagged
 * `application` (and `management.metrics.tags.*`) with `management.metrics.distribution.*`;
 * tracing per `management.tracing.*` exported to `management.zipkin.tracing.endpoint` (or the
 * registry's span store); a span store with Zipkin's API when `stratus.tracing.span-store.enabled`
 * (the registry's embedded default); trace ids on every log line; every undici call observed;
 * `/actuator/httpexchanges` per `management.httpexchanges.recording.*`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every bad value.
 * @example
 * const observability = setupObservability({ config, name, logger });
 * const server = createHttpServer({ logger, metrics: observability.metrics, ...observability.serverOptions });
 */
export function setupObservability(options: ObservabilitySetupOptions): ObservabilitySetup {
  const { config, name, logger } = options;
  const problems = observabilitySettingsProblems(config.environment);
  const distribution = distributionFromConfig((key) => config.get(key));
  for (const meter of ['http.server.requests', 'http.client.requests'])
    for (const problem of distribution.problems(meter))
      if (!problems.includes(problem)) problems.push(problem);
  const propagation = propagationOf(config, problems);
  const include = exchangeIncludesOf(config, problems);
  if (problems.length > 0) {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      message: `Invalid observability settings: ${problems.join('; ')}`,
      details: { problems },
      retryable: false,
    });
  }
  const settings = bindObservabilitySettings(config.environment);
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.getObject('management.metrics.tags') ?? {}))
    if (typeof value === 'string' || typeof value === 'number') tags[key] = String(value);
  const metrics = createMetrics({ application: name, tags, distribution: distribution.resolve });
  const { spanStore: storeEnabled, maxSpans, responseHeaders } = settings.stratusTracing;
  const spanStore = storeEnabled ? createSpanStore({ maxSpans }) : null;
  const tracing = tracingOf(options, settings, propagation, spanStore);
  const exchanges = exchangesOf(config, settings, include);
  bindTraceIdsToLogs(logger);
  const global = { tracing, metrics };
  setGlobalObservability(global);
  const clients = instrumentHttpClients(global);
  const transport = settings.messagingTransport.toLowerCase();
  const system = options.messagingSystem ?? (transport === 'embedded' ? 'stratus' : transport);
  let closing: Promise<void> | null = null;
  return {
    metrics,
    tracing,
    exchanges,
    spanStore,
    serverOptions: {
      tracing,
      exchanges,
      tracingOptions: { responseHeaders, actuator: settings.observeActuator },
    },
    attach(server, actuator) {
      server.server.once('listening', () => {
        const address = server.server.address();
        if (typeof address === 'object' && address !== null) tracing.setLocalPort(address.port);
      });
      if (spanStore !== null) void server.register(zipkinApiPlugin, { store: spanStore });
      if (exchanges === null) return;
      actuator.addEndpoint({
        id: 'httpexchanges',
        operations: [
          {
            method: 'GET',
            handler: async (request, reply) =>
              sendActuatorJson(request, reply, httpExchangesBody(exchanges)),
          },
        ],
      });
      actuator.addEndpoint({
        id: 'httptrace',
        operations: [
          {
            method: 'GET',
            handler: async (request, reply) =>
              sendActuatorJson(request, reply, httpTraceBody(exchanges)),
          },
        ],
      });
    },
    instrumentTransport: (transport) =>
      instrumentTransport(transport, { tracing, metrics, system }),
    traceOutbox: (outbox) => traceOutbox(outbox, { tracing }),
    close() {
      closing ??= (async () => {
        clients.close();
        clearGlobalObservability(global);
        await tracing.close();
      })();
      return closing;
    },
  };
}
