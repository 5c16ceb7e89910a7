import {
  MysqlAdapter,
  PostgresAdapter,
  SqliteAdapter,
  sql,
  type Kysely,
  type Transaction,
} from 'kysely';

/** The SQL databases the outbox and the inbox run on. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

const BY_ADAPTER_NAME: Readonly<Record<string, SqlDialect>> = {
  SqliteAdapter: 'sqlite',
  PostgresAdapter: 'postgres',
  MysqlAdapter: 'mysql',
};

/**
 * The SQL dialect behind `db`, read from its kysely adapter (MariaDB counts as `mysql`).
 *
 * @throws Error for a dialect the outbox does not know (MS SQL Server and others).
 * @example
 * sqlDialectOf(db); // 'postgres'
 */
export function sqlDialectOf(db: Kysely<any>): SqlDialect {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof MysqlAdapter) return 'mysql';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  // A second copy of kysely in node_modules fails instanceof; its class names are the same.
  const byName = BY_ADAPTER_NAME[adapter.constructor.name];
  if (byName !== undefined) return byName;
  throw new Error(`unsupported SQL dialect: ${adapter.constructor.name}`);
}

/**
 * Runs `work` in a transaction that writes: on SQLite it begins `IMMEDIATE`, taking the write
 * lock up front (a deferred transaction that reads, then writes, fails with SQLITE_BUSY when
 * another process wrote in between, without waiting for `busy_timeout`); on PostgreSQL and
 * MySQL it runs at READ COMMITTED, so InnoDB's locking reads take no gap locks that would hold
 * up the business inserts of other connections.
 */
export async function inWriteTransaction<T>(
  db: Kysely<any>,
  work: (trx: Kysely<any>) => Promise<T>,
): Promise<T> {
  if (sqlDialectOf(db) !== 'sqlite') {
    return db
      .transaction()
      .setIsolationLevel('read committed')
      .execute((trx: Transaction<any>) => work(trx));
  }
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Whether `SELECT … FOR UPDATE SKIP LOCKED` is available: PostgreSQL 9.5+, MySQL 8.0+ and
 * MariaDB 10.6+; never on SQLite (which has no row locks).
 */
export async function supportsSkipLocked(db: Kysely<any>): Promise<boolean> {
  const dialect = sqlDialectOf(db);
  if (dialect === 'postgres') return true;
  if (dialect === 'sqlite') return false;
  const result = await sql<{ v: string }>`select version() as v`.execute(db);
  const version = String(result.rows[0]?.v ?? '');
  const [major = 0, minor = 0] = version.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  return /mariadb/i.test(version) ? major > 10 || (major === 10 && minor >= 6) : major >= 8;
}
