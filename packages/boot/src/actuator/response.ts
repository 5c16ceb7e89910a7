import type { FastifyReply, FastifyRequest } from 'fastify';

/** Spring Boot Actuator's own media type, the default when the client accepts anything. */
export const ACTUATOR_V3_JSON = 'application/vnd.spring-boot.actuator.v3+json';

/**
 * Sends an actuator JSON body as Spring Boot does: `application/json` when the client asks for
 * it (and not for the actuator type), the v3 actuator media type otherwise.
 */
export function sendActuatorJson(
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  status = 200,
): FastifyReply {
  const accept = request.headers.accept ?? '';
  const type =
    accept.includes('application/json') && !accept.includes(ACTUATOR_V3_JSON)
      ? 'application/json'
      : ACTUATOR_V3_JSON;
  return reply.code(status).header('content-type', type).send(JSON.stringify(body));
}
