import { crc32 } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { BootErrors } from '../../errors.js';
import type { SqlFamily } from '../dialects.js';
import { classifyDatabaseError } from '../database-errors.js';

/** How to wait for the lock another instance holds. */
export interface LockOptions {
  /** The history table: instances sharing it share the lock. */
  readonly table: string;
  /** Tries after the first, `retryDelayMs` apart (`spring.flyway.lock-retry-count`). */
  readonly retries: number;
  readonly retryDelayMs: number;
}

/**
 * Runs `work` on one connection while holding the schema's migration lock, so that instances
 * starting together migrate one after the other: a session advisory lock on PostgreSQL
 * (`pg_try_advisory_lock`), a named lock on MySQL/MariaDB (`GET_LOCK`), and on SQLite the
 * database's write lock itself (`BEGIN IMMEDIATE`; `work` then runs inside that transaction,
 * so a failure leaves the schema as it was).
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` when the lock stays taken through every retry.
 */
export async function withMigrationLock<T>(
  db: Kysely<any>,
  family: SqlFamily,
  options: LockOptions,
  work: (connection: Kysely<any>) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (connection) => {
    const lock = LOCKS[family];
    await acquire(() => lock.tryAcquire(connection, options.table), options);
    try {
      const result = await work(connection);
      await lock.afterWork(connection, true);
      return result;
    } catch (error) {
      await lock.afterWork(connection, false).catch(() => undefined);
      throw error;
    } finally {
      await lock.release(connection, options.table).catch(() => undefined);
    }
  });
}

interface Lock {
  tryAcquire(db: Kysely<any>, table: string): Promise<boolean>;
  /** SQLite ends its transaction here (commit when `ok`); the servers have nothing to do. */
  afterWork(db: Kysely<any>, ok: boolean): Promise<void>;
  release(db: Kysely<any>, table: string): Promise<void>;
}

/** A number of the lock per history table, shared by every instance (a signed 32-bit CRC). */
function lockKey(table: string): number {
  return crc32(`stratus.migrations:${table}`) | 0;
}

const LOCKS: Readonly<Record<SqlFamily, Lock>> = {
  postgresql: {
    async tryAcquire(db, table) {
      const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${lockKey(table)}) as ok`.execute(db);
      return rows[0]?.ok === true;
    },
    afterWork: async () => undefined,
    async release(db, table) {
      await sql`select pg_advisory_unlock(${lockKey(table)})`.execute(db);
    },
  },
  mysql: {
    async tryAcquire(db, table) {
      const { rows } = await sql<{ ok: number | null }>`select get_lock(${`stratus-migrate-${lockKey(table)}`}, 1) as ok`.execute(db);
      return Number(rows[0]?.ok) === 1;
    },
    afterWork: async () => undefined,
    async release(db, table) {
      await sql`select release_lock(${`stratus-migrate-${lockKey(table)}`})`.execute(db);
    },
  },
  sqlite: {
    async tryAcquire(db) {
      try {
        await sql`begin immediate`.execute(db);
        return true;
      } catch (error) {
        // busy_timeout already waited; another process is migrating.
        if (classifyDatabaseError(error) === 'unavailable') return false;
        throw error;
      }
    },
    async afterWork(db, ok) {
      await (ok ? sql`commit` : sql`rollback`).execute(db);
    },
    release: async () => undefined,
  },
};

async function acquire(tryOnce: () => Promise<boolean>, options: LockOptions): Promise<void> {
  for (let attempt = 0; attempt <= options.retries; attempt += 1) {
    if (await tryOnce()) return;
    await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
  }
  throw BootErrors.DATASOURCE({
    message: `The migration lock on ${options.table} is still held by another instance after ${options.retries} retries (spring.flyway.lock-retry-count)`,
  });
}
