import type { FastifyReply } from 'fastify';
import {
  applicationsToJson,
  applicationsToXml,
  applicationToJson,
  applicationToXml,
  instanceToJson,
  instanceToXml,
  type Applications,
  type InstanceInfo,
} from '@stratus/discovery';
import type { ApiContext } from './api-context.js';
import { sendApplications, sendRendered, type Rendering } from './send-body.js';
import type { Params } from './request-values.js';

const ofApplications = (apps: Applications): Rendering => ({
  json: () => applicationsToJson(apps),
  xml: () => applicationsToXml(apps),
});

const ofInstance = (instance: InstanceInfo): Rendering => ({
  json: () => instanceToJson(instance),
  xml: () => instanceToXml(instance),
});

/**
 * Eureka's read endpoints (spring-wire §1.3): the full registry and the delta from cached
 * bytes, one application, one instance and VIP lookups rendered per request, in JSON or XML.
 */
export function registerReadRoutes(context: ApiContext): void {
  const { route, registry, snapshots, payloads } = context;

  // Eureka's ApplicationsResource/ApplicationResource/AbstractVIPResource: 403 with no body
  // while `shouldAllowAccess()` is false, so clients keep their cached registry.
  const refusedWhileStarting = (reply: FastifyReply): FastifyReply | null => {
    if (registry.shouldAllowAccess()) return null;
    const waitMs = Math.max(0, registry.accessAllowedFromMs() - context.clock.now());
    return reply
      .code(403)
      .header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
      .send();
  };

  route('GET', '/apps', (request, reply) => {
    const refused = refusedWhileStarting(reply);
    if (refused !== null) return refused;
    return sendApplications(request, reply, payloads, snapshots.getApplications());
  });

  route('GET', '/apps/delta', (request, reply) => {
    const refused = refusedWhileStarting(reply);
    if (refused !== null) return refused;
    return sendApplications(request, reply, payloads, snapshots.getDelta());
  });

  route('GET', '/apps/:app', (request, reply) => {
    const refused = refusedWhileStarting(reply);
    if (refused !== null) return refused;
    const application = registry.getApplication((request.params as Params).app!);
    if (application === null) return reply.code(404).send();
    const rendering = {
      json: () => applicationToJson(application),
      xml: () => applicationToXml(application),
    };
    return sendRendered(request, reply, rendering);
  });

  route('GET', '/apps/:app/:id', (request, reply) => {
    const { app, id } = request.params as Params;
    const instance = registry.getInstance(app!, id!);
    if (instance === null) return reply.code(404).send();
    return sendRendered(request, reply, ofInstance(instance));
  });

  route('GET', '/instances/:id', (request, reply) => {
    const instance = registry.findInstance((request.params as Params).id!);
    if (instance === null) return reply.code(404).send();
    return sendRendered(request, reply, ofInstance(instance));
  });

  for (const [path, secure] of [
    ['/vips/:vip', false],
    ['/svips/:vip', true],
  ] as const) {
    route('GET', path, (request, reply) => {
      const refused = refusedWhileStarting(reply);
      if (refused !== null) return refused;
      const apps = registry.getByVip((request.params as Params).vip!, secure);
      return sendRendered(request, reply, ofApplications(apps));
    });
  }
}
