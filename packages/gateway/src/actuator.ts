import type { FastifyReply } from 'fastify';
import type { ActuatorEndpoint, ActuatorRequest } from '@stratus/boot';
import { PROBLEM_CONTENT_TYPE, toProblem } from '@stratus/core';
import { GatewayErrors, problemsOf } from './errors.js';
import type { Gateway } from './gateway.js';
import {
  parseGatewayDefinitions,
  type ArgsDefinition,
  type RouteDefinition,
} from './route-definition.js';

/** Options of {@link gatewayActuatorEndpoint}. */
export interface GatewayActuatorOptions {
  /**
   * Adds `POST /routes/{id}`, `DELETE /routes/{id}` and `POST /refresh`. Only with
   * `management.endpoint.gateway.access: unrestricted` set explicitly (CVE-2022-22947: the
   * route-writing API is off unless asked for, and always behind the management credentials).
   * @default false
   */
  readonly isWritable?: boolean;
}

const describeArgs = (item: ArgsDefinition): string =>
  Object.entries(item.args)
    .map(([key, value]) => (key.startsWith('_genkey_') ? value : `${key} = '${value}'`))
    .join(', ');

/** Spring's verbose route view: predicate and filter descriptions, uri, order, metadata. */
function routeView(route: RouteDefinition, filterOrder: (index: number) => number) {
  return {
    predicate:
      route.predicates.map((p) => `${p.name}: [${describeArgs(p)}]`).join(' && ') || 'true',
    route_id: route.id,
    filters: route.filters.map(
      (f, index) => `[[${f.name} ${describeArgs(f)}], order = ${filterOrder(index)}]`,
    ),
    uri: route.uri,
    order: route.order,
    metadata: route.metadata,
  };
}

function problem(reply: FastifyReply, error: unknown): FastifyReply {
  const body = toProblem(error);
  return reply
    .code(body.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

/** `POST /routes/{id}`: Spring's body `{predicates, filters, uri, order, metadata}` (items shortcut or `{name, args}`). */
function saveRoute(gateway: Gateway) {
  return async (request: ActuatorRequest, reply: FastifyReply) => {
    const id = request.params['id'] ?? '';
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return problem(
        reply,
        GatewayErrors.INVALID_ROUTE({ message: 'The body must be a route definition object' }),
      );
    try {
      const parsed = parseGatewayDefinitions({
        routes: [{ ...(body as Record<string, unknown>), id }],
      });
      const route = parsed.routes[0] as RouteDefinition;
      const problems = gateway.validate({ definitions: { routes: [route], defaultFilters: [] } });
      if (problems.length > 0)
        throw GatewayErrors.INVALID_ROUTE({ message: problems.join('; '), details: { problems } });
      gateway.saveRoute(route);
      return reply.code(201).send();
    } catch (error) {
      return problem(
        reply,
        problemsOf(error).length > 0 || GatewayErrors.INVALID_ROUTE.is(error)
          ? error
          : GatewayErrors.INVALID_ROUTE(),
      );
    }
  };
}

/**
 * Spring Cloud Gateway's actuator endpoint `gateway` for `app.actuator.addEndpoint`: `GET
 * /routes`, `/routes/{id}`, `/routedefinitions`, `/globalfilters`, `/routefilters`,
 * `/routepredicates`; with {@link GatewayActuatorOptions.isWritable}, `POST /routes/{id}` (a
 * saved route, applied on refresh; validated, no expressions), `DELETE /routes/{id}` and
 * `POST /refresh`. The actuator's exposure and credentials rules apply as to every endpoint.
 *
 * @example
 * app.actuator.addEndpoint(gatewayActuatorEndpoint(gateway));
 */
export function gatewayActuatorEndpoint(
  gateway: Gateway,
  options: GatewayActuatorOptions = {},
): ActuatorEndpoint {
  const views = () => gateway.routes().map((route) => routeView(route, (index) => index + 1));
  const operations: ActuatorEndpoint['operations'] = [
    { method: 'GET', path: '/routes', handler: async (_request, reply) => reply.send(views()) },
    {
      method: 'GET',
      path: '/routes/:id',
      handler: async (request, reply) => {
        const found = views().find((view) => view.route_id === request.params['id']);
        return found
          ? reply.send(found)
          : problem(reply, GatewayErrors.NO_ROUTE({ message: 'No route with that id' }));
      },
    },
    {
      method: 'GET',
      path: '/routedefinitions',
      handler: async (_request, reply) => reply.send(gateway.routes()),
    },
    {
      method: 'GET',
      path: '/globalfilters',
      handler: async (_request, reply) =>
        reply.send(Object.fromEntries(gateway.globalFilters().map((f) => [f.name, f.order]))),
    },
    {
      method: 'GET',
      path: '/routefilters',
      handler: async (_request, reply) =>
        reply.send(
          Object.fromEntries(
            gateway.factoryNames().filters.map((name) => [`${name}GatewayFilterFactory`, null]),
          ),
        ),
    },
    {
      method: 'GET',
      path: '/routepredicates',
      handler: async (_request, reply) =>
        reply.send(
          Object.fromEntries(
            gateway.factoryNames().predicates.map((name) => [`${name}RoutePredicateFactory`, null]),
          ),
        ),
    },
  ];
  if (options.isWritable) {
    operations.push(
      { method: 'POST', path: '/routes/:id', handler: saveRoute(gateway) },
      {
        method: 'DELETE',
        path: '/routes/:id',
        handler: async (request, reply) =>
          gateway.deleteRoute(request.params['id'] ?? '')
            ? reply.code(200).send()
            : problem(reply, GatewayErrors.NO_ROUTE({ message: 'No saved route with that id' })),
      },
      {
        method: 'POST',
        path: '/refresh',
        handler: async (_request, reply) => {
          try {
            gateway.refresh();
            return reply.code(200).send();
          } catch (error) {
            return problem(reply, error);
          }
        },
      },
    );
  }
  return { id: 'gateway', operations };
}
