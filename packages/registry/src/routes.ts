import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createSilentLogger,
  isStratusError,
  StratusError,
  systemClock,
  type Clock,
  type Logger,
} from '@stratus/core';
import { REGISTRY_ERROR_CODES } from './errors.js';
import { instanceIdOf, toInstanceStatus, type Application, type InstanceStatus } from './model.js';
import type { EurekaRegistry } from './registry.js';
import {
  applicationJsonFragment,
  applicationsToJson,
  applicationToJson,
  instanceToJson,
} from './wire/json.js';
import { parseInstance } from './wire/parse-instance.js';
import { parseSimpleXml, xmlInstanceToJson } from './wire/xml-parse.js';
import { applicationsToXml, applicationToXml, instanceToXml } from './wire/xml.js';
import { applyReplicationBatch, readReplicationList } from './replication/batch.js';
import type { Tombstones } from './replication/tombstones.js';
import type { RegistrySnapshotSource } from './response-cache.js';
import type { RegistrySecurity } from './security.js';

const gzip = promisify(gzipCallback);

/** Options of {@link registerEurekaRoutes}. */
export interface EurekaRoutesOptions {
  registry: EurekaRegistry;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** Supplies the default `lastDirtyTimestamp` of registrants that send none. @default systemClock */
  clock?: Clock;
  /** Largest accepted request body; larger ones get 413. @default 262144 (256 KiB) */
  maxBodyBytes?: number;
  /** Mount points. @default ['/eureka', '/eureka/v2'] */
  prefixes?: readonly string[];
  /** Where `GET /apps` and `/apps/delta` read from (the read-only response cache). @default registry */
  snapshots?: RegistrySnapshotSource;
  /**
   * Longest time a rendered full registry is served before it is rebuilt, even without a
   * change (`eureka.server.response-cache-auto-expiration-in-seconds` × 1000).
   * @default 180000
   */
  responseCacheAutoExpirationMs?: number;
  /**
   * Access rules (401/403) for every route of the scope; without it nothing is
   * checked, the replication header included. @default none
   */
  security?: RegistrySecurity;
  /** Recent cancels; replicated registers older than one are refused with 409. @default none */
  tombstones?: Tombstones;
  /** Largest accepted `peerreplication/batch` body (413 beyond). @default 8388608 (8 MiB) */
  maxBatchBodyBytes?: number;
}

type Query = Record<string, string | string[] | undefined>;
type Params = Record<string, string>;

const TEXT = 'text/plain; charset=utf-8';
const REPLICATION_HEADER = 'x-netflix-discovery-replication';

function first(query: Query, key: string): string | undefined {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

/** Eureka answers JSON only when Accept contains "json"; everything else gets XML (spring-wire §1.2). */
const wantsJson = (request: FastifyRequest): boolean =>
  (request.headers.accept ?? '').includes('json');

const isReplication = (request: FastifyRequest): boolean =>
  request.headers[REPLICATION_HEADER] === 'true';

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).type(TEXT).send(message);
}

/** Parses an optional `lastDirtyTimestamp`; `null` when present but not a non-negative integer. */
function timestampParam(query: Query): number | undefined | null {
  const raw = first(query, 'lastDirtyTimestamp');
  if (raw === undefined || raw === '') return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : null;
}

function statusParam(raw: string | undefined): InstanceStatus | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  return toInstanceStatus(raw);
}

function httpError(statusCode: number): StratusError {
  const byStatus: Record<number, [string, string]> = {
    413: [REGISTRY_ERROR_CODES.BODY_TOO_LARGE, 'Payload Too Large'],
    415: [REGISTRY_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, 'Unsupported Media Type'],
  };
  const [code, title] = byStatus[statusCode] ?? [
    REGISTRY_ERROR_CODES.MALFORMED_BODY,
    'Malformed request body',
  ];
  return new StratusError(code, statusCode in byStatus ? statusCode : 400, title);
}

/**
 * Registers the Eureka REST API (spring-wire §1.3, without peer replication)
 * under `/eureka` and `/eureka/v2`, each path with and without a trailing
 * slash, in an encapsulated Fastify scope. Errors are Eureka's plain text,
 * not problem documents, because Eureka clients expect text.
 *
 * @example
 * const app = fastify();
 * await registerEurekaRoutes(app, { registry: createEurekaRegistry() });
 * await app.listen({ host: '127.0.0.1', port: 8761 });
 */
export async function registerEurekaRoutes(
  app: FastifyInstance,
  options: EurekaRoutesOptions,
): Promise<void> {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-http' });
  const bodyLimit = options.maxBodyBytes ?? 256 * 1024;
  const prefixes = options.prefixes ?? ['/eureka', '/eureka/v2'];
  const snapshots = options.snapshots ?? registry;
  const batchBodyLimit = options.maxBatchBodyBytes ?? 8 * 1024 * 1024;
  const { security, tombstones } = options;

  await app.register(async (scope) => {
    // Spring's client sends `Content-Type: application/json` on body-less heartbeats: an empty body is no body.
    const strictJson = scope.getDefaultJsonParser('error', 'error');
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: Math.max(bodyLimit, batchBodyLimit) },
      (request, body, done) => {
        if (String(body).trim() === '') done(null, undefined);
        else void strictJson(request, String(body), done);
      },
    );
    scope.addContentTypeParser(
      ['application/xml', 'text/xml'],
      { parseAs: 'string', bodyLimit },
      (_request, body, done) => {
        const root = parseSimpleXml(String(body));
        const instance = root === null ? null : xmlInstanceToJson(root);
        if (instance === null) done(httpError(415), undefined);
        else done(null, { instance });
      },
    );

    scope.setErrorHandler((error: unknown, request, reply) => {
      if (isStratusError(error)) {
        const level = error.httpStatus >= 500 ? 'warn' : 'debug';
        log[level](
          { code: error.code, method: request.method, url: request.url },
          'eureka request rejected',
        );
        return reply.code(error.httpStatus).type(TEXT).send(error.title);
      }
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const known = httpError(status);
        log.debug(
          { code: known.code, method: request.method, url: request.url },
          'eureka request rejected',
        );
        return reply.code(known.httpStatus).type(TEXT).send(known.title);
      }
      log.error({ err: error, method: request.method, url: request.url }, 'eureka request failed');
      return reply.code(500).type(TEXT).send('Internal Server Error');
    });

    if (security !== undefined) {
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
        if (decision === 'unauthenticated') {
          return reply
            .code(401)
            .header('www-authenticate', 'Basic realm="eureka", charset="UTF-8"')
            .type(TEXT)
            .send('Unauthorized');
        }
        return reply.code(403).type(TEXT).send('Forbidden');
      });
    }

    const route = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      handler: (request: FastifyRequest, reply: FastifyReply) => unknown,
      limit = bodyLimit,
    ): void => {
      for (const prefix of prefixes) {
        for (const url of [`${prefix}${path}`, `${prefix}${path}/`]) {
          scope.route({
            method,
            url,
            bodyLimit: limit,
            handler: async (request, reply) => handler(request, reply),
          });
        }
      }
    };

    const sendBody = async (
      request: FastifyRequest,
      reply: FastifyReply,
      render: { json: () => string; xml: () => string },
      compressible: boolean,
    ): Promise<FastifyReply> => {
      const json = wantsJson(request);
      const body = json ? render.json() : render.xml();
      reply
        .code(200)
        .type(json ? 'application/json' : 'application/xml')
        .header('vary', 'Accept, Accept-Encoding');
      if (compressible && String(request.headers['accept-encoding'] ?? '').includes('gzip')) {
        return reply.header('content-encoding', 'gzip').send(await gzip(body));
      }
      return reply.send(body);
    };

    // A client credential may only touch the instances it registered (owner by instance key);
    // administrators and replication peers may change any. Unknown owners (instances that came
    // by replication) are not restricted.
    const owners = new Map<string, string>();
    const ownerKey = (app: string, id: string) => `${app.toUpperCase()}/${id}`;
    const isForeign = (request: FastifyRequest, app: string, id: string): boolean => {
      const principal = security?.principal(request) ?? null;
      if (principal === null || principal.kind !== 'client' || isReplication(request)) return false;
      const owner = owners.get(ownerKey(app, id));
      return owner !== undefined && owner !== principal.username;
    };
    const forbidden = (reply: FastifyReply) => reply.code(403).type(TEXT).send('Forbidden');
    registry.subscribe((change) => {
      if (change.kind === 'cancel' || change.kind === 'evict')
        owners.delete(ownerKey(change.app, change.id));
    });

    route('POST', '/apps/:app', (request, reply) => {
      const { app: pathApp } = request.params as Params;
      const parsed = parseInstance(request.body, pathApp ?? '', clock.now());
      if (!parsed.ok) return badRequest(reply, parsed.message);
      const key = { app: parsed.instance.app, id: instanceIdOf(parsed.instance) };
      if (isForeign(request, key.app, key.id)) return forbidden(reply);
      const principal = security?.principal(request) ?? null;
      if (principal?.kind === 'client') owners.set(ownerKey(key.app, key.id), principal.username);
      registry.register(parsed.instance, { isReplication: isReplication(request) });
      return reply.code(204).send();
    });

    route('PUT', '/apps/:app/:id', (request, reply) => {
      const { app, id } = request.params as Params;
      if (isForeign(request, app!, id!)) return forbidden(reply);
      const query = request.query as Query;
      const lastDirtyTimestamp = timestampParam(query);
      if (lastDirtyTimestamp === null) return badRequest(reply, 'Invalid lastDirtyTimestamp');
      const overriddenStatus = statusParam(first(query, 'overriddenstatus')) ?? undefined;
      const status = statusParam(first(query, 'status')) ?? undefined;
      const result = registry.renew(app!, id!, {
        isReplication: isReplication(request),
        ...(lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp }),
        ...(overriddenStatus === undefined ? {} : { overriddenStatus }),
        ...(status === undefined ? {} : { status }),
      });
      if (result === 'not-found') return reply.code(404).send();
      if (result === 'conflict') {
        const stored = registry.getInstance(app!, id!);
        if (stored !== null) {
          const json = wantsJson(request);
          return reply
            .code(409)
            .type(json ? 'application/json' : 'application/xml')
            .send(json ? instanceToJson(stored) : instanceToXml(stored));
        }
      }
      // The Spring client parses a 200 body as an InstanceInfo: it must stay empty (spring-wire §1.5).
      return reply.code(200).send();
    });

    route('DELETE', '/apps/:app/:id', (request, reply) => {
      const { app, id } = request.params as Params;
      if (isForeign(request, app!, id!)) return forbidden(reply);
      return reply
        .code(registry.cancel(app!, id!, { isReplication: isReplication(request) }) ? 200 : 404)
        .send();
    });

    route('PUT', '/apps/:app/:id/status', (request, reply) => {
      const { app, id } = request.params as Params;
      if (isForeign(request, app!, id!)) return forbidden(reply);
      const query = request.query as Query;
      const status = statusParam(first(query, 'value'));
      const lastDirtyTimestamp = timestampParam(query);
      if (status == null) return badRequest(reply, 'Invalid status value');
      if (lastDirtyTimestamp === null) return badRequest(reply, 'Invalid lastDirtyTimestamp');
      if (registry.getInstance(app!, id!) === null) return reply.code(404).send();
      const options = {
        isReplication: isReplication(request),
        ...(lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp }),
      };
      return reply.code(registry.statusUpdate(app!, id!, status, options) ? 200 : 404).send();
    });

    route('DELETE', '/apps/:app/:id/status', (request, reply) => {
      const { app, id } = request.params as Params;
      if (isForeign(request, app!, id!)) return forbidden(reply);
      const query = request.query as Query;
      const status = statusParam(first(query, 'value'));
      const lastDirtyTimestamp = timestampParam(query);
      if (status === null) return badRequest(reply, 'Invalid status value');
      if (lastDirtyTimestamp === null) return badRequest(reply, 'Invalid lastDirtyTimestamp');
      if (registry.getInstance(app!, id!) === null) return reply.code(404).send();
      const options = {
        isReplication: isReplication(request),
        ...(lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp }),
      };
      return reply
        .code(registry.deleteStatusOverride(app!, id!, status ?? 'UNKNOWN', options) ? 200 : 404)
        .send();
    });

    route('PUT', '/apps/:app/:id/metadata', (request, reply) => {
      const { app, id } = request.params as Params;
      if (isForeign(request, app!, id!)) return forbidden(reply);
      const query = request.query as Query;
      const entries = Object.fromEntries(
        Object.keys(query).flatMap((key) => {
          const value = first(query, key);
          return value === undefined ? [] : [[key, value] as const];
        }),
      );
      return reply
        .code(
          registry.updateMetadata(app!, id!, entries, { isReplication: isReplication(request) })
            ? 200
            : 404,
        )
        .send();
    });

    // Eureka's read/write response cache, kept per application: an application's rendering is
    // reused until its membership or a status changes — not per renewal — and the whole cache
    // lives at most `responseCacheAutoExpirationMs`. Without it a 10 000-instance fetch
    // re-renders 9 MB and blocks heartbeats (bench/registry); with churn only the changed
    // applications are rendered again.
    const fragments = new Map<string, { json?: string; xml?: string }>();
    const cachedStatuses = new Map<string, string>();
    let cacheStartedAtMs = clock.now();
    registry.subscribe((change) => {
      const key = ownerKey(change.app, change.id);
      if (change.kind !== 'renew' || cachedStatuses.get(key) !== change.instance.status) {
        fragments.delete(change.app.toUpperCase());
        cachedStatuses.delete(key);
      }
    });
    const autoExpirationMs = options.responseCacheAutoExpirationMs ?? 180_000;
    const cachedFragment = (format: 'json' | 'xml') => (application: Application) => {
      let entry = fragments.get(application.name);
      if (entry === undefined) {
        entry = {};
        fragments.set(application.name, entry);
        for (const instance of application.instances)
          cachedStatuses.set(ownerKey(application.name, instanceIdOf(instance)), instance.status);
      }
      return (entry[format] ??=
        format === 'json' ? applicationJsonFragment(application) : applicationToXml(application));
    };

    route('GET', '/apps', (request, reply) => {
      if (options.snapshots === undefined && clock.now() - cacheStartedAtMs > autoExpirationMs) {
        fragments.clear();
        cachedStatuses.clear();
        cacheStartedAtMs = clock.now();
      }
      const apps = snapshots.getApplications();
      const render =
        options.snapshots === undefined
          ? {
              json: () => applicationsToJson(apps, cachedFragment('json')),
              xml: () => applicationsToXml(apps, cachedFragment('xml')),
            }
          : { json: () => applicationsToJson(apps), xml: () => applicationsToXml(apps) };
      return sendBody(request, reply, render, true);
    });

    route('GET', '/apps/delta', (request, reply) => {
      const delta = snapshots.getDelta();
      return sendBody(
        request,
        reply,
        { json: () => applicationsToJson(delta), xml: () => applicationsToXml(delta) },
        true,
      );
    });

    route('GET', '/apps/:app', (request, reply) => {
      const application = registry.getApplication((request.params as Params).app!);
      if (application === null) return reply.code(404).send();
      return sendBody(
        request,
        reply,
        { json: () => applicationToJson(application), xml: () => applicationToXml(application) },
        false,
      );
    });

    route('GET', '/apps/:app/:id', (request, reply) => {
      const { app, id } = request.params as Params;
      const instance = registry.getInstance(app!, id!);
      if (instance === null) return reply.code(404).send();
      return sendBody(
        request,
        reply,
        { json: () => instanceToJson(instance), xml: () => instanceToXml(instance) },
        false,
      );
    });

    route('GET', '/instances/:id', (request, reply) => {
      const instance = registry.findInstance((request.params as Params).id!);
      if (instance === null) return reply.code(404).send();
      return sendBody(
        request,
        reply,
        { json: () => instanceToJson(instance), xml: () => instanceToXml(instance) },
        false,
      );
    });

    for (const [path, secure] of [
      ['/vips/:vip', false],
      ['/svips/:vip', true],
    ] as const) {
      route('GET', path, (request, reply) => {
        const apps = registry.getByVip((request.params as Params).vip!, secure);
        return sendBody(
          request,
          reply,
          { json: () => applicationsToJson(apps), xml: () => applicationsToXml(apps) },
          false,
        );
      });
    }

    route(
      'POST',
      '/peerreplication/batch',
      (request, reply) => {
        const items = readReplicationList(request.body);
        if (items === null) return badRequest(reply, 'Invalid replication batch');
        const responseList = applyReplicationBatch(registry, items, {
          clock,
          ...(tombstones === undefined ? {} : { tombstones }),
        });
        return reply.code(200).type('application/json').send(JSON.stringify({ responseList }));
      },
      batchBodyLimit,
    );

    route('GET', '/status', (_request, reply) =>
      reply.code(200).type('application/json').send(registry.stats()),
    );

    route('GET', '/serverinfo/statusoverrides', (_request, reply) =>
      reply.code(200).type('application/json').send(registry.getStatusOverrides()),
    );
  });
}
