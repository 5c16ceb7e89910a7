import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '@stratus/observability';
import type { HealthRegistry, HealthResult } from '../health.js';
import { httpStatusOf } from '../health.js';
import type { LiveConfig } from '../live-config.js';
import { isAuthorized, type ManagementCredentials } from './security.js';
import { NotFoundError, UnauthorizedError } from '../errors.js';

/** Endpoints Stratus's actuator serves. */
export const ACTUATOR_ENDPOINTS = [
  'health',
  'info',
  'metrics',
  'prometheus',
  'env',
  'refresh',
] as const;

/** What the actuator needs from the application. */
export interface ActuatorContext {
  config: LiveConfig;
  health: HealthRegistry;
  metrics: Metrics;
  credentials: () => ManagementCredentials;
  info: () => Record<string, unknown>;
  /** Extra endpoints a server adds (e.g. busrefresh), by id. */
  extraEndpoints?: string[];
}

const V3 = 'application/vnd.spring-boot.actuator.v3+json';
const MASK = '******';

/**
 * Registers `/actuator/*` with Spring Boot's shapes. `health` and `info` are
 * open by default; every other endpoint needs the management credentials
 * unless `stratus.management.public-endpoints` lists it.
 */
export function registerActuator(server: FastifyInstance, context: ActuatorContext): void {
  const { config, health, metrics } = context;
  const listSetting = (key: string, fallback: string) =>
    String(config.get(key, fallback))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const isExposed = (id: string) => {
    const include = listSetting('management.endpoints.web.exposure.include', '*');
    const exclude = listSetting('management.endpoints.web.exposure.exclude', '');
    return (include.includes('*') || include.includes(id)) && !exclude.includes(id);
  };
  const isPublic = (id: string) =>
    listSetting('stratus.management.public-endpoints', 'health,info').includes(id);
  const authorized = (request: FastifyRequest) => isAuthorized(request, context.credentials());

  /** Guards an endpoint: 404 when not exposed, 401 when credentials are needed and missing. */
  const guard = (id: string) => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isExposed(id)) throw new NotFoundError('endpoint');
    if (!isPublic(id) && !authorized(request)) {
      void reply.header('www-authenticate', 'Basic realm="actuator"');
      throw new UnauthorizedError();
    }
  };
  const send = (request: FastifyRequest, reply: FastifyReply, body: unknown, status = 200) => {
    const accept = request.headers.accept ?? '';
    const type =
      accept.includes('application/json') && !accept.includes(V3) ? 'application/json' : V3;
    return reply.code(status).header('content-type', type).send(JSON.stringify(body));
  };

  const endpointIds = () =>
    [...ACTUATOR_ENDPOINTS, ...(context.extraEndpoints ?? [])].filter(isExposed);

  server.get('/actuator', async (request, reply) => {
    const base = `${request.protocol}://${request.host}/actuator`;
    const links: Record<string, { href: string; templated: boolean }> = {
      self: { href: base, templated: false },
    };
    for (const id of endpointIds()) {
      links[id] = { href: `${base}/${id}`, templated: false };
      if (id === 'health')
        links['health-path'] = { href: `${base}/health/{*path}`, templated: true };
      if (id === 'metrics')
        links['metrics-requiredMetricName'] = {
          href: `${base}/metrics/{requiredMetricName}`,
          templated: true,
        };
      if (id === 'env') links['env-toMatch'] = { href: `${base}/env/{toMatch}`, templated: true };
    }
    return send(request, reply, { _links: links });
  });

  const showDetails = (request: FastifyRequest) => {
    const mode = String(config.get('management.endpoint.health.show-details', 'when-authorized'))
      .toLowerCase()
      .replace('_', '-');
    return mode === 'always' || (mode === 'when-authorized' && authorized(request));
  };
  const healthBody = (result: HealthResult, detailed: boolean) =>
    detailed && result.details
      ? { status: result.status, details: result.details }
      : { status: result.status };

  server.get('/actuator/health', { preHandler: guard('health') }, async (request, reply) => {
    const { status, components } = await health.checkAll();
    const body: Record<string, unknown> = { status };
    if (showDetails(request)) {
      body.components = Object.fromEntries(
        Object.entries(components).map(([name, result]) => [name, healthBody(result, true)]),
      );
    }
    body.groups = ['liveness', 'readiness'];
    return send(request, reply, body, httpStatusOf(status));
  });
  server.get(
    '/actuator/health/liveness',
    { preHandler: guard('health') },
    async (request, reply) => {
      const result = health.liveness();
      return send(request, reply, result, httpStatusOf(result.status));
    },
  );
  server.get(
    '/actuator/health/readiness',
    { preHandler: guard('health') },
    async (request, reply) => {
      const result = health.readiness();
      return send(request, reply, result, httpStatusOf(result.status));
    },
  );
  server.get<{ Params: { component: string } }>(
    '/actuator/health/:component',
    { preHandler: guard('health') },
    async (request, reply) => {
      const result = await health.check(request.params.component);
      if (!result) throw new NotFoundError('health component');
      return send(
        request,
        reply,
        healthBody(result, showDetails(request)),
        httpStatusOf(result.status),
      );
    },
  );

  server.get('/actuator/info', { preHandler: guard('info') }, async (request, reply) =>
    send(request, reply, context.info()),
  );

  server.get('/actuator/metrics', { preHandler: guard('metrics') }, async (request, reply) =>
    send(request, reply, { names: metrics.names() }),
  );
  server.get<{ Params: { name: string }; Querystring: { tag?: string | string[] } }>(
    '/actuator/metrics/:name',
    { preHandler: guard('metrics') },
    async (request, reply) => {
      const tags: Record<string, string> = {};
      const raw = request.query.tag;
      for (const pair of Array.isArray(raw) ? raw : raw ? [raw] : []) {
        const colon = pair.indexOf(':');
        if (colon > 0) tags[pair.slice(0, colon)] = pair.slice(colon + 1);
      }
      const described = await metrics.describe(request.params.name, tags);
      if (!described) throw new NotFoundError('metric');
      return send(request, reply, described);
    },
  );

  server.get('/actuator/prometheus', { preHandler: guard('prometheus') }, async (_request, reply) =>
    reply
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .send(await metrics.scrape()),
  );

  const showValues = () =>
    String(config.get('management.endpoint.env.show-values', 'never')).toLowerCase() === 'always';
  const mask = (value: unknown) => (showValues() ? value : MASK);
  server.get('/actuator/env', { preHandler: guard('env') }, async (request, reply) => {
    const env = config.environment;
    return send(request, reply, {
      activeProfiles: env.activeProfiles,
      defaultProfiles: ['default'],
      propertySources: env.sources.map((source) => ({
        name: source.name,
        properties: Object.fromEntries(
          Object.keys(source.properties).map((key) => [
            key,
            { value: mask(source.properties[key]) },
          ]),
        ),
      })),
    });
  });
  server.get<{ Params: { key: string } }>(
    '/actuator/env/:key',
    { preHandler: guard('env') },
    async (request, reply) => {
      const found = config.environment.lookupRaw(request.params.key);
      if (!found) throw new NotFoundError('property');
      return send(request, reply, {
        property: { source: found.source, value: mask(config.environment.resolve(found.value)) },
        activeProfiles: config.environment.activeProfiles,
      });
    },
  );

  server.post('/actuator/refresh', { preHandler: guard('refresh') }, async (request, reply) =>
    send(request, reply, await config.refresh()),
  );
}
