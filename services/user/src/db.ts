import { sql, type Kysely, type Migration } from 'kysely';

/** `users`: one row per registered user. */
export interface UsersTable {
  user_id: string;
  /** Compared case-insensitively (`COLLATE NOCASE`), unique. */
  email: string;
  name: string;
  /** argon2id PHC string; never leaves the service. */
  encrypted_pwd: string;
  /** ISO-8601. */
  created_at: string;
}

/** The user-service database. */
export interface UserDatabase {
  users: UsersTable;
}

/** Schema migrations, applied in name order by `openDatabase`. */
export const USER_MIGRATIONS: Record<string, Migration> = {
  '0001_users': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().modifyEnd(sql`collate nocase`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('encrypted_pwd', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
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

/** True when `error` is the unique-index violation on `users.email` (SQLite or PostgreSQL). */
export function isDuplicateEmailError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE')
    return typeof e.message === 'string' && e.message.includes('users.email');
  if (e?.code === '23505') return e.constraint === 'users_email_unique';
  return false;
}
