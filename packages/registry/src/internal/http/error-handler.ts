import type { FastifyInstance } from 'fastify';
import { isStratusError, type Logger } from '@stratus/core';
import { requestError } from './body-parsers.js';
import { TEXT } from './request-values.js';

/**
 * Answers errors as Eureka does, in plain text: a Stratus error with its status and title, a
 * request fastify refused (bad JSON, too large, wrong type) with its 4xx, anything else with a
 * bare 500 that shows no internals.
 */
export function installErrorHandler(scope: FastifyInstance, log: Logger): void {
  scope.setErrorHandler((error: unknown, request, reply) => {
    const where = { method: request.method, url: request.url };
    if (isStratusError(error)) {
      log[error.httpStatus >= 500 ? 'warn' : 'debug'](
        { code: error.code, ...where },
        'eureka request rejected',
      );
      return reply.code(error.httpStatus).type(TEXT).send(error.title);
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known = requestError(status);
      log.debug({ code: known.code, ...where }, 'eureka request rejected');
      return reply.code(known.httpStatus).type(TEXT).send(known.title);
    }
    log.error({ err: error, ...where }, 'eureka request failed');
    return reply.code(500).type(TEXT).send('Internal Server Error');
  });
}
