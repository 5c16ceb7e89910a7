import { sql, type RawBuilder } from 'kysely';
import type { Migrations, SqlFamily } from '@stratus/boot';

/** `users`: one row per registered user. */
export interface UsersTable {
  user_id: string;
  /** Compared case-insensitively (the column's collation), unique. */
  email: string;
  name: string;
  /**
   * The password hash as Spring Security's `DelegatingPasswordEncoder` stores it
   * (`{argon2@SpringSecurity_v5_8}$argon2id$…`, `{bcrypt}$2a$…`, or a bare `$2a$…`), so a Java
   * user-service can share the table; never leaves the service.
   */
  encrypted_pwd: string;
  /** ISO-8601. */
  created_at: string;
}

/** The user-service database. */
export interface UserDatabase {
  users: UsersTable;
}

/** A case-insensitive collation for `email` on each database. */
const NOCASE: Readonly<Record<SqlFamily, RawBuilder<unknown>>> = {
  sqlite: sql`collate nocase`,
  // ICU's level-2 strength ignores case; a nondeterministic collation may back a unique index.
  postgresql: sql`collate stratus_nocase`,
  mysql: sql`collate utf8mb4_unicode_ci`,
};

/**
 * Typed migrations: `V1__users` is typed rather than SQL because "case-insensitive email" is
 * spelt differently by each database (SQLite's `NOCASE`, an ICU collation on PostgreSQL,
 * MariaDB's `_ci` collations); the rest of the table is the same everywhere.
 */
export const USER_MIGRATIONS: Migrations = {
  V1__users: {
    async up(db, { dialect }) {
      if (dialect === 'postgresql')
        await sql`create collation if not exists stratus_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`.execute(
          db,
        );
      await db.schema
        .createTable('users')
        .addColumn('user_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('email', 'varchar(255)', (c) => c.notNull().modifyEnd(NOCASE[dialect]))
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('encrypted_pwd', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('users_email_unique')
        .unique()
        .on('users')
        .column('email')
        .execute();
    },
  },
};

/**
 * True when `error` is the unique-index violation on `users.email` (SQLite, PostgreSQL or
 * MariaDB/MySQL).
 */
export function isDuplicateEmailError(error: unknown): boolean {
  const e = error as {
    code?: unknown;
    message?: unknown;
    constraint?: unknown;
    sqlMessage?: unknown;
  };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE')
    return typeof e.message === 'string' && e.message.includes('users.email');
  if (e?.code === '23505') return e.constraint === 'users_email_unique';
  if (e?.code === 'ER_DUP_ENTRY')
    return typeof e.sqlMessage === 'string' && e.sqlMessage.includes('users_email_unique');
  return false;
}
