import { fileURLToPath } from 'node:url';
import { createApplication, type Application } from '@stratus/boot';
import { parseDurationMs, type Logger } from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import { parseGatewayDefinitions, type GatewayDefinitions } from './route-definition.js';
import { registerGateway } from './proxy.js';

/** Options of `createGateway`. */
export interface GatewayServerOptions {
  /** Spring flags (`--server.port=8000`). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  defaults?: Record<string, unknown>;
  logger?: Logger;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));
const PREFIXES = ['spring.cloud.gateway.server.webflux', 'spring.cloud.gateway'];

/** The gateway section of the configuration: Gateway 4.3+'s prefix first, then the classic one. */
function gatewaySection(env: ConfigEnvironment): unknown {
  for (const prefix of PREFIXES) {
    const section = env.getObject(prefix);
    if (
      section &&
      (section.routes !== undefined ||
        section['default-filters'] !== undefined ||
        section.defaultFilters !== undefined)
    ) {
      return section;
    }
  }
  return { routes: [] };
}

function definitionsOf(env: ConfigEnvironment): GatewayDefinitions {
  return parseGatewayDefinitions(gatewaySection(env));
}

/**
 * Creates the API gateway (Spring Cloud Gateway) on the Stratus runtime:
 * routes from `spring.cloud.gateway.routes` in Spring's YAML form, `lb://`
 * through the registry, the JWT `AuthorizationHeaderFilter` keyed by
 * `token.secret`, and route changes applied on `POST /actuator/refresh`.
 *
 * @throws InvalidRouteDefinitionError `GW_ERR_INVALID_ROUTE` listing every bad route.
 * @example
 * const gateway = await createGateway({ argv: ['--server.port=8000'] });
 * await gateway.start();
 */
export async function createGateway(options: GatewayServerOptions = {}): Promise<Application> {
  const app = await createApplication({
    name: 'apigateway-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    defaults: options.defaults,
    logger: options.logger,
  });
  const { config } = app;
  const responseTimeout = config.get('spring.cloud.gateway.httpclient.response-timeout');
  const gateway = registerGateway(app.server, {
    definitions: definitionsOf(config.environment),
    loadBalancer: { choose: (serviceId) => app.loadBalancer.choose(serviceId) },
    tokenSecret: config.getString('token.secret'),
    logger: app.logger,
    connectTimeoutMs: config.getNumber('spring.cloud.gateway.httpclient.connect-timeout', 5000),
    responseTimeoutMs:
      responseTimeout === undefined ? 30_000 : (parseDurationMs(responseTimeout) ?? 30_000),
  });
  config.addValidator((candidate) => {
    try {
      definitionsOf(candidate);
      return [];
    } catch (error) {
      const problems = (error as { details?: { problems?: unknown } }).details?.problems;
      return Array.isArray(problems) ? problems.map(String) : [(error as Error).message];
    }
  });
  config.onChange((changed) => {
    if (changed.some((key) => key.startsWith('spring.cloud.gateway'))) {
      gateway.setRoutes(definitionsOf(config.environment));
      app.logger.info({ routes: gateway.routes().length }, 'gateway routes refreshed');
    }
  });
  app.health.register('gateway', () => ({
    status: 'UP',
    details: { routes: gateway.routes().length },
  }));
  app.onClose(() => gateway.close());
  return app;
}
