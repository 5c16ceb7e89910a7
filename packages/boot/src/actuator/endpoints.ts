import type { FastifyRequest } from 'fastify';
import type { Metrics } from '@stratus/observability';
import type { HealthRegistry, HealthResult } from '../health.js';
import { httpStatusOf } from '../health.js';
import type { LiveConfig } from '../live-config.js';
import { BootErrors } from '../errors.js';
import { sendActuatorJson as send } from './response.js';
import type { ActuatorEndpoint } from './routes.js';

/** What the built-in endpoints read. */
export interface EndpointContext {
  config: LiveConfig;
  health: HealthRegistry;
  metrics: Metrics;
  info: () => Record<string, unknown>;
  /** Whether the request carries the management credentials (for health details). */
  authorized: (request: FastifyRequest) => boolean;
}

const MASK = '******';

/** health, info, metrics, prometheus, env and refresh with Spring Boot's shapes (spring-wire.md §3). */
export function builtInEndpoints(context: EndpointContext): ActuatorEndpoint[] {
  return [
    healthEndpoint(context),
    {
      id: 'info',
      operations: [
        { method: 'GET', handler: async (request, reply) => send(request, reply, context.info()) },
      ],
    },
    metricsEndpoint(context.metrics),
    {
      id: 'prometheus',
      operations: [
        {
          method: 'GET',
          // Prometheus asks for OpenMetrics first (its Accept header); older scrapers get 0.0.4 text.
          handler: async (request, reply) => {
            const { contentType, body } = await context.metrics.expose(request.headers.accept);
            return reply.header('content-type', contentType).send(body);
          },
        },
      ],
    },
    envEndpoint(context.config),
    {
      id: 'refresh',
      operations: [
        {
          method: 'POST',
          handler: async (request, reply) => send(request, reply, await context.config.refresh()),
        },
      ],
    },
  ];
}

function healthEndpoint({ config, health, authorized }: EndpointContext): ActuatorEndpoint {
  const showDetails = (request: FastifyRequest) => {
    const mode = String(config.get('management.endpoint.health.show-details', 'when-authorized'))
      .toLowerCase()
      .replace('_', '-');
    return mode === 'always' || (mode === 'when-authorized' && authorized(request));
  };
  const body = (result: HealthResult, detailed: boolean) =>
    detailed && result.details
      ? { status: result.status, details: result.details }
      : { status: result.status };
  return {
    id: 'health',
    templatedLinks: { 'health-path': '/{*path}' },
    operations: [
      {
        method: 'GET',
        handler: async (request, reply) => {
          const { status, components } = await health.checkAll();
          const out: Record<string, unknown> = { status };
          if (showDetails(request)) {
            out.components = Object.fromEntries(
              Object.entries(components).map(([name, result]) => [name, body(result, true)]),
            );
          }
          out.groups = ['liveness', 'readiness'];
          return send(request, reply, out, httpStatusOf(status));
        },
      },
      {
        method: 'GET',
        path: '/liveness',
        handler: async (request, reply) => {
          const result = health.liveness();
          return send(request, reply, result, httpStatusOf(result.status));
        },
      },
      {
        method: 'GET',
        path: '/readiness',
        handler: async (request, reply) => {
          const result = health.readiness();
          return send(request, reply, result, httpStatusOf(result.status));
        },
      },
      {
        method: 'GET',
        path: '/:component',
        handler: async (request, reply) => {
          const result = await health.check(request.params.component ?? '');
          if (!result) throw BootErrors.NOT_FOUND({ message: 'No health component here' });
          return send(
            request,
            reply,
            body(result, showDetails(request)),
            httpStatusOf(result.status),
          );
        },
      },
    ],
  };
}

function metricsEndpoint(metrics: Metrics): ActuatorEndpoint {
  return {
    id: 'metrics',
    templatedLinks: { 'metrics-requiredMetricName': '/{requiredMetricName}' },
    operations: [
      {
        method: 'GET',
        handler: async (request, reply) => send(request, reply, { names: metrics.names() }),
      },
      {
        method: 'GET',
        path: '/:name',
        handler: async (request, reply) => {
          const tags: Record<string, string> = {};
          const raw = request.query.tag;
          for (const pair of Array.isArray(raw) ? raw : raw ? [raw] : []) {
            const colon = pair.indexOf(':');
            if (colon > 0) tags[pair.slice(0, colon)] = pair.slice(colon + 1);
          }
          const described = await metrics.describe(request.params.name ?? '', tags);
          if (!described) throw BootErrors.NOT_FOUND({ message: 'No metric here' });
          return send(request, reply, described);
        },
      },
    ],
  };
}

function envEndpoint(config: LiveConfig): ActuatorEndpoint {
  const mask = (value: unknown) =>
    String(config.get('management.endpoint.env.show-values', 'never')).toLowerCase() === 'always'
      ? value
      : MASK;
  return {
    id: 'env',
    templatedLinks: { 'env-toMatch': '/{toMatch}' },
    operations: [
      {
        method: 'GET',
        handler: async (request, reply) => {
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
        },
      },
      {
        method: 'GET',
        path: '/:key',
        handler: async (request, reply) => {
          const found = config.environment.lookupRaw(request.params.key ?? '');
          if (!found) throw BootErrors.NOT_FOUND({ message: 'No property here' });
          return send(request, reply, {
            property: {
              source: found.source,
              value: mask(config.environment.resolve(found.value)),
            },
            activeProfiles: config.environment.activeProfiles,
          });
        },
      },
    ],
  };
}
