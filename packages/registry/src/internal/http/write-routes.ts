import { instanceIdOf, instanceToJson, instanceToXml, parseInstance } from '@stratus/discovery';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from './api-context.js';
import {
  badRequest,
  first,
  forbidden,
  isReplicationRequest,
  statusParam,
  timestampParam,
  wantsJson,
  type Params,
  type Query,
} from './request-values.js';

/** The dirty timestamp option, when the query carries one. */
const dirtyOf = (lastDirtyTimestamp: number | undefined) =>
  lastDirtyTimestamp === undefined ? {} : { lastDirtyTimestamp };

/**
 * Eureka's write endpoints (spring-wire §1.3–1.6): register, heartbeat, cancel, status override
 * and metadata. A client credential may only touch its own instances (403 otherwise).
 */
export function registerWriteRoutes(context: ApiContext): void {
  const { route, registry, ownership } = context;
  /** The path's app and id, or null after answering 403 for another client's instance. */
  const ownTarget = (request: FastifyRequest, reply: FastifyReply) => {
    const { app, id } = request.params as Params;
    if (ownership.isForeign(request, app!, id!)) {
      void forbidden(reply);
      return null;
    }
    return { app: app!, id: id!, query: request.query as Query };
  };

  route('POST', '/apps/:app', (request, reply) => {
    const { app: pathApp } = request.params as Params;
    const parsed = parseInstance(request.body, pathApp ?? '', context.clock.now());
    if (!parsed.ok) return badRequest(reply, parsed.message);
    const { app } = parsed.instance;
    const id = instanceIdOf(parsed.instance);
    if (ownership.isForeign(request, app, id)) return forbidden(reply);
    ownership.claim(request, app, id);
    registry.register(parsed.instance, { isReplication: isReplicationRequest(request) });
    return reply.code(204).send();
  });

  route('PUT', '/apps/:app/:id', (request, reply) => {
    const target = ownTarget(request, reply);
    if (target === null) return reply;
    const { app, id, query } = target;
    const lastDirtyTimestamp = timestampParam(query);
    if (lastDirtyTimestamp === null) return badRequest(reply, 'Invalid lastDirtyTimestamp');
    const overriddenStatus = statusParam(first(query, 'overriddenstatus'));
    const status = statusParam(first(query, 'status'));
    // The same values a status override accepts: Eureka's five statuses.
    if (overriddenStatus === null || status === null)
      return badRequest(reply, 'Invalid status value');
    const result = registry.renew(app, id, {
      isReplication: isReplicationRequest(request),
      ...dirtyOf(lastDirtyTimestamp),
      ...(overriddenStatus === undefined ? {} : { overriddenStatus }),
      ...(status === undefined ? {} : { status }),
    });
    if (result === 'not-found') return reply.code(404).send();
    const stored = result === 'conflict' ? registry.getInstance(app, id) : null;
    if (stored !== null) {
      const json = wantsJson(request);
      return reply
        .code(409)
        .type(json ? 'application/json' : 'application/xml')
        .send(json ? instanceToJson(stored) : instanceToXml(stored));
    }
    // The Spring client parses a 200 body as an InstanceInfo: it must stay empty (spring-wire §1.5).
    return reply.code(200).send();
  });

  route('DELETE', '/apps/:app/:id', (request, reply) => {
    const target = ownTarget(request, reply);
    if (target === null) return reply;
    const isReplication = isReplicationRequest(request);
    return reply.code(registry.cancel(target.app, target.id, { isReplication }) ? 200 : 404).send();
  });

  registerStatusRoutes(context, ownTarget);

  route('PUT', '/apps/:app/:id/metadata', (request, reply) => {
    const target = ownTarget(request, reply);
    if (target === null) return reply;
    const entries = Object.fromEntries(
      Object.keys(target.query).flatMap((key) => {
        const value = first(target.query, key);
        return value === undefined ? [] : [[key, value] as const];
      }),
    );
    const options = { isReplication: isReplicationRequest(request) };
    const found = registry.updateMetadata(target.app, target.id, entries, options);
    return reply.code(found ? 200 : 404).send();
  });
}

/** `PUT` and `DELETE …/status`: set and remove a status override (spring-wire §1.6). */
function registerStatusRoutes(
  { route, registry }: ApiContext,
  ownTarget: (
    request: FastifyRequest,
    reply: FastifyReply,
  ) => { app: string; id: string; query: Query } | null,
): void {
  for (const method of ['PUT', 'DELETE'] as const) {
    route(method, '/apps/:app/:id/status', (request, reply) => {
      const target = ownTarget(request, reply);
      if (target === null) return reply;
      const { app, id, query } = target;
      const status = statusParam(first(query, 'value'));
      const lastDirtyTimestamp = timestampParam(query);
      // PUT needs a value; DELETE's is optional (missing means UNKNOWN).
      if (status === null || (method === 'PUT' && status === undefined))
        return badRequest(reply, 'Invalid status value');
      if (lastDirtyTimestamp === null) return badRequest(reply, 'Invalid lastDirtyTimestamp');
      if (registry.getInstance(app, id) === null) return reply.code(404).send();
      const options = {
        isReplication: isReplicationRequest(request),
        ...dirtyOf(lastDirtyTimestamp),
      };
      const found =
        method === 'PUT'
          ? registry.statusUpdate(app, id, status!, options)
          : registry.deleteStatusOverride(app, id, status ?? 'UNKNOWN', options);
      return reply.code(found ? 200 : 404).send();
    });
  }
}
