import type { Kysely } from 'kysely';
import type { Logger } from '@stratus/core';
import { BootErrors } from '../../errors.js';
import type { FlywaySettings } from '../datasource-settings.js';
import type { SqlFamily } from '../dialects.js';
import { withMigrationLock } from './migration-lock.js';
import { compareVersions } from './migration-names.js';
import type { ResolvedMigration } from './migration-sources.js';
import { BASELINE_MARKER, SchemaHistory, type HistoryRow } from './schema-history.js';

/** What {@link migrate} needs. */
export interface MigrateOptions {
  readonly family: SqlFamily;
  readonly migrations: readonly ResolvedMigration[];
  readonly settings: FlywaySettings;
  /** Written to `installed_by`. */
  readonly installedBy: string;
  /** Schema the platform owns (the outbox and inbox tables), made under the same lock. */
  readonly schemaSteps: ReadonlyArray<(db: Kysely<any>) => Promise<void>>;
  readonly logger: Logger;
  /** Between two tries of a lock another instance holds, ms. @default 1000 */
  readonly lockRetryDelayMs?: number;
}

/**
 * Flyway's `migrate` with `validateOnMigrate`, under the schema's migration lock: creates the
 * history table (or a baseline row for an existing schema when `baseline-on-migrate` says so),
 * refuses to go on when an applied migration was edited, removed or left failed, or a new one
 * is older than the schema, then applies the pending ones in version order — each in its own
 * transaction with its history row on PostgreSQL, all in one on SQLite; on MySQL/MariaDB (DDL
 * commits by itself) a failure is recorded as a failed row, as Flyway does. Resolves to the
 * versions applied.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` naming the migration and the problem;
 *   `BOOT_ERR_DATABASE_UNAVAILABLE` when the database stops answering.
 */
export async function migrate(db: Kysely<any>, options: MigrateOptions): Promise<string[]> {
  const { settings } = options;
  const lock = {
    table: settings.table,
    retries: settings.lockRetryCount,
    retryDelayMs: options.lockRetryDelayMs ?? 1_000,
  };
  return withMigrationLock(db, options.family, lock, async (connection) => {
    const applied = settings.enabled ? await applyPending(connection, options) : [];
    for (const step of options.schemaSteps) await step(connection);
    return applied;
  });
}

async function applyPending(db: Kysely<any>, options: MigrateOptions): Promise<string[]> {
  const { settings, family, installedBy } = options;
  const history = new SchemaHistory(db, family, settings.table);
  if (!(await history.exists())) {
    const isNonEmpty = await history.hasOtherTables();
    if (isNonEmpty && !settings.baselineOnMigrate)
      throw BootErrors.DATASOURCE({
        message: `Found a non-empty schema without ${settings.table}: set spring.flyway.baseline-on-migrate=true to take it as version ${settings.baselineVersion} (spring.flyway.baseline-version), or start from an empty database`,
      });
    await history.create();
    if (isNonEmpty)
      await history.append({
        version: settings.baselineVersion,
        description: BASELINE_MARKER,
        type: 'BASELINE',
        script: BASELINE_MARKER,
        checksum: null,
        success: true,
        installedBy,
        executionTimeMs: 0,
      });
  }
  const pending = pendingMigrations(await history.rows(), options.migrations, settings);
  for (const migration of pending) await apply(db, history, migration, options);
  if (pending.length > 0)
    options.logger.info(
      { migrations: pending.map((m) => m.script), table: settings.table },
      'migrations applied',
    );
  return pending.map((m) => m.version);
}

/** The migrations to apply after checking the history against what is resolved locally. */
function pendingMigrations(
  rows: readonly HistoryRow[],
  migrations: readonly ResolvedMigration[],
  settings: FlywaySettings,
): ResolvedMigration[] {
  const failed = rows.find((row) => !row.success);
  if (failed)
    throw problem(
      failed.script,
      `failed earlier and is marked failed in ${settings.table}: undo what it changed, delete its row (installed_rank ${failed.installedRank}), then start again`,
    );
  const baseline = rows.find((row) => row.type === 'BASELINE')?.version ?? null;
  const applied = rows.filter((row) => row.version !== null && row.type !== 'BASELINE');
  if (settings.validateOnMigrate) for (const row of applied) validateApplied(row, migrations);
  const versions = [baseline, ...applied.map((row) => row.version)].filter((v) => v !== null);
  const current = versions.sort(compareVersions).at(-1) ?? null;
  const isApplied = (m: ResolvedMigration) =>
    applied.some((row) => compareVersions(row.version!, m.version) === 0);
  const pending = migrations.filter(
    (m) => !isApplied(m) && (baseline === null || compareVersions(m.version, baseline) > 0),
  );
  const late = pending.find((m) => current !== null && compareVersions(m.version, current) < 0);
  if (late)
    throw problem(
      late.script,
      `is not applied but the schema is already at version ${current}; give it a version above ${current}`,
    );
  return pending;
}

function validateApplied(row: HistoryRow, migrations: readonly ResolvedMigration[]): void {
  const local = migrations.find((m) => compareVersions(m.version, row.version!) === 0);
  if (!local)
    throw problem(
      row.script,
      `(version ${row.version}) was applied to the database but is not found locally (spring.flyway.locations)`,
    );
  if (local.description !== row.description)
    throw problem(
      local.script,
      `does not match version ${row.version} in the database, applied as ${row.script} ('${row.description}'): a renamed migration, or the database of another service`,
    );
  if (local.checksum !== row.checksum)
    throw problem(
      local.script,
      `was edited after it was applied: checksum ${String(local.checksum)} locally, ${String(row.checksum)} in the database. Put the applied text back and write a new migration for the change`,
    );
}

async function apply(
  db: Kysely<any>,
  history: SchemaHistory,
  migration: ResolvedMigration,
  options: MigrateOptions,
): Promise<void> {
  const started = performance.now();
  const row = (success: boolean) => ({
    version: migration.version,
    description: migration.description,
    type: migration.type,
    script: migration.script,
    checksum: migration.checksum,
    success,
    installedBy: options.installedBy,
    executionTimeMs: performance.now() - started,
  });
  try {
    if (options.family === 'postgresql') {
      await db.transaction().execute(async (trx) => {
        await migration.run(trx);
        await history.append(row(true), trx);
      });
      return;
    }
    // SQLite: inside the lock's transaction. MySQL: each DDL statement commits by itself.
    await migration.run(db);
    await history.append(row(true));
  } catch (error) {
    if (BootErrors.DATABASE_UNAVAILABLE.is(error) || BootErrors.DATASOURCE.is(error)) throw error;
    if (options.family === 'mysql') await history.append(row(false)).catch(() => undefined);
    throw BootErrors.DATASOURCE({
      message: `Migration ${migration.script} failed${options.family === 'mysql' ? ` and is marked failed in ${options.settings.table}` : ''}`,
      details: { migration: migration.script, version: migration.version },
      cause: error,
    });
  }
}

function problem(script: string, what: string) {
  return BootErrors.DATASOURCE({
    message: `Migration ${script} ${what}`,
    details: { migration: script },
  });
}
