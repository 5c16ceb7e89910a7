import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdOf } from '@stratus/boot';
import { findTextProblem, instanceToJson, instanceToXml } from '@stratus/discovery';
import type { EurekaRegistry, RenewOptions } from '../../registry-types.js';
import { REPLICATION_HEADER } from '../replication/replication-item.js';
import type { RegistrySecurity } from '../security.js';
import type { FastReadHooks, FastReadInterceptor } from './fast-reads.js';
import { hasDecodableQuery, statusParam, timestampParam, type Query } from './request-values.js';

interface FastRenewalOptions {
  readonly registry: EurekaRegistry;
  readonly prefixes: readonly string[];
  readonly security: RegistrySecurity | undefined;
  readonly hooks: FastReadHooks;
}

/** A heartbeat as the route would read it, parsed once by `accepts`. */
interface Renewal {
  readonly app: string;
  readonly id: string;
  readonly options: RenewOptions;
  /** The route's template in fastify's form (the span's name) and Micrometer's (the `uri` tag). */
  readonly template: string;
  readonly uri: string;
}

const RENEWAL = Symbol('stratus.registry.renewal');
type WithRenewal = IncomingMessage & { [RENEWAL]?: Renewal };

/** The query keys a client's heartbeat carries; any other leaves the request to the route. */
const RENEWAL_KEYS = new Set(['status', 'lastDirtyTimestamp', 'overriddenstatus']);
/** Longer path parameters get fastify's 404 (boot's `maxParamLength`). */
const MAX_PARAM_LENGTH = 500;

/**
 * Heartbeats (`PUT /eureka/apps/{app}/{id}?status=UP&lastDirtyTimestamp=…`) renewed before
 * fastify builds a request and reply: with every client sending one per 30 s they are the
 * registry's busiest write. Only the plain case is taken — security off, no replication header,
 * no body, a query of the heartbeat's own keys whose values the route would accept, path and
 * values free of the characters the route refuses; anything else (and every 400) goes through
 * the route, whose answers these are byte for byte.
 */
export function fastRenewals(options: FastRenewalOptions): FastReadInterceptor {
  const { registry, security, hooks } = options;
  return {
    templateOf: (request) => (request as WithRenewal)[RENEWAL]?.template ?? '',
    accepts(request) {
      if (
        request.method !== 'PUT' ||
        request.headers[REPLICATION_HEADER] !== undefined ||
        request.headers['transfer-encoding'] !== undefined ||
        (request.headers['content-length'] ?? '0') !== '0' ||
        (security !== undefined && security.enabled)
      )
        return false;
      const renewal = renewalOf(request.url ?? '', options.prefixes);
      if (renewal === null) return false;
      (request as WithRenewal)[RENEWAL] = renewal;
      return true;
    },
    serve(request, response) {
      const startedAt = performance.now();
      const { app, id, options: renewOptions, uri } = (request as WithRenewal)[RENEWAL]!;
      const result = registry.renew(app, id, renewOptions);
      const stored = result === 'conflict' ? registry.getInstance(app, id) : null;
      const requestId = requestIdOf(request);
      let status = 200;
      if (result === 'not-found') status = 404;
      if (stored !== null) {
        // The stored instance, as Eureka answers a heartbeat older than what it holds.
        const json = (request.headers.accept ?? '').includes('json');
        const body = json ? instanceToJson(stored) : instanceToXml(stored);
        const type = json ? 'application/json' : 'application/xml';
        status = 409;
        response.writeHead(status, {
          'x-request-id': requestId,
          'content-type': `${type}; charset=utf-8`,
          'content-length': Buffer.byteLength(body),
        });
        response.end(body);
      } else {
        // The Spring client parses a 200 body as an InstanceInfo: it must stay empty.
        response.writeHead(status, { 'x-request-id': requestId, 'content-length': 0 });
        response.end();
      }
      hooks.onServed({
        method: 'PUT',
        uri,
        status,
        durationSeconds: (performance.now() - startedAt) / 1000,
      });
    },
  };
}

/** The heartbeat `url` asks for, or null when the route must judge it. */
function renewalOf(url: string, prefixes: readonly string[]): Renewal | null {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const prefix = prefixes.find((p) => path.startsWith(`${p}/apps/`));
  if (prefix === undefined || !hasDecodableQuery(url)) return null;
  const segments = path.slice(prefix.length + '/apps/'.length).split('/');
  if (segments.length === 3 && segments[2] === '') segments.pop();
  if (segments.length !== 2 || !segments.every((s) => s !== '' && s.length <= MAX_PARAM_LENGTH))
    return null;
  let app: string;
  let id: string;
  const query: Query = {};
  try {
    app = decodeURIComponent(segments[0]!);
    id = decodeURIComponent(segments[1]!);
    for (const [key, value] of new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1))) {
      if (!RENEWAL_KEYS.has(key) || query[key] !== undefined) return null;
      query[key] = value;
    }
  } catch {
    return null;
  }
  if (findTextProblem({ app, id }) !== null || findTextProblem(query) !== null) return null;
  const lastDirtyTimestamp = timestampParam(query);
  const status = statusParam(query.status as string | undefined);
  const overriddenStatus = statusParam(query.overriddenstatus as string | undefined);
  if (lastDirtyTimestamp === null || status === null || overriddenStatus === null) return null;
  const slash = path.endsWith('/') ? '/' : '';
  return {
    app,
    id,
    template: `${prefix}/apps/:app/:id${slash}`,
    uri: `${prefix}/apps/{app}/{id}${slash}`,
    options: {
      isReplication: false,
      ...(lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp }),
      ...(overriddenStatus === undefined ? {} : { overriddenStatus }),
      ...(status === undefined ? {} : { status }),
    },
  };
}
