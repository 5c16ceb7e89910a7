import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import {
  type Logger,
  isStratusError,
  toProblem,
  PROBLEM_CONTENT_TYPE,
  StratusError,
} from '@stratus/core';
import type { Metrics } from '@stratus/observability';
import { NotFoundError } from './errors.js';

/** Options of the HTTP server every Stratus app runs. */
export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  /** @default 1 MiB */
  bodyLimitBytes?: number;
  /** Trusts `X-Forwarded-*` from these proxies (fastify's trustProxy). @default false */
  trustProxy?: boolean | string | string[];
}

const FASTIFY_CODES: Record<number, { code: string; title: string }> = {
  400: { code: 'BOOT_ERR_BAD_REQUEST', title: 'Bad Request' },
  404: { code: 'BOOT_ERR_NOT_FOUND', title: 'Not Found' },
  405: { code: 'BOOT_ERR_METHOD_NOT_ALLOWED', title: 'Method Not Allowed' },
  413: { code: 'BOOT_ERR_PAYLOAD_TOO_LARGE', title: 'Payload Too Large' },
  415: { code: 'BOOT_ERR_UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported Media Type' },
  431: { code: 'BOOT_ERR_HEADERS_TOO_LARGE', title: 'Request Header Fields Too Large' },
  503: { code: 'BOOT_ERR_UNAVAILABLE', title: 'Service Unavailable' },
};

/**
 * Creates the Fastify server with Stratus's conventions: request ids,
 * `problem+json` for every error (never a stack trace), Micrometer's
 * `http.server.requests` timer tagged with the route template.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const server: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming)
        ? incoming
        : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: options.trustProxy ?? false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 500 },
    // Strict validation: no silent type coercion or dropped fields, and every problem reported.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  });

  server.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  server.addHook('onResponse', async (request, reply) => {
    const template = request.routeOptions.url;
    const uri = template
      ? template.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      : reply.statusCode === 404
        ? 'NOT_FOUND'
        : 'UNKNOWN';
    options.metrics.recordHttpServerRequest({
      method: request.method,
      uri: template === '*' ? '/**' : uri,
      status: reply.statusCode,
      durationSeconds: reply.elapsedTime / 1000,
    });
    request.log.debug(
      { method: request.method, uri, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });

  server.setNotFoundHandler(async (request) => {
    throw new NotFoundError(`route for ${request.method}`);
  });

  server.setErrorHandler(async (error: FastifyError | StratusError | Error, request, reply) => {
    let problemSource: unknown = error;
    if (!isStratusError(error)) {
      const status = (error as FastifyError).statusCode;
      if ((error as FastifyError).validation) {
        const fields = ((error as FastifyError).validation ?? []).map((v) => ({
          field: v.instancePath
            ? v.instancePath.slice(1).replaceAll('/', '.')
            : ((v.params as { missingProperty?: string }).missingProperty ?? ''),
          message: v.message ?? 'is invalid',
        }));
        problemSource = new StratusError('BOOT_ERR_VALIDATION', 400, 'Bad Request', {
          message: `Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
          details: { errors: fields },
          retryable: false,
        });
      } else if (status !== undefined && status >= 400 && status < 500) {
        const mapped = FASTIFY_CODES[status] ?? {
          code: 'BOOT_ERR_BAD_REQUEST',
          title: 'Bad Request',
        };
        const message = status === 400 ? safeFastifyMessage(error as FastifyError) : mapped.title;
        problemSource = new StratusError(mapped.code, status, mapped.title, {
          message,
          retryable: false,
        });
      } else {
        request.log.error(
          { err: error, method: request.method, url: request.routeOptions.url },
          'unhandled error',
        );
      }
    } else if (error.httpStatus >= 500) {
      request.log.warn({ code: error.code, err: error.cause ?? error }, 'request failed');
    }
    const problem = toProblem(problemSource, request.id);
    return reply
      .code(problem.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problem));
  });

  return server;
}

function safeFastifyMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty';
  if (error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError)
    return 'The request body is not valid JSON';
  return 'The request is malformed';
}
