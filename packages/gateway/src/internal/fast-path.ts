import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { FastPathInterceptor, GatewayFastPath } from '../gateway.js';
import type { ServeOptions } from './handler.js';

const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * Lets the gateway serve its requests straight from the Node server's `request` event, so a
 * proxied request costs no fastify request, reply or hook: fastify's router is asked which of
 * its routes the path belongs to, and only a path that would reach the gateway's catch-all
 * (`/*`) is taken; everything else (`/actuator/*`, anything while closing) goes to fastify as
 * before. `options.install` puts it in place (boot's `interceptRequests`, which keeps tracing);
 * without it, it replaces fastify's own `request` listener, when that is the server's listener.
 * Returns whether it was installed.
 */
export function installFastPath(
  app: FastifyInstance,
  serve: (raw: IncomingMessage, res: ServerResponse, options: ServeOptions) => void,
  options: GatewayFastPath,
  isClosing: () => boolean,
): boolean {
  const interceptor = fastPathInterceptor(app, serve, options, isClosing);
  if (options.install !== undefined) {
    options.install(interceptor);
    return true;
  }
  const server = app.server;
  const fastifyHandler = app.routing as (raw: IncomingMessage, res: ServerResponse) => void;
  if (!server.listeners('request').includes(fastifyHandler)) return false;
  server.removeListener('request', fastifyHandler);
  server.on('request', (raw: IncomingMessage, res: ServerResponse) => {
    if (interceptor.accepts(raw)) interceptor.serve(raw, res);
    else fastifyHandler(raw, res);
  });
  return true;
}

function fastPathInterceptor(
  app: FastifyInstance,
  serve: (raw: IncomingMessage, res: ServerResponse, options: ServeOptions) => void,
  options: GatewayFastPath,
  isClosing: () => boolean,
): FastPathInterceptor {
  const header = options.requestIdHeader.toLowerCase();
  const onServed = options.onServed;
  const served: ServeOptions['onServed'] =
    onServed === undefined
      ? null
      : (request, status, durationMs) =>
          onServed({
            method: request.raw.method ?? 'GET',
            status,
            durationSeconds: durationMs / 1000,
          });
  const isGatewayPath = (method: string, url: string): boolean => {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const found = app.findRoute({ method: method as 'GET', url: path });
    // Only the gateway's catch-all captures the whole path as its wildcard.
    return found !== null && (found.params as Record<string, string>)['*'] === path.slice(1);
  };
  return {
    templateOf: () => '/*',
    accepts: (raw) => {
      const method = raw.method ?? '';
      return !isClosing() && METHODS.has(method) && isGatewayPath(method, raw.url ?? '');
    },
    serve: (raw, res) => {
      const incoming = raw.headers[header];
      const requestId =
        typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      serve(raw, res, { requestId, extraHeaders: { [header]: requestId }, onServed: served });
    },
  };
}
