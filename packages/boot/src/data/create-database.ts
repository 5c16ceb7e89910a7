import { Kysely, sql } from 'kysely';
import { BootErrors } from '../errors.js';
import type { ServerTarget } from './datasource-url.js';
import { DIALECT_FACTORIES, type DialectContext } from './dialects.js';

/** Database names Stratus creates: no quoting tricks, at most 63 characters (PostgreSQL's limit). */
const SAFE_NAME = /^[A-Za-z0-9_$-]{1,63}$/;

/**
 * Creates the database `target` names, as Connector/J's `createDatabaseIfNotExist=true` does
 * (and, in Stratus, on PostgreSQL too): connected to the server's maintenance database
 * (`postgres`) or to none (MySQL/MariaDB, with utf8mb4), with the datasource's own user. A
 * database created meanwhile by another instance counts as created.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for a name it will not quote; the driver's error
 *   when the user may not create databases.
 */
export async function createDatabase(target: ServerTarget, context: DialectContext): Promise<void> {
  if (!SAFE_NAME.test(target.database))
    throw BootErrors.DATASOURCE({
      message: `createDatabaseIfNotExist: '${target.database}' is not a database name Stratus creates (letters, digits, _, $ and -, at most 63)`,
    });
  const isPostgres = target.kind === 'postgresql';
  const admin = DIALECT_FACTORIES[target.kind](
    { ...target, database: isPostgres ? 'postgres' : '' },
    { ...context, pool: { ...context.pool, maximumPoolSize: 1, minimumIdle: 0 } },
  );
  const db = new Kysely<unknown>({ dialect: admin.dialect });
  try {
    if (!isPostgres) {
      await sql`create database if not exists ${sql.id(target.database)} character set utf8mb4 collate utf8mb4_unicode_ci`.execute(db);
      return;
    }
    const exists = await sql`select 1 from pg_database where datname = ${target.database}`.execute(db);
    if (exists.rows.length > 0) return;
    await sql`create database ${sql.id(target.database)}`.execute(db).catch((error: unknown) => {
      // 42P04 duplicate_database, or 23505 when two instances race on pg_database's index.
      const code = (error as { code?: unknown }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    });
  } finally {
    await db.destroy();
  }
}
