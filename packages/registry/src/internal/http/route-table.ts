import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A route handler of the Eureka API. */
export type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/** Adds one route under every prefix, with and without a trailing slash (spring-wire §1.1). */
export type AddRoute = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  handler: Handler,
  bodyLimit?: number,
) => void;

/** The route adder of `scope`: `/eureka/apps` and `/eureka/v2/apps/` reach the same handler. */
export function routeAdder(
  scope: FastifyInstance,
  prefixes: readonly string[],
  defaultBodyLimit: number,
): AddRoute {
  return (method, path, handler, bodyLimit = defaultBodyLimit) => {
    for (const prefix of prefixes) {
      for (const url of [`${prefix}${path}`, `${prefix}${path}/`]) {
        scope.route({
          method,
          url,
          bodyLimit,
          handler: async (request, reply) => handler(request, reply),
        });
      }
    }
  };
}
