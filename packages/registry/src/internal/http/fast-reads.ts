import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdOf } from '@stratus/boot';
import type { Applications } from '@stratus/discovery';
import type { Logger } from '@stratus/core';
import type { EurekaRegistry } from '../../registry-types.js';
import { REPLICATION_HEADER } from '../replication/replication-item.js';
import type { RegistrySnapshotSource } from '../response-cache.js';
import type { RegistrySecurity } from '../security.js';
import type { EncodedPayload, PayloadCache } from './payload-cache.js';

/** What a server's own conventions need from a read it did not route (boot's timer). */
export interface FastReadHooks {
  /** Called when the response is written (Micrometer's `http.server.requests`). */
  readonly onServed: (sample: {
    readonly method: string;
    readonly uri: string;
    readonly status: number;
    readonly durationSeconds: number;
  }) => void;
}

/** A handler that serves requests before fastify (structurally boot's `RequestInterceptor`). */
export interface FastReadInterceptor {
  templateOf(request: IncomingMessage): string;
  accepts(request: IncomingMessage): boolean;
  serve(request: IncomingMessage, response: ServerResponse): void;
}

interface FastReadOptions {
  readonly registry: EurekaRegistry;
  readonly snapshots: RegistrySnapshotSource;
  readonly payloads: PayloadCache;
  readonly prefixes: readonly string[];
  readonly security: RegistrySecurity | undefined;
  readonly log: Logger;
  readonly hooks: FastReadHooks;
}

/**
 * `GET /eureka/apps` and `/eureka/apps/delta` (every prefix, with or without the trailing
 * slash) served from the payload cache before fastify builds a request and reply: these are
 * what every client polls every 30 s, and their bytes are already encoded. Only the plain case
 * is taken — no query string, reads allowed, the security rules satisfied, no replication
 * header; anything else (401, 403, the 403 of an empty start, `?regions=`) goes through the
 * routes as before, so the answers are the same bytes and headers either way.
 */
export function fastReads(options: FastReadOptions): FastReadInterceptor {
  const { registry, snapshots, payloads, security, log, hooks } = options;
  const paths = new Map<string, () => Applications>();
  for (const prefix of options.prefixes) {
    for (const slash of ['', '/']) {
      paths.set(`${prefix}/apps${slash}`, () => snapshots.getApplications());
      paths.set(`${prefix}/apps/delta${slash}`, () => snapshots.getDelta());
    }
  }
  return {
    // Each path is its own route template (they have no variables).
    templateOf: (request) => request.url ?? '',
    accepts(request) {
      return (
        request.method === 'GET' &&
        paths.has(request.url ?? '') &&
        request.headers[REPLICATION_HEADER] === undefined &&
        registry.shouldAllowAccess() &&
        (security === undefined || security.check(request, false) === 'allow')
      );
    },
    serve(request, response) {
      const startedAt = performance.now();
      const url = request.url!;
      const json = (request.headers.accept ?? '').includes('json');
      const format = json ? 'json' : 'xml';
      const gzip = (request.headers['accept-encoding'] ?? '').includes('gzip');
      const applications = paths.get(url)!();
      const send = (payload: EncodedPayload): void => {
        const status = writePayload(request, response, payload, json, gzip);
        hooks.onServed({
          method: 'GET',
          uri: url,
          status,
          durationSeconds: (performance.now() - startedAt) / 1000,
        });
      };
      if (!gzip) {
        send(payloads.identity(applications, format));
        return;
      }
      const payload = payloads.gzip(applications, format);
      if (!(payload instanceof Promise)) {
        send(payload);
        return;
      }
      payload.then(send, (error: unknown) => {
        log.error({ err: error }, 'compressing the registry failed');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      });
    },
  };
}

/** The response `sendApplications` gives, written on the raw response; returns its status. */
function writePayload(
  request: IncomingMessage,
  response: ServerResponse,
  payload: EncodedPayload,
  json: boolean,
  gzip: boolean,
): number {
  const headers: Record<string, string | number> = {
    'x-request-id': requestIdOf(request),
    vary: 'Accept, Accept-Encoding',
    etag: payload.etag,
  };
  // ETags are quoted, so one cannot be found inside another.
  if ((request.headers['if-none-match'] ?? '').includes(payload.etag)) {
    response.writeHead(304, headers).end();
    return 304;
  }
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-type'] = json ? 'application/json' : 'application/xml';
  headers['content-length'] = payload.length;
  response.writeHead(200, headers);
  const { parts } = payload;
  if (parts.length === 1) {
    response.end(parts[0]);
    return 200;
  }
  // Head and fragments leave in one writev (end() uncorks); never copied into one buffer.
  response.cork();
  for (const part of parts) response.write(part);
  response.end();
  return 200;
}
