import { sql, type Kysely } from 'kysely';
import { columnsOf, ensureIndex } from './internal/sql-schema.js';
import { sqlDialectOf } from './sql-dialect.js';

/** Table holding messages written with business changes, waiting for the relay. */
export const OUTBOX_TABLE = 'stratus_outbox';
/**
 * Table of the relay-wide lease of the first release (one relay per database published).
 * @deprecated Relays now claim rows (`claimed_by`, `claimed_until` in `stratus_outbox`); the
 *   table is no longer created or read.
 */
export const OUTBOX_LEASE_TABLE = 'stratus_outbox_lease';

/** The columns the relay reads from an outbox row. */
export interface OutboxRow {
  id: string;
  topic: string;
  key: string | null;
  headers: string;
  payload: string;
  /** Milliseconds since the epoch (PostgreSQL's driver may hand a `bigint` over as text). */
  created_at: number | string;
}

/**
 * Creates the outbox table if it does not exist, on SQLite, PostgreSQL or MySQL/MariaDB:
 * `stratus_outbox(id, topic, key, headers, payload, created_at, published_at, claimed_by,
 * claimed_until)` with an index on `(published_at, created_at)`. Times are milliseconds since
 * the epoch (`bigint`). A table made by the first release gains the two claim columns.
 * Idempotent; run it where no other process runs it at the same time (boot runs it under its
 * migration lock).
 */
export async function ensureOutboxSchema(db: Kysely<any>): Promise<void> {
  const dialect = sqlDialectOf(db);
  const columns = await columnsOf(db, dialect, OUTBOX_TABLE);
  if (columns === null) {
    // MySQL's TEXT holds 64 KiB; a Kafka message may be 1 MiB.
    const body = dialect === 'mysql' ? sql`mediumtext` : sql`text`;
    await db.schema
      .createTable(OUTBOX_TABLE)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('topic', 'varchar(255)', (c) => c.notNull())
      .addColumn('key', 'varchar(255)')
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('payload', body, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('published_at', 'bigint')
      .addColumn('claimed_by', 'varchar(255)')
      .addColumn('claimed_until', 'bigint')
      .execute();
  } else {
    if (!columns.has('claimed_by'))
      await db.schema.alterTable(OUTBOX_TABLE).addColumn('claimed_by', 'varchar(255)').execute();
    if (!columns.has('claimed_until'))
      await db.schema.alterTable(OUTBOX_TABLE).addColumn('claimed_until', 'bigint').execute();
  }
  await ensureIndex(db, dialect, 'stratus_outbox_pending', OUTBOX_TABLE, [
    'published_at',
    'created_at',
  ]);
}
