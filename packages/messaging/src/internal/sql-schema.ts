import { sql, type Kysely } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';

/** The column names of `table` in the current schema, or null when there is no such table. */
export async function columnsOf(
  db: Kysely<any>,
  dialect: SqlDialect,
  table: string,
): Promise<Set<string> | null> {
  const query =
    dialect === 'sqlite'
      ? sql<{ name: string }>`select name from pragma_table_info(${table})`
      : dialect === 'postgres'
        ? sql<{ name: string }>`select column_name as name from information_schema.columns
            where table_schema = current_schema() and table_name = ${table}`
        : sql<{ name: string }>`select column_name as name from information_schema.columns
            where table_schema = database() and table_name = ${table}`;
  const { rows } = await query.execute(db);
  return rows.length === 0 ? null : new Set(rows.map((row) => String(row.name).toLowerCase()));
}

/** Creates index `name` on `table(columns)` unless an index of that name exists. */
export async function ensureIndex(
  db: Kysely<any>,
  dialect: SqlDialect,
  name: string,
  table: string,
  columns: string[],
): Promise<void> {
  if (dialect !== 'mysql') {
    await db.schema.createIndex(name).ifNotExists().on(table).columns(columns).execute();
    return;
  }
  // MySQL 8 has no CREATE INDEX IF NOT EXISTS (MariaDB has).
  const { rows } = await sql<{ n: number }>`select count(*) as n from information_schema.statistics
      where table_schema = database() and table_name = ${table} and index_name = ${name}`.execute(
    db,
  );
  if (Number(rows[0]?.n ?? 0) > 0) return;
  await db.schema.createIndex(name).on(table).columns(columns).execute();
}
