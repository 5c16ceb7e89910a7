import { isStratusError, type Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import {
  createClientFactory,
  createHttpClient,
  restTemplateTimeouts,
  type AnyEndpoint,
  type ClientDefinition,
  type HttpClient,
  type TypedClient,
} from '@stratus/http';
import type { CircuitBreakerFactory, ResilienceRegistry } from '@stratus/resilience';
import { invalidConfiguration } from './errors.js';
import type { LiveConfig } from './live-config.js';

/** What the HTTP clients need from their application. */
export interface HttpClientsSetupContext {
  config: LiveConfig;
  /** Resolves `lb://`; follows discovery once it starts. */
  loadBalancer: LoadBalancer;
  /** Budget of a whole `app.http` call (`stratus.http.timeout-ms`), ms. */
  timeoutMs: number;
  /** The application's registry: the clients' breakers show in its actuator and meters. */
  resilience: ResilienceRegistry;
  /** The application's Spring Cloud CircuitBreaker (a `configureDefault` on it applies to clients). */
  circuitBreakerFactory: CircuitBreakerFactory;
  logger: Logger;
}

/** The HTTP clients of one application. */
export interface HttpClientsSetup {
  /** RestTemplate: `lb://` or plain URLs, JSON in and out. */
  readonly http: HttpClient;
  /** The declarative client of `definition`, from the application's client factory. */
  feignClient<Endpoints extends Record<string, AnyEndpoint>>(
    definition: ClientDefinition<Endpoints>,
  ): TypedClient<ClientDefinition<Endpoints>>;
  /** Closes every connection pool once the calls in flight are done. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wires the application's HTTP clients as Spring Cloud wires a `@LoadBalanced RestTemplate` and
 * OpenFeign: `http` with `spring.http.client.connect-timeout` / `read-timeout` (or the course's
 * `restTemplate.connectTimeOut` / `readTimeOut`), and declarative clients reading
 * `spring.cloud.openfeign.*` live, their breakers in the application's resilience registry. A
 * refresh that would break a client made so far, or those timeouts, is rejected before it applies.
 * Both are observed by the application's HTTP client instrumentation (`http_client_requests_seconds`).
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when the RestTemplate timeouts do not bind.
 * @example
 * const clients = setupHttpClients({ config, loadBalancer, timeoutMs: 5000, resilience, circuitBreakerFactory, logger });
 * const orders = clients.feignClient(OrderServiceClient);
 */
export function setupHttpClients(context: HttpClientsSetupContext): HttpClientsSetup {
  const { config, loadBalancer } = context;
  const timeouts = bound(() => restTemplateTimeouts(config));
  const http = createHttpClient({
    loadBalancer,
    timeoutMs: context.timeoutMs,
    ...timeouts,
    logger: context.logger.child({ component: 'http-client' }),
  });
  const clients = createClientFactory({
    properties: config,
    loadBalancer,
    logger: context.logger,
    resilience: context.resilience,
    circuitBreakerFactory: context.circuitBreakerFactory,
  });
  config.addValidator((candidate) => [
    ...problemsOf(() => restTemplateTimeouts(candidate)),
    ...clients.validate(candidate),
  ]);
  let closing: Promise<void> | null = null;
  return {
    http,
    feignClient: (definition) => clients.create(definition),
    close() {
      closing ??= Promise.all([http.close(), clients.close()]).then(() => undefined);
      return closing;
    },
  };
}

function bound<T>(bind: () => T): T {
  try {
    return bind();
  } catch (error) {
    if (isStratusError(error)) throw invalidConfiguration([error.message]);
    throw error;
  }
}

function problemsOf(bind: () => unknown): string[] {
  try {
    bind();
    return [];
  } catch (error) {
    if (isStratusError(error)) return [error.message];
    throw error;
  }
}
