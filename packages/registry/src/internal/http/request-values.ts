import type { FastifyReply, FastifyRequest } from 'fastify';
import { toInstanceStatus, type InstanceStatus } from '@stratus/discovery';
import { REPLICATION_HEADER } from '../replication/replication-item.js';

/** Query values as fastify parses them. */
export type Query = Record<string, string | string[] | undefined>;
/** Path parameters. */
export type Params = Record<string, string>;

/** Eureka's error answers are plain text, not problem documents: Eureka clients expect text. */
export const TEXT = 'text/plain; charset=utf-8';

/** The first value of a query parameter. */
export function first(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Eureka answers JSON only when Accept contains "json"; everything else gets XML (spring-wire §1.2). */
export const wantsJson = (request: FastifyRequest): boolean =>
  (request.headers.accept ?? '').includes('json');

/** The call comes from a peer (`x-netflix-discovery-replication: true`). */
export const isReplicationRequest = (request: FastifyRequest): boolean =>
  request.headers[REPLICATION_HEADER] === 'true';

export function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).type(TEXT).send(message);
}

export function forbidden(reply: FastifyReply): FastifyReply {
  return reply.code(403).type(TEXT).send('Forbidden');
}

/**
 * An optional `lastDirtyTimestamp`; `null` when present but not a non-negative integer (Eureka's
 * `Long.valueOf` would answer 500; reliability §1.3 asks for 400).
 */
export function timestampParam(query: Query): number | undefined | null {
  const raw = first(query, 'lastDirtyTimestamp');
  if (raw === undefined || raw === '') return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : null;
}

/** An optional status query value; `null` when present but not one of Eureka's five. */
export function statusParam(raw: string | undefined): InstanceStatus | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  return toInstanceStatus(raw);
}

/**
 * False when a query component is not valid percent-encoded UTF-8 (`%ED%A0%80`, `%FF`): the
 * query parser would keep it undecoded, and it would be stored as typed.
 */
export function hasDecodableQuery(url: string): boolean {
  const mark = url.indexOf('?');
  if (mark < 0) return true;
  for (const part of url.slice(mark + 1).split(/[&=]/)) {
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return false;
    }
  }
  return true;
}
