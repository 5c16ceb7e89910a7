import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { BootErrors } from '../errors.js';
import type { DialectFactory } from './dialects.js';

/** SQLite's `busy_timeout`: how long a writer waits for another process's lock, ms. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * The embedded database: one SQLite file in WAL mode (readers never block the writer),
 * `busy_timeout` so processes sharing the file wait instead of failing, foreign keys on. One
 * connection: kysely runs its queries one at a time, as SQLite writes one at a time anyway.
 */
export const openSqlite: DialectFactory = (target) => {
  if (target.kind !== 'sqlite') throw new Error('sqlite dialect for a server URL');
  let database: Database.Database;
  try {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    database = new Database(target.file);
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    database.pragma('synchronous = NORMAL');
  } catch (error) {
    throw BootErrors.DATASOURCE({ message: 'Cannot open the SQLite database file', cause: error });
  }
  return {
    dialect: new SqliteDialect({ database }),
    product: 'SQLite',
    family: 'sqlite',
    openConnections: () => (database.open ? 1 : 0),
    location: target.file,
  };
};
