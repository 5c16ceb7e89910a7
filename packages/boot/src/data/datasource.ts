import { Kysely, sql } from 'kysely';
import type { Logger, Secret } from '@stratus/core';
import { traceDialect } from '@stratus/observability';
import { BootErrors } from '../errors.js';
import type { HealthCheck, HealthResult } from '../health.js';
import { createDatabase } from './create-database.js';
import { classifyDatabaseError } from './database-errors.js';
import { startDatabase, type DatabaseStartup } from './database-startup.js';
import type { FlywaySettings, PoolSettings } from './datasource-settings.js';
import { parseDatasourceUrl, redactDatasourceUrl, type DatasourceTarget } from './datasource-url.js';
import { DIALECT_FACTORIES, type DialectContext, type SqlFamily } from './dialects.js';
import { checkDriverClass } from './driver-class.js';
import { jdbcProperties } from './jdbc-properties.js';
import { migrate } from './migrations/migrator.js';
import { resolveMigrations, type TypedMigration } from './migrations/migration-sources.js';
import { guardDialect, type PoolCounters } from './pool-guard.js';

/** Typed migrations by Flyway name (`V2__seed_products`), beside the SQL files. */
export type Migrations = Readonly<Record<string, TypedMigration>>;

/** Options of {@link openDataSource}. */
export interface DataSourceOptions {
  /** `spring.datasource.url`: `jdbc:sqlite:…`, a file path, or a server URL. */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: Secret | undefined;
  readonly driverClassName?: string | undefined;
  readonly pool: PoolSettings;
  readonly flyway: FlywaySettings;
  /** Resolved `spring.flyway.locations` (folders of SQL migrations). */
  readonly migrationFolders: readonly string[];
  readonly migrations?: Migrations | undefined;
  /** Budget of the health check's validation query, ms. */
  readonly validationTimeoutMs: number;
  readonly logger: Logger;
  /** Called with each pool wait and timeout (the pool metrics). */
  readonly onAcquired?: (seconds: number) => void;
  readonly onTimeout?: () => void;
  /** First pause between start-up attempts while the database does not answer, ms. @default 500 */
  readonly initialBackoffMs?: number;
  /** Longest pause between start-up attempts, ms. @default 10000 */
  readonly maxBackoffMs?: number;
  /** Pause between tries of a migration lock another instance holds, ms. @default 1000 */
  readonly lockRetryDelayMs?: number;
}

/** An open datasource: the kysely instance, its start-up, health, pool counts and shutdown. */
export interface DataSource<DB> {
  readonly db: Kysely<DB>;
  /** `SQLite`, `PostgreSQL`, `MySQL` or `MariaDB`. */
  readonly product: string;
  readonly family: SqlFamily;
  /**
   * Connects (creating the database when the URL asks for it), migrates and runs
   * `schemaSteps` under the migration lock, retrying while the database does not answer.
   * Once; later calls get the same start-up.
   */
  start(schemaSteps?: ReadonlyArray<(db: Kysely<any>) => Promise<void>>): DatabaseStartup;
  /** Whether the start-up finished: the schema is in place. */
  readonly isReady: boolean;
  /** Spring's `db` indicator: `select 1` within the validation timeout. */
  readonly health: HealthCheck;
  readonly counters: PoolCounters;
  /** Connections the pool holds open now. */
  openConnections(): number;
  /** Stops a start-up in progress and closes the connections (or the file). Idempotent. */
  close(): Promise<void>;
}

const VALIDATION_QUERY = 'select 1';

/** `db.system` as OpenTelemetry names the product, and `db.name`. */
function databaseSpanOptions(target: DatasourceTarget, product: string) {
  const system = product.toLowerCase();
  const name = 'database' in target && target.database ? target.database : undefined;
  return name === undefined ? { system } : { system, name };
}

/**
 * Opens the datasource `url` names, through the dialect of its scheme (`pg` for PostgreSQL,
 * `mysql2` for MySQL and MariaDB, better-sqlite3 for the embedded file), its pool set from
 * `spring.datasource.hikari.*`; nothing connects until `start()` or the first query.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for an unsupported URL or driver class, URL
 *   parameters the driver cannot honour, or a SQLite file that cannot be opened.
 */
export function openDataSource<DB>(options: DataSourceOptions): DataSource<DB> {
  const target = parseDatasourceUrl(options.url);
  checkDriverClass(options.driverClassName, target.kind);
  const context: DialectContext = {
    username: options.username,
    password: options.password,
    pool: options.pool,
    logger: options.logger,
  };
  const opened = DIALECT_FACTORIES[target.kind](target, context);
  const counters: PoolCounters = { active: 0, pending: 0, timeouts: 0 };
  const db = new Kysely<DB>({
    // Statements run inside a trace become CLIENT spans, as datasource-micrometer gives JDBC.
    dialect: guardDialect(traceDialect(opened.dialect, databaseSpanOptions(target, opened.product)), {
      product: opened.product,
      acquireTimeoutMs: options.pool.connectionTimeoutMs,
      counters,
      onAcquired: options.onAcquired,
      onTimeout: options.onTimeout,
    }),
  });
  const logger = options.logger.child({ component: 'datasource' });
  const describe = `${opened.product} at ${opened.location}`;
  let startup: DatabaseStartup | null = null;
  let closing: Promise<void> | null = null;
  const prepare = prepareOnce(db, target, context, options, opened.family, describe);
  return {
    db,
    product: opened.product,
    family: opened.family,
    start(schemaSteps = []) {
      startup ??= startDatabase(() => prepare(schemaSteps), {
        initializationFailTimeoutMs: options.pool.initializationFailTimeoutMs,
        initialBackoffMs: options.initialBackoffMs ?? 500,
        maxBackoffMs: options.maxBackoffMs ?? 10_000,
        logger,
        describe,
      });
      return startup;
    },
    get isReady() {
      return startup?.isReady ?? false;
    },
    health: () => validateDatabase(db, opened.product, options.validationTimeoutMs),
    counters,
    openConnections: () => opened.openConnections(),
    close() {
      closing ??= (async () => {
        startup?.stop();
        await db.destroy();
        logger.debug({ url: redactDatasourceUrl(options.url) }, 'datasource closed');
      })();
      return closing;
    },
  };
}

/** One start-up attempt: connect, create the database if asked and missing, migrate. */
function prepareOnce(
  db: Kysely<any>,
  target: DatasourceTarget,
  context: DialectContext,
  options: DataSourceOptions,
  family: SqlFamily,
  describe: string,
) {
  const createIfMissing = target.kind !== 'sqlite' && jdbcProperties(target).createDatabaseIfNotExist;
  return async (schemaSteps: ReadonlyArray<(db: Kysely<any>) => Promise<void>>) => {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      const failure = classifyDatabaseError(error);
      if (failure === 'unknown-database' && createIfMissing) {
        await createDatabase(target, context).catch((cause: unknown) => {
          throw classifyDatabaseError(cause) === 'unavailable' ? cause : cannotCreate(describe, cause);
        });
        await sql`select 1`.execute(db);
      } else throw explain(failure, error, describe, target);
    }
    const flyway = options.flyway;
    const migrations = resolveMigrations({
      folders: flyway.enabled ? options.migrationFolders : [],
      typed: flyway.enabled ? (options.migrations ?? {}) : {},
      family,
      placeholders: flyway.placeholderReplacement ? flyway.placeholders : null,
      builtIns: {
        table: flyway.table,
        database: target.kind === 'sqlite' ? 'main' : target.database,
        user: context.username ?? (target.kind === 'sqlite' ? '' : (target.user ?? '')),
      },
    });
    await migrate(db, {
      family,
      migrations,
      settings: flyway,
      installedBy: context.username ?? (target.kind === 'sqlite' ? '' : (target.user ?? '')),
      schemaSteps,
      logger: options.logger.child({ component: 'migrations' }),
      lockRetryDelayMs: options.lockRetryDelayMs,
    });
  };
}

/** The start-up error for a refused connection: what was refused, never the password. */
function explain(failure: string, error: unknown, describe: string, target: DatasourceTarget): unknown {
  if (failure === 'credentials')
    return BootErrors.DATASOURCE({
      message: `Cannot connect to ${describe}: the user name or password was refused (spring.datasource.username, spring.datasource.password)`,
      cause: error,
    });
  if (failure === 'unknown-database' && target.kind !== 'sqlite')
    return BootErrors.DATASOURCE({
      message: `The database '${target.database}' does not exist on ${target.host}:${target.port}: create it, or add createDatabaseIfNotExist=true to spring.datasource.url`,
      cause: error,
    });
  return error;
}

function cannotCreate(describe: string, cause: unknown) {
  return BootErrors.DATASOURCE({
    message: `The database of ${describe} does not exist and could not be created (createDatabaseIfNotExist): the user may lack the right to create databases`,
    cause,
  });
}

/** Spring's `DataSourceHealthIndicator`: UP when `select 1` answers within `timeoutMs`. */
export async function validateDatabase<DB>(
  db: Kysely<DB>,
  product: string,
  timeoutMs: number,
): Promise<HealthResult> {
  const details = { database: product, validationQuery: VALIDATION_QUERY };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'DOWN', details: { ...details, error: 'validation timed out' } }),
      timeoutMs,
    );
    timer.unref();
  });
  const query = sql`select 1`.execute(db).then(
    (): HealthResult => ({ status: 'UP', details }),
    // The error's name only: a driver's message may carry host names or credentials.
    (error: unknown): HealthResult => ({
      status: 'DOWN',
      details: { ...details, error: errorName(error) },
    }),
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorName(error: unknown): string {
  if (BootErrors.DATABASE_UNAVAILABLE.is(error)) return error.code;
  return error instanceof Error ? error.name : 'Error';
}
