import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '@stratus/core';
import { findTextProblem } from '@stratus/discovery';
import { RegistryErrors } from '../../errors.js';
import { REPLICATION_HEADER } from '../replication/replication-item.js';
import type { RegistrySecurity } from '../security.js';
import { hasDecodableQuery, TEXT } from './request-values.js';

/**
 * Path segments and query values (app names, instance ids, statuses, metadata) follow the
 * character rule of bodies: an instance stored under `\uD800` could not be addressed.
 */
export function installCharacterGuard(scope: FastifyInstance, log: Logger): void {
  scope.addHook('preValidation', async (request, reply) => {
    if (
      hasDecodableQuery(request.url) &&
      findTextProblem(request.params) === null &&
      findTextProblem(request.query) === null
    )
      return;
    log.debug(
      { code: RegistryErrors.INVALID_CHARACTERS.code, method: request.method },
      'eureka request rejected',
    );
    return reply.code(400).type(TEXT).send('Invalid characters');
  });
}

/**
 * 401 without valid credentials, 403 for replication by anyone but a peer (reliability §1.3:
 * a client sending the replication header would make peers diverge).
 */
export function installSecurityGuard(
  scope: FastifyInstance,
  security: RegistrySecurity,
  log: Logger,
): void {
  scope.addHook('onRequest', async (request, reply) => {
    const replication =
      request.headers[REPLICATION_HEADER] !== undefined ||
      request.url.includes('/peerreplication/');
    const decision = security.check(request, replication);
    if (decision === 'allow') return;
    log.debug(
      { method: request.method, url: request.url, decision, replication },
      'eureka request denied',
    );
    if (decision === 'unauthenticated') return sendUnauthorized(reply);
    return reply.code(403).type(TEXT).send('Forbidden');
  });
}

/** 401 with the Basic challenge Spring Security sends for the registry. */
export function sendUnauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Basic realm="eureka", charset="UTF-8"')
    .type(TEXT)
    .send('Unauthorized');
}
