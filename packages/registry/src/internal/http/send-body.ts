import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Applications } from '@stratus/discovery';
import type { EncodedPayload, PayloadCache } from './payload-cache.js';
import { wantsJson } from './request-values.js';

/** A body in both of Eureka's formats, rendered only in the one asked for. */
export interface Rendering {
  json(): string;
  xml(): string;
}

const typeOf = (json: boolean): string => (json ? 'application/json' : 'application/xml');

/** 200 with JSON or XML as the Accept header asks (spring-wire §1.2), rendered now. */
export function sendRendered(
  request: FastifyRequest,
  reply: FastifyReply,
  rendering: Rendering,
): FastifyReply {
  const json = wantsJson(request);
  return reply
    .code(200)
    .type(typeOf(json))
    .header('vary', 'Accept')
    .send(json ? rendering.json() : rendering.xml());
}

/**
 * 200 with the cached body of `applications` (`/apps`, `/apps/delta`) in the format the Accept
 * header asks, gzipped when Accept-Encoding allows it, as Eureka does (spring-wire §1.2); 304
 * when `If-None-Match` names the body's ETag.
 */
export async function sendApplications(
  request: FastifyRequest,
  reply: FastifyReply,
  payloads: PayloadCache,
  applications: Applications,
): Promise<FastifyReply> {
  const json = wantsJson(request);
  const format = json ? 'json' : 'xml';
  const gzip = (request.headers['accept-encoding'] ?? '').includes('gzip');
  const payload = gzip
    ? await payloads.gzip(applications, format)
    : payloads.identity(applications, format);
  reply.header('vary', 'Accept, Accept-Encoding').header('etag', payload.etag);
  // ETags are quoted, so one cannot be found inside another.
  if ((request.headers['if-none-match'] ?? '').includes(payload.etag))
    return reply.code(304).send();
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply
    .code(200)
    .header('content-type', typeOf(json))
    .header('content-length', payload.length)
    .send(bodyOf(payload));
}

/** One buffer as is; fragments as a stream over them, so they are never copied into one. */
function bodyOf({ parts }: EncodedPayload): Buffer | Readable {
  if (parts.length === 1) return parts[0]!;
  let sent = false;
  return new Readable({
    read() {
      if (sent) return;
      sent = true;
      for (const part of parts) this.push(part);
      this.push(null);
    },
  });
}
