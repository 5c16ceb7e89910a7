import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, Migrator, type Migration } from 'kysely';
import { StratusError } from '@stratus/core';

/** Options of `openDatabase`. */
export interface DatabaseOptions {
  /** `spring.datasource.url`: `jdbc:sqlite:./data/user-service.db`, `sqlite:…` or a file path. */
  url: string;
  /** Schema migrations, applied in name order at open. */
  migrations?: Record<string, Migration>;
}

/**
 * Opens the service database. SQLite (WAL, `busy_timeout`) is the embedded
 * default; PostgreSQL and MariaDB URLs are reserved for the production dialects.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for an unsupported URL or a failed migration.
 */
export async function openDatabase<DB>(options: DatabaseOptions): Promise<Kysely<DB>> {
  const file = sqliteFile(options.url);
  if (file === null) {
    throw new StratusError('BOOT_ERR_DATASOURCE', 500, 'Unsupported datasource', {
      message: `spring.datasource.url '${options.url.replace(/\/\/[^@/]*@/, '//***@')}' is not supported yet (SQLite only)`,
      retryable: false,
    });
  }
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  if (options.migrations) {
    const migrations = options.migrations;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed) {
      await db.destroy();
      throw new StratusError('BOOT_ERR_DATASOURCE', 500, 'Migration failed', {
        message: `migration ${failed?.migrationName ?? ''} failed`,
        cause: error,
        retryable: false,
      });
    }
  }
  return db;
}

function sqliteFile(url: string): string | null {
  const match = /^(?:jdbc:)?sqlite:(.*)$/.exec(url);
  if (match) return match[1] === ':memory:' ? ':memory:' : resolve(match[1]!.replace(/^\/\/(?=\/)/, ''));
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return null;
  return resolve(url);
}
