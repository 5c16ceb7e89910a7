import { createSilentLogger, type Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import type { CircuitBreakerFactory, ResilienceRegistry } from '@stratus/resilience';
import { resolveClientSettings, type ClientSettings } from './client-settings.js';
import type { NamedComponents } from './components.js';
import {
  checkDefinition,
  type AnyEndpoint,
  type ClientDefinition,
  type TypedClient,
} from './definition.js';
import { HttpErrors } from './errors.js';
import type { RequestInterceptor } from './interceptors.js';
import type { ClientRuntime } from './internal/client-runtime.js';
import { FactoryResources } from './internal/factory-resources.js';
import { viewOf, watch, type PropertyView } from './internal/property-view.js';
import { buildRuntime, resolveNamedParts, type SharedParts } from './internal/runtime-builder.js';
import { typedClientOf } from './internal/typed-client.js';
import type { PropertySource } from './property-source.js';

/** Options of {@link createClientFactory}. */
export interface ClientFactoryOptions {
  /**
   * `spring.cloud.openfeign.*`, `spring.cloud.loadbalancer.retry.*` and, for the breakers this
   * factory makes, `resilience4j.*`: boot's live configuration, or a map. When it has
   * `onChange`, clients re-read their settings after every change. @default {}
   */
  readonly properties?: PropertySource;
  /** Resolves `lb://service`; the same balancer the gateway uses. @default none (`lb://` fails) */
  readonly loadBalancer?: LoadBalancer;
  /** Pass the application's logger; each client logs as `http-client.<name>`. @default silent */
  readonly logger?: Logger;
  /**
   * Breakers, retries and bulkheads by name (boot's shared registry, so the actuator sees them).
   * @default one built from `properties`, owned and closed by the factory
   */
  readonly resilience?: ResilienceRegistry;
  /** Spring Cloud's factory, e.g. with `configureDefault`. @default `createCircuitBreakerFactory(resilience)` */
  readonly circuitBreakerFactory?: CircuitBreakerFactory;
  /** `RequestInterceptor` beans applied to every client, first. @default none */
  readonly interceptors?: readonly RequestInterceptor[];
  /** What `error-decoder`, `request-interceptors` and `retryer` settings name. @default none */
  readonly components?: NamedComponents;
  /** Largest answer body read into memory (after inflating), bytes. @default 16777216 (16 MiB) */
  readonly maxResponseBytes?: number;
  /**
   * @deprecated Ignored: `http_client_requests_seconds` is recorded by the process's HTTP client
   * instrumentation (`instrumentHttpClients`, set up by boot), one owner for every undici call.
   */
  readonly metricsRegistry?: unknown;
}

/** Makes declarative clients: Spring Cloud OpenFeign's `FeignClientFactory`. */
export interface ClientFactory {
  /** The typed client of a definition; its settings are read on its first call. */
  create<Endpoints extends Record<string, AnyEndpoint>>(
    definition: ClientDefinition<Endpoints>,
  ): TypedClient<ClientDefinition<Endpoints>>;
  /** A client's settings now (defaults, then `config.default`, then `config.<name>`). */
  settingsOf(name: string): ClientSettings;
  /** Problems `candidate` properties would cause to the clients made so far (for a refresh validator). */
  validate(candidate: PropertySource): string[];
  /**
   * Re-reads the properties now (done on every `onChange` of the source).
   * @throws StratusError `HTTP_ERR_INVALID_CONFIG`; the previous settings stay in force.
   */
  refresh(): void;
  /** Closes the connection pools once calls in flight are done; idempotent. */
  close(): Promise<void>;
}

interface ClientState {
  readonly definition: ClientDefinition<Record<string, AnyEndpoint>>;
  runtime: ClientRuntime | null;
}

const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Creates the factory of declarative clients: `lb://` through the load balancer with failover,
 * Feign's timeouts, logger levels, error decoder and interceptors from
 * `spring.cloud.openfeign.client.config.<name>.*`, retries for idempotent calls, and Spring Cloud
 * CircuitBreaker with fallbacks. Built on undici: the process's HTTP client instrumentation
 * (`instrumentHttpClients` of `@stratus/observability`, which boot sets up) records
 * `http_client_requests_seconds` and the client spans of every attempt, with the endpoint's
 * path template as `uri`.
 *
 * @example
 * const clients = createClientFactory({ properties: app.config, loadBalancer: app.loadBalancer, logger: app.logger, resilience: app.resilience });
 * const orders = clients.create(OrderServiceClient);
 * const list = await orders.getOrders({ userId });
 */
export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const source = options.properties ?? {};
  const logger = options.logger ?? createSilentLogger();
  const resources = new FactoryResources({
    source,
    logger,
    resilience: options.resilience,
    circuitBreakerFactory: options.circuitBreakerFactory,
  });
  const shared: SharedParts = {
    loadBalancer: options.loadBalancer,
    logger,
    interceptors: options.interceptors ?? [],
    components: options.components ?? {},
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    dispatcherFor: (connectTimeoutMs) => resources.dispatcherFor(connectTimeoutMs),
    circuitBreakers: () => resources.circuitBreakers(),
  };
  // Every client made, even several of one name: a refresh must reach each of them.
  const states = new Set<ClientState>();
  let view: PropertyView = viewOf(source);
  let closed = false;

  const settingsIn = (current: PropertyView, state: ClientState) =>
    resolveClientSettings(current, state.definition.name, state.definition);

  function runtimeOf(state: ClientState): ClientRuntime {
    state.runtime ??= buildRuntime(state.definition, settingsIn(view, state), view, shared);
    return state.runtime;
  }

  /** Every problem `candidate` would cause to the clients made so far; creates nothing. */
  function problemsIn(candidate: PropertyView): string[] {
    const problems: string[] = [];
    for (const state of states) {
      try {
        resolveNamedParts(state.definition, settingsIn(candidate, state), shared);
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    return problems;
  }

  function refresh(): void {
    const next = viewOf(source);
    const problems = problemsIn(next);
    if (problems.length > 0)
      throw HttpErrors.INVALID_CONFIG({ message: problems.join('; '), details: { problems } });
    resources.reconfigure();
    view = next;
    for (const state of states) state.runtime = null;
  }

  const stopWatching = watch(source, () => {
    try {
      refresh();
    } catch (error) {
      logger.warn(
        { err: error },
        'http client settings refresh rejected; keeping the previous ones',
      );
    }
  });

  return {
    create(definition) {
      checkDefinition(definition);
      const state: ClientState = { definition, runtime: null };
      states.add(state);
      return typedClientOf(
        definition,
        () => runtimeOf(state),
        () => closed,
      ) as never;
    },
    settingsOf(name) {
      const state = [...states].find((candidate) => candidate.definition.name === name);
      return state ? runtimeOf(state).settings : resolveClientSettings(view, name);
    },
    validate: (candidate) => problemsIn(viewOf(candidate)),
    refresh,
    async close() {
      if (closed) return;
      closed = true;
      stopWatching();
      await resources.close();
    },
  };
}
