import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger, LoggingSystem } from '@stratus/core';
import type { Metrics } from '@stratus/observability';
import type { HealthRegistry } from '../health.js';
import type { LiveConfig } from '../live-config.js';
import { isAuthorized, type ManagementCredentials } from './security.js';
import { BootErrors, invalidConfiguration } from '../errors.js';
import { readEndpointExposure, type EndpointExposure } from './exposure.js';
import { sendActuatorJson } from './response.js';
import { builtInEndpoints } from './endpoints.js';
import { loggersEndpoint } from './loggers.js';

/** A request to an actuator operation. */
export type ActuatorRequest = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | string[] | undefined>;
  Body: unknown;
}>;

/** One HTTP operation of an actuator endpoint. */
export interface ActuatorOperation {
  /** `GET` reads; `POST` and `DELETE` write, and `access: read-only` leaves them out. */
  method: 'GET' | 'POST' | 'DELETE';
  /** Below the endpoint's path, e.g. `/:name`. @default '' */
  path?: string;
  handler: (request: ActuatorRequest, reply: FastifyReply) => Promise<unknown>;
}

/** An actuator endpoint: its id (`busrefresh`) and operations. */
export interface ActuatorEndpoint {
  id: string;
  operations: ActuatorOperation[];
  /** Extra templated links on the discovery page: rel → suffix (`{ 'health-path': '/{*path}' }`). */
  templatedLinks?: Record<string, string>;
}

/** The actuator of one application. */
export interface Actuator {
  /** `management.endpoints.web.base-path` (`/actuator`), `''` when it is `/`. */
  readonly basePath: string;
  /** Whether endpoint `id` exists over HTTP (exposed, and its access is not `none`). */
  isExposed(id: string): boolean;
  /**
   * Adds an endpoint under the same exposure, access and security rules as the built-in ones
   * (call before `start()`). Returns false, registering nothing, when it is not exposed.
   */
  addEndpoint(endpoint: ActuatorEndpoint): boolean;
}

/** What the actuator needs from the application. */
export interface ActuatorContext {
  config: LiveConfig;
  health: HealthRegistry;
  metrics: Metrics;
  credentials: () => ManagementCredentials;
  info: () => Record<string, unknown>;
  /** The logging system behind `/actuator/loggers`; without one that endpoint does not exist. */
  logging?: LoggingSystem | null;
  /** For the start-up warning about credentials. */
  logger?: Logger;
}

/** Fastify route config key marking actuator routes (see {@link isActuatorRequest}). */
const ACTUATOR_ROUTE = 'stratusActuatorEndpoint';

/** True when the request was routed to the actuator (its discovery page or an endpoint). */
export function isActuatorRequest(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  return typeof config?.[ACTUATOR_ROUTE] === 'string';
}

/**
 * Registers Spring Boot's actuator: exposure decides which endpoints exist over HTTP (default
 * only `health`; not exposed is a plain 404 and no link), `access`/`enabled` which operations
 * exist, and exposed endpoints other than `health`, `info` and `prometheus` need the
 * management credentials (`spring.security.user.*`, HTTP Basic) — refused to everyone while no
 * password is configured.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for a bad `management.*` value.
 */
export function registerActuator(server: FastifyInstance, context: ActuatorContext): Actuator {
  const { exposure, problems } = readEndpointExposure(context.config.environment);
  if (problems.length > 0)
    throw invalidConfiguration(
      problems,
      problems.length === 1
        ? problems[0]
        : `Invalid management configuration: ${problems.join('; ')}`,
    );
  const authorized = (request: FastifyRequest) => isAuthorized(request, context.credentials());
  const registered: ActuatorEndpoint[] = [];
  let warned = false;

  const guard = (id: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (exposure.isPublic(id) || authorized(request)) return;
    void reply.header('www-authenticate', 'Basic realm="actuator"');
    throw BootErrors.UNAUTHORIZED();
  };

  const warnWithoutPassword = (id: string) => {
    if (warned || exposure.isPublic(id) || context.credentials().password !== null) return;
    warned = true;
    context.logger?.warn(
      { endpoint: id },
      'actuator endpoints need credentials but spring.security.user.password is not set; they answer 401',
    );
  };

  const actuator: Actuator = {
    basePath: exposure.basePath,
    isExposed: (id) => exposure.isAvailable(id),
    addEndpoint(endpoint) {
      if (!exposure.isAvailable(endpoint.id)) return false;
      if (registered.some((other) => other.id === endpoint.id))
        throw new Error(`actuator endpoint ${endpoint.id} is already registered`);
      const writable = exposure.access(endpoint.id) === 'unrestricted';
      const operations = endpoint.operations.filter((op) => op.method === 'GET' || writable);
      if (operations.length === 0) return false;
      for (const operation of operations) {
        server.route({
          method: operation.method,
          url: `${exposure.pathOf(endpoint.id)}${operation.path ?? ''}`,
          config: { [ACTUATOR_ROUTE]: endpoint.id },
          preHandler: guard(endpoint.id),
          handler: operation.handler as (
            request: FastifyRequest,
            reply: FastifyReply,
          ) => Promise<unknown>,
        });
      }
      registered.push(endpoint);
      warnWithoutPassword(endpoint.id);
      return true;
    },
  };

  if (exposure.basePath !== '') registerLinks(server, exposure, registered);
  const endpointContext = { ...context, authorized };
  for (const endpoint of builtInEndpoints(endpointContext)) actuator.addEndpoint(endpoint);
  if (context.logging) actuator.addEndpoint(loggersEndpoint(context.logging));
  return actuator;
}

/** `GET <base-path>`: Spring's discovery page, listing only the endpoints that exist. */
function registerLinks(
  server: FastifyInstance,
  exposure: EndpointExposure,
  registered: readonly ActuatorEndpoint[],
): void {
  server.get(exposure.basePath, { config: { [ACTUATOR_ROUTE]: '' } }, async (request, reply) => {
    const origin = `${request.protocol}://${request.host}`;
    const links: Record<string, { href: string; templated: boolean }> = {
      self: { href: `${origin}${exposure.basePath}`, templated: false },
    };
    for (const endpoint of registered) {
      const href = `${origin}${exposure.pathOf(endpoint.id)}`;
      links[endpoint.id] = { href, templated: false };
      for (const [rel, suffix] of Object.entries(endpoint.templatedLinks ?? {}))
        links[rel] = { href: `${href}${suffix}`, templated: true };
    }
    return sendActuatorJson(request, reply, { _links: links });
  });
}
