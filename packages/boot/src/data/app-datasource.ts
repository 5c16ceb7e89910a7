import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { resolveResourceLocation, type ConfigEnvironment } from '@stratus/config';
import type { Logger } from '@stratus/core';
import type { Metrics } from '@stratus/observability';
import { isActuatorRequest } from '../actuator/routes.js';
import type { HealthRegistry } from '../health.js';
import type { BootSettings } from '../settings.js';
import { databaseUnavailable } from './database-errors.js';
import { bindDatasourceSettings } from './datasource-settings.js';
import { openDataSource, type DataSource, type Migrations } from './datasource.js';
import { registerPoolMetrics } from './pool-metrics.js';

/** What an application hands its datasource. */
export interface AppDataSourceContext {
  readonly name: string;
  readonly env: ConfigEnvironment;
  readonly settings: BootSettings;
  readonly metrics: Metrics;
  readonly health: HealthRegistry;
  readonly server: FastifyInstance;
  readonly logger: Logger;
}

/**
 * The application's datasource, as Spring Boot's `DataSource` and Flyway auto-configuration
 * make it: `spring.datasource.*` (unset: the embedded file `<data-dir>/<name>.db`),
 * `spring.datasource.hikari.*` for the pool and its `hikaricp_*` meters, `spring.flyway.*`
 * for the migrations (SQL files under `classpath:db/migration`, the service's folder, plus
 * `migrations`), the `db` health component. Until its start-up finishes, the application's
 * routes (not the actuator) answer 503 problem+json.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG`, `BOOT_ERR_DATASOURCE`
 */
export function openAppDataSource<DB>(
  context: AppDataSourceContext,
  migrations: Migrations | undefined,
): DataSource<DB> {
  const { settings, env } = context;
  const extra = bindDatasourceSettings(env);
  const { datasource, dataDir } = settings;
  const classpath = env.getString('stratus.classpath') ?? process.cwd();
  let opened: DataSource<DB> | null = null;
  const meters = registerPoolMetrics(context.metrics, {
    counters: () => opened?.counters ?? { active: 0, pending: 0, timeouts: 0 },
    settings: extra.pool,
    openConnections: () => opened?.openConnections() ?? 0,
  });
  const dataSource: DataSource<DB> = openDataSource<DB>({
    url: datasource.url ?? join(dataDir, `${context.name}.db`),
    username: datasource.username,
    password: datasource.password,
    driverClassName: extra.driverClassName,
    pool: extra.pool,
    flyway: extra.flyway,
    migrationFolders: extra.flyway.locations.map((location) =>
      resolveResourceLocation(location, { baseDir: process.cwd(), classpath }),
    ),
    migrations,
    validationTimeoutMs: datasource.validationTimeoutMs,
    logger: context.logger,
    onAcquired: meters.onAcquired,
    onTimeout: meters.onTimeout,
  });
  opened = dataSource;
  if (datasource.healthEnabled) context.health.register('db', dataSource.health);
  context.server.addHook('onRequest', async (request) => {
    if (dataSource.isReady || request.routeOptions.url === undefined || isActuatorRequest(request))
      return;
    throw databaseUnavailable(dataSource.product, null);
  });
  return dataSource;
}
