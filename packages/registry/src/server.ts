import { fileURLToPath } from 'node:url';
import { createApplication, type Application } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import { createEurekaRegistry } from './registry.js';
import { registerEurekaRoutes } from './routes.js';
import { renderDashboard } from './dashboard.js';

/** Options of `createRegistryServer`. */
export interface RegistryServerOptions {
  /** Spring flags (`--server.port=8761`, `--eureka.server.enable-self-preservation=false`). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  defaults?: Record<string, unknown>;
  logger?: Logger;
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Creates the registry (`@EnableEurekaServer`) on the Stratus runtime: Eureka's
 * REST API under `/eureka` and `/eureka/v2`, the dashboard at `/`, lease expiry,
 * eviction and self-preservation configured by Spring's `eureka.server.*` keys.
 *
 * @example
 * const registry = await createRegistryServer({ argv: ['--server.port=0'] });
 * await registry.start();
 */
export async function createRegistryServer(
  options: RegistryServerOptions = {},
): Promise<Application> {
  const app = await createApplication({
    name: 'discovery-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    defaults: options.defaults,
    logger: options.logger,
  });
  const { config } = app;
  const startedAtMs = Date.now();
  const registry = createEurekaRegistry({
    logger: app.logger.child({ component: 'registry' }),
    evictionIntervalMs: config.getNumber('eureka.server.eviction-interval-timer-in-ms', 60_000),
    renewalPercentThreshold: config.getNumber('eureka.server.renewal-percent-threshold', 0.85),
    expectedClientRenewalIntervalSecs: config.getNumber(
      'eureka.server.expected-client-renewal-interval-seconds',
      30,
    ),
    renewalThresholdUpdateIntervalMs: config.getNumber(
      'eureka.server.renewal-threshold-update-interval-ms',
      900_000,
    ),
    enableSelfPreservation: config.getBoolean('eureka.server.enable-self-preservation', true),
    deltaRetentionMs: config.getNumber(
      'eureka.server.retention-time-in-m-s-in-delta-queue',
      180_000,
    ),
  });
  await registerEurekaRoutes(app.server, {
    registry,
    logger: app.logger.child({ component: 'eureka-api' }),
    maxBodyBytes: config.getNumber('eureka.server.max-body-bytes', 256 * 1024),
  });
  app.server.get('/', async (_request, reply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        renderDashboard(registry, {
          title: 'Stratus Registry',
          environment: config.environment.activeProfiles.join(',') || 'default',
          startedAtMs,
        }),
      ),
  );
  app.health.register('registry', () => ({ status: 'UP', details: { ...registry.stats() } }));
  app.onClose(() => registry.close());
  return app;
}
