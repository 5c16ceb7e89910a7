import type { Kysely } from 'kysely';
import { Secret, createSilentLogger, type Logger } from '@stratus/core';
import { DATASOURCE_DEFAULTS as D, type PoolSettings } from './datasource-settings.js';
import { openDataSource } from './datasource.js';
import type { SqlFamily } from './dialects.js';

/** Options of {@link createDataSource}. */
export interface DataSourceBuilderOptions {
  /** A JDBC URL as `spring.datasource.url` takes it, or a SQLite file path. */
  readonly url: string;
  readonly username?: string;
  /** Plain text or a `Secret`; never logged. */
  readonly password?: string | Secret;
  /** Pool settings beyond HikariCP's defaults (`maximumPoolSize`, `connectionTimeoutMs`, …). */
  readonly pool?: Partial<PoolSettings>;
  /** @default a silent logger */
  readonly logger?: Logger;
}

/** A datasource outside an application: a kysely instance and its pool. */
export interface StandaloneDataSource<DB> {
  readonly db: Kysely<DB>;
  /** `SQLite`, `PostgreSQL`, `MySQL` or `MariaDB`. */
  readonly product: string;
  /** `sqlite`, `postgresql` or `mysql` (MySQL and MariaDB). */
  readonly family: SqlFamily;
  /** Closes the pool. Idempotent. */
  close(): Promise<void>;
}

/**
 * A datasource from a JDBC URL without an application, as Spring's `DataSourceBuilder` makes
 * one: the same URL forms, drivers, pool and 503 mapping as `app.database()`, no migrations.
 * For scripts, tests and tools; a service uses `app.database()`.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for a URL no driver reads.
 * @example
 * const { db, close } = createDataSource({ url: 'jdbc:postgresql://127.0.0.1:5432/orders', username: 'app' });
 * await sql`select 1`.execute(db);
 * await close();
 */
export function createDataSource<DB = any>(options: DataSourceBuilderOptions): StandaloneDataSource<DB> {
  const pool: PoolSettings = {
    maximumPoolSize: D.maximumPoolSize,
    minimumIdle: 0,
    connectionTimeoutMs: D.connectionTimeoutMs,
    idleTimeoutMs: D.idleTimeoutMs,
    maxLifetimeMs: D.maxLifetimeMs,
    initializationFailTimeoutMs: D.initializationFailTimeoutMs,
    poolName: D.poolName,
    ...options.pool,
  };
  const password =
    typeof options.password === 'string' ? new Secret(options.password) : options.password;
  const dataSource = openDataSource<DB>({
    url: options.url,
    username: options.username,
    password,
    pool,
    flyway: {
      enabled: false,
      locations: [],
      table: D.flywayTable,
      baselineOnMigrate: false,
      baselineVersion: D.flywayBaselineVersion,
      validateOnMigrate: true,
      lockRetryCount: 0,
      placeholderReplacement: false,
      placeholders: {},
    },
    migrationFolders: [],
    validationTimeoutMs: pool.connectionTimeoutMs,
    logger: options.logger ?? createSilentLogger(),
  });
  return {
    db: dataSource.db,
    product: dataSource.product,
    family: dataSource.family,
    close: () => dataSource.close(),
  };
}
