import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createApplication, interceptRequests, type Application } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import { createResilienceRegistry, type ResilienceRegistry } from '@stratus/resilience';
import { gatewayActuatorEndpoint } from './actuator.js';
import { bindGatewaySettings, GATEWAY_PREFIXES } from './bind-settings.js';
import { invalidOptions, problemsOf } from './errors.js';
import type { GatewayFilterFactory, GlobalFilter, RoutePredicateFactory } from './filter-api.js';
import { registerGateway, type Gateway, type GatewayOptions } from './gateway.js';
import { parseGatewayDefinitions, type GatewayDefinitions } from './route-definition.js';
import type { GatewaySettings } from './settings.js';

/** Options of `createGateway`. */
export interface GatewayServerOptions {
  /** Spring flags (`--server.port=8000`). @default process.argv.slice(2) */
  readonly argv?: readonly string[];
  /** @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Built-in defaults, below every file. */
  readonly defaults?: Record<string, unknown>;
  readonly logger?: Logger;
  /** Your own filter factories (the seed's `CustomFilter`-style classes). @default [] */
  readonly filterFactories?: readonly GatewayFilterFactory[];
  /** Your own predicate factories. @default [] */
  readonly predicateFactories?: readonly RoutePredicateFactory[];
  /** Global filters. @default [] */
  readonly globalFilters?: readonly GlobalFilter[];
  /** Key resolvers by bean name. @default the built-ins */
  readonly keyResolvers?: GatewayOptions['keyResolvers'];
  /** The tracing seam. @default none */
  readonly tracing?: GatewayOptions['tracing'];
  /**
   * How many gateway processes share the port; 0 reads `stratus.gateway.workers` (0 or unset:
   * one per core), as each worker of {@link runGateway} does. Above 1, a `RequestRateLimiter`
   * needs Redis, because buckets held in one process's memory would let each worker grant the
   * whole rate. @default 1
   */
  readonly workers?: number;
}

/** The running gateway application, its routing handle and how many processes share its port. */
export type GatewayApplication = Application & {
  readonly gateway: Gateway;
  readonly workers: number;
};

const WORKERS_KEY = 'stratus.gateway.workers';

/** `stratus.gateway.workers`: a count, or 0 / unset for one per core. */
export function configuredWorkers(env: ConfigEnvironment): number {
  const value = env.get(WORKERS_KEY);
  if (value === undefined || value === null || value === '') return availableParallelism();
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0)
    throw invalidOptions([`${WORKERS_KEY}: '${String(value)}' is not a whole number >= 0`]);
  return count === 0 ? availableParallelism() : count;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Keys whose change makes the gateway bind again. */
const WATCHED = [
  ...GATEWAY_PREFIXES,
  'stratus.gateway',
  'token.',
  'spring.security.oauth2.resourceserver',
  'spring.data.redis',
  'spring.redis',
];

/** The gateway section of the configuration: Gateway 4.3+'s prefix first, then the classic one. */
function gatewaySection(env: ConfigEnvironment): unknown {
  for (const prefix of GATEWAY_PREFIXES) {
    const section = env.getObject(prefix);
    if (
      section &&
      (section.routes !== undefined ||
        section['default-filters'] !== undefined ||
        section.defaultFilters !== undefined)
    )
      return section;
  }
  return { routes: [] };
}

const definitionsOf = (env: ConfigEnvironment): GatewayDefinitions =>
  parseGatewayDefinitions(gatewaySection(env));

/** Spring's `file:` / plain paths for `public-key-location` (read by the boot layer, not the library). */
const readLocation = (location: string): string =>
  readFileSync(location.replace(/^file:/, ''), 'utf8');

function bindAll(
  env: ConfigEnvironment,
  workers: number,
): {
  settings: GatewaySettings;
  definitions: GatewayDefinitions;
} {
  const settings = bindGatewaySettings(env, { readFile: readLocation });
  const definitions = definitionsOf(env);
  const problems = sharedStateProblems(settings, definitions, workers);
  if (problems.length > 0) throw invalidOptions(problems);
  return { settings, definitions };
}

/** Rate-limit buckets must be shared when several processes serve the same clients. */
function sharedStateProblems(
  settings: GatewaySettings,
  definitions: GatewayDefinitions,
  workers: number,
): string[] {
  if (workers <= 1 || settings.redis !== null) return [];
  const isLimiter = (filter: { readonly name: string }) => filter.name === 'RequestRateLimiter';
  const limited = definitions.routes
    .filter((route) => definitions.defaultFilters.some(isLimiter) || route.filters.some(isLimiter))
    .map((route) => route.id);
  return limited.length === 0
    ? []
    : [
        `routes ${limited.join(', ')}: RequestRateLimiter with ${workers} workers needs spring.data.redis.* (in-memory buckets are per worker)`,
      ];
}

/** `management.endpoint.gateway.access: unrestricted`, set explicitly, opens the route-writing operations. */
function isWriteAccessEnabled(env: ConfigEnvironment): boolean {
  return (
    String(env.get('management.endpoint.gateway.access', '')).trim().toLowerCase() ===
    'unrestricted'
  );
}

/** Re-binds routes and settings on refresh and bus events; a bad candidate is refused before it applies. */
function watchConfiguration(
  app: Application,
  gateway: Gateway,
  resilience: ResilienceRegistry,
  workers: number,
): void {
  const { config } = app;
  config.addValidator((candidate) => {
    try {
      const { settings, definitions } = bindAll(candidate, workers);
      return gateway.validate({ settings, definitions });
    } catch (error) {
      const problems = problemsOf(error);
      return problems.length > 0 ? problems : [(error as Error).message];
    }
  });
  config.onChange((changed) => {
    if (
      changed.some(
        (key) => key.startsWith('resilience4j') || key.startsWith('spring.cloud.circuitbreaker'),
      )
    ) {
      try {
        resilience.reconfigure(config.environment);
      } catch (error) {
        app.logger.error(
          { err: (error as Error).message },
          'circuit breaker settings refused; the old ones stay',
        );
      }
    }
    if (!changed.some((key) => WATCHED.some((prefix) => key.startsWith(prefix)))) return;
    gateway.reconfigure(bindAll(config.environment, workers));
    app.logger.info({ routes: gateway.routes().length }, 'gateway routes refreshed');
  });
}

/**
 * Creates the API gateway (Spring Cloud Gateway) on the Stratus runtime: routes from
 * `spring.cloud.gateway.server.webflux.routes` or `spring.cloud.gateway.routes` in Spring's YAML
 * forms, `lb://` through the registry, the JWT `AuthorizationHeaderFilter` keyed by
 * `token.secret` (or a resource server's JWKS / public key), Resilience4j circuit breakers,
 * Redis or in-memory rate limits, `/actuator/gateway/*`, and routes and settings applied again
 * on `POST /actuator/refresh` and bus refresh events.
 *
 * @throws StratusError `GW_ERR_INVALID_OPTIONS` listing every bad setting with its file and key;
 *   `GW_ERR_INVALID_ROUTE` for structurally broken route YAML. A route naming an unknown
 *   filter does not stop the gateway: it is logged and answers 503 until fixed.
 * @example
 * const gateway = await createGateway({ argv: ['--server.port=8000'] });
 * await gateway.start();
 */
export async function createGateway(
  options: GatewayServerOptions = {},
): Promise<GatewayApplication> {
  const app = await createApplication({
    name: 'apigateway-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    defaults: options.defaults,
    logger: options.logger,
  });
  try {
    const workers =
      options.workers === 0 ? configuredWorkers(app.config.environment) : (options.workers ?? 1);
    const { settings, definitions } = bindAll(app.config.environment, workers);
    const resilience = createResilienceRegistry({
      properties: app.config.environment,
      logger: app.logger,
    });
    const gateway = registerGateway(app.server, {
      definitions,
      settings,
      // app.loadBalancer is replaced when discovery starts: read it on every call.
      loadBalancer: {
        choose: (serviceId, choice) => app.loadBalancer.choose(serviceId, choice),
        markFailed: (serviceId, instanceId) => app.loadBalancer.markFailed(serviceId, instanceId),
        markSucceeded: (serviceId, instanceId) =>
          app.loadBalancer.markSucceeded?.(serviceId, instanceId),
        refresh: () => app.loadBalancer.refresh?.() ?? Promise.resolve(),
      },
      logger: app.logger,
      filterFactories: options.filterFactories,
      predicateFactories: options.predicateFactories,
      globalFilters: options.globalFilters,
      keyResolvers: options.keyResolvers,
      tracing: options.tracing,
      resilience,
      metricsRegistry: app.metrics.registry,
      // Boot's conventions for the requests fastify does not see: its request id and timer;
      // boot's server span still wraps them.
      fastPath: {
        requestIdHeader: 'x-request-id',
        install: (interceptor) => interceptRequests(app.server, interceptor),
        onServed: ({ method, status, durationSeconds }) =>
          app.metrics.recordHttpServerRequest({
            method,
            uri: '/**',
            status,
            exception: 'none',
            durationSeconds,
          }),
      },
    });
    app.actuator.addEndpoint(
      gatewayActuatorEndpoint(gateway, {
        isWritable: isWriteAccessEnabled(app.config.environment),
      }),
    );
    watchConfiguration(app, gateway, resilience, workers);
    app.health.register('gateway', () => ({
      status: 'UP',
      details: {
        routes: gateway.routes().length,
        ...(gateway.problems().length > 0 ? { invalidRoutes: gateway.problems() } : {}),
      },
    }));
    app.onClose(async () => {
      await gateway.close();
      await resilience.close();
    });
    return Object.assign(app, { gateway, workers });
  } catch (error) {
    await app.close();
    throw error;
  }
}
