import type { FastifyReply } from 'fastify';
import type { Clock, Logger } from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import type { Metrics } from '@stratus/observability';
import {
  bindResilienceMetrics,
  bulkheadEventsEndpoint,
  bulkheadsEndpoint,
  circuitBreakerEventsEndpoint,
  circuitBreakersEndpoint,
  circuitBreakersHealth,
  createCircuitBreakerFactory,
  createResilienceRegistry,
  InvalidResilienceConfigError,
  rateLimiterEventsEndpoint,
  rateLimitersEndpoint,
  retriesEndpoint,
  retryEventsEndpoint,
  timeLimiterEventsEndpoint,
  timeLimitersEndpoint,
  updateCircuitBreakerState,
  type CircuitBreakerFactory,
  type EventFilter,
  type ResilienceRegistry,
} from '@stratus/resilience';
import type { Actuator, ActuatorEndpoint, ActuatorRequest } from './actuator/routes.js';
import { sendActuatorJson } from './actuator/response.js';
import { BootErrors, invalidConfiguration } from './errors.js';
import type { HealthRegistry, HealthStatus } from './health.js';
import type { LiveConfig } from './live-config.js';

/** What the resilience wiring needs from its application. */
export interface ResilienceSetupContext {
  config: LiveConfig;
  actuator: Actuator;
  health: HealthRegistry;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
}

/** The resilience of one application. */
export interface ResilienceSetup {
  /** Resilience4j's registries in one, from `resilience4j.*`. */
  readonly registry: ResilienceRegistry;
  /** Spring Cloud CircuitBreaker over {@link ResilienceSetup.registry}. */
  readonly circuitBreakerFactory: CircuitBreakerFactory;
  /** Stops following the configuration, removes the meters and stops the timers. Idempotent. */
  close(): Promise<void>;
}

const isResilienceKey = (key: string): boolean =>
  key.startsWith('resilience4j.') || key.startsWith('spring.cloud.circuitbreaker.');

/**
 * Wires Resilience4j into an application as `resilience4j-spring-boot3` and Spring Cloud
 * CircuitBreaker do: one registry from `resilience4j.*` and
 * `spring.cloud.circuitbreaker.resilience4j.*`, reconfigured on every refresh that changes those
 * keys (a refresh they would break is rejected first); its meters on the application's Prometheus
 * registry; the `circuitBreakers` health component with `management.health.circuitbreakers.enabled`;
 * and the actuator endpoints `circuitbreakers` (`POST /{name}` `{"updateState": "CLOSE" |
 * "FORCED_OPEN" | "DISABLE"}` changes a state), `circuitbreakerevents`, `retries`, `retryevents`,
 * `bulkheads`, `bulkheadevents`, `ratelimiters`, `ratelimiterevents`, `timelimiters` and
 * `timelimiterevents`, under the actuator's exposure and credential rules.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every `resilience4j.*` value that does not bind.
 * @example
 * const resilience = setupResilience({ config, actuator, health, metrics, clock, logger });
 * await resilience.circuitBreakerFactory.create('circuitbreaker').run(() => call(), () => []);
 */
export function setupResilience(context: ResilienceSetupContext): ResilienceSetup {
  const { config, clock } = context;
  const logger = context.logger.child({ component: 'resilience' });
  const registry = bound(() =>
    createResilienceRegistry({ properties: config.environment, clock, logger }),
  );
  config.addValidator(resilienceProblems);
  const stopFollowing = config.onChange((changed) => {
    if (!changed.some(isResilienceKey)) return;
    const result = registry.reconfigure(config.environment);
    logger.info({ replaced: result }, 'resilience settings refreshed');
  });
  const metrics = bindResilienceMetrics(registry, context.metrics.registry, { clock });
  if (config.getBoolean('management.health.circuitbreakers.enabled', false) === true)
    context.health.register('circuitBreakers', () => {
      const { status, details } = circuitBreakersHealth(registry);
      return { status: status as HealthStatus, details };
    });
  for (const endpoint of resilienceEndpoints(registry)) context.actuator.addEndpoint(endpoint);
  let closing: Promise<void> | null = null;
  return {
    registry,
    circuitBreakerFactory: createCircuitBreakerFactory(registry),
    close() {
      closing ??= (async () => {
        stopFollowing();
        metrics.close();
        await registry.close();
      })();
      return closing;
    },
  };
}

/** The registry, its configuration problems turned into `BOOT_ERR_INVALID_CONFIG`. */
function bound(create: () => ResilienceRegistry): ResilienceRegistry {
  try {
    return create();
  } catch (error) {
    if (error instanceof InvalidResilienceConfigError) throw invalidConfiguration(error.problems);
    throw error;
  }
}

/** What a candidate configuration's `resilience4j.*` would fail with; nothing is kept. */
function resilienceProblems(candidate: ConfigEnvironment): string[] {
  try {
    void createResilienceRegistry({ properties: candidate }).close();
    return [];
  } catch (error) {
    if (error instanceof InvalidResilienceConfigError) return [...error.problems];
    throw error;
  }
}

function filterOf(request: ActuatorRequest): EventFilter {
  const { name, eventType } = request.params;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(eventType !== undefined ? { eventType } : {}),
  };
}

/** `GET /<id>` answering `body()`. */
function listing(id: string, body: () => unknown): ActuatorEndpoint {
  return {
    id,
    operations: [
      {
        method: 'GET',
        handler: async (request, reply) => sendActuatorJson(request, reply, body()),
      },
    ],
  };
}

/** `GET /<id>`, `/<id>/{name}` and `/<id>/{name}/{eventType}`, as Resilience4j's event endpoints. */
function events(id: string, body: (filter: EventFilter) => unknown): ActuatorEndpoint {
  const handler = async (request: ActuatorRequest, reply: FastifyReply) =>
    sendActuatorJson(request, reply, body(filterOf(request)));
  return {
    id,
    operations: [
      { method: 'GET', handler },
      { method: 'GET', path: '/:name', handler },
      { method: 'GET', path: '/:name/:eventType', handler },
    ],
  };
}

/** Resilience4j's Spring Boot actuator endpoints over `registry`. */
function resilienceEndpoints(registry: ResilienceRegistry): ActuatorEndpoint[] {
  const updateState = async (request: ActuatorRequest, reply: FastifyReply) => {
    const name = request.params.name!;
    const body = request.body as { updateState?: unknown } | null | undefined;
    if (typeof body?.updateState !== 'string')
      throw BootErrors.BAD_REQUEST({ message: 'Expected a JSON body {"updateState": "…"}' });
    // Spring would create a breaker of any name asked for; an unknown one is refused here.
    if (registry.find('circuitbreaker', name) === undefined)
      throw BootErrors.NOT_FOUND({ message: 'No circuit breaker of that name' });
    return sendActuatorJson(
      request,
      reply,
      updateCircuitBreakerState(registry, name, body.updateState),
    );
  };
  const circuitBreakers = listing('circuitbreakers', () => circuitBreakersEndpoint(registry));
  return [
    {
      ...circuitBreakers,
      operations: [
        ...circuitBreakers.operations,
        { method: 'POST', path: '/:name', handler: updateState },
      ],
    },
    events('circuitbreakerevents', (filter) => circuitBreakerEventsEndpoint(registry, filter)),
    listing('retries', () => retriesEndpoint(registry)),
    events('retryevents', (filter) => retryEventsEndpoint(registry, filter)),
    listing('bulkheads', () => bulkheadsEndpoint(registry)),
    events('bulkheadevents', (filter) => bulkheadEventsEndpoint(registry, filter)),
    listing('ratelimiters', () => rateLimitersEndpoint(registry)),
    events('ratelimiterevents', (filter) => rateLimiterEventsEndpoint(registry, filter)),
    listing('timelimiters', () => timeLimitersEndpoint(registry)),
    events('timelimiterevents', (filter) => timeLimiterEventsEndpoint(registry, filter)),
  ];
}
