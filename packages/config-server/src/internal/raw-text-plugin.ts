import type { FastifyInstance } from 'fastify';
import {
  isStratusError,
  PROBLEM_CONTENT_TYPE,
  toProblem,
  type Logger,
  type StratusError,
} from '@stratus/core';
import { PREFIX_PATTERN } from '../defaults.js';
import { ConfigServerErrors } from '../errors.js';

/** How one plugin of the config server reads bodies and answers errors. */
export interface RawTextPluginOptions {
  /** Path prefix of the plugin's routes (`spring.cloud.config.server.prefix`). */
  prefix: string;
  /** Largest body; larger gives 413. */
  maxBodyBytes: number;
  log: Logger;
  /** The constant log message of a 5xx. */
  failure: string;
  /** The error for a 4xx of the HTTP layer other than 413 (an unreadable request). */
  unreadable: (status: number) => StratusError;
}

/** The problems of the options every config server plugin takes: a body limit and a prefix. */
export function pluginOptionProblems(maxBodyBytes: number, prefix: string): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    problems.push('maxBodyBytes must be a positive integer');
  if (prefix !== '' && !PREFIX_PATTERN.test(prefix))
    problems.push('prefix must start with / and not end with /');
  return problems;
}

/**
 * Registers `routes` in an encapsulated plugin under `options.prefix` that reads every request
 * body as a string of at most
 * `maxBodyBytes`, whatever its media type — Spring's `@RequestBody String` for `/encrypt`,
 * `/decrypt` and `/monitor` (routes outside keep boot's parsers) — and answers every error as
 * `application/problem+json`: a `StratusError` as it is, the HTTP layer's 413 as
 * `CFG_ERR_PAYLOAD_TOO_LARGE` and its other 4xx as `unreadable`, anything else as a bare 500
 * that is logged and never described.
 */
export async function registerRawTextPlugin(
  fastify: FastifyInstance<any, any, any, any, any>,
  options: RawTextPluginOptions,
  routes: (app: FastifyInstance) => void,
): Promise<void> {
  await fastify.register(
    async (app: FastifyInstance) => {
      prepare(app, options);
      routes(app);
    },
    { prefix: options.prefix },
  );
}

function prepare(app: FastifyInstance, options: RawTextPluginOptions): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: options.maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.setErrorHandler((error: unknown, request, reply) => {
    const problem = toProblem(asStratusError(error, options.unreadable));
    if (problem.status >= 500) options.log.error({ err: error, url: request.url }, options.failure);
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  });
}

function asStratusError(error: unknown, unreadable: (status: number) => StratusError): unknown {
  if (isStratusError(error)) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return ConfigServerErrors.PAYLOAD_TOO_LARGE();
  if (typeof status === 'number' && status >= 400 && status < 500) return unreadable(status);
  return error;
}
