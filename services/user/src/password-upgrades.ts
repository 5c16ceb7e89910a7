import type { Kysely } from 'kysely';
import type { Logger } from '@stratus/core';
import type { UserDatabase } from './db.js';
import type { PasswordHasher } from './passwords.js';

/** Re-hashes passwords stored in an older format, off the login's path. */
export interface PasswordUpgrader {
  /**
   * After the current response is written, hashes `password` anew and stores it for `userId`,
   * unless the row no longer holds `storedHash` (changed meanwhile). At most one upgrade per
   * user at a time; ignored after `close()`. Call only after `password` matched `storedHash`.
   */
  schedule(userId: string, storedHash: string, password: string, fromFormat: string): void;
  /** Waits for the scheduled upgrades to finish. Idempotent. */
  close(): Promise<void>;
}

/** What {@link createPasswordUpgrader} needs. */
export interface PasswordUpgraderOptions {
  db: Kysely<UserDatabase>;
  passwords: PasswordHasher;
  logger: Logger;
}

/**
 * Creates the upgrader that moves users to the preferred hash at their next successful login,
 * as Spring Security's `DaoAuthenticationProvider` does through `UserDetailsPasswordService`.
 *
 * @example
 * const upgrades = createPasswordUpgrader({ db, passwords, logger });
 * if (check.needsRehash) upgrades.schedule(user.user_id, user.encrypted_pwd, password, check.format);
 */
export function createPasswordUpgrader({
  db,
  passwords,
  logger,
}: PasswordUpgraderOptions): PasswordUpgrader {
  const pending = new Map<string, Promise<void>>();
  let isClosed = false;

  async function upgrade(userId: string, storedHash: string, password: string, from: string) {
    const fresh = await passwords.hash(password);
    // Compare-and-set: a password changed since this login must not be overwritten.
    const result = await db
      .updateTable('users')
      .set({ encrypted_pwd: fresh })
      .where('user_id', '=', userId)
      .where('encrypted_pwd', '=', storedHash)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) > 0) logger.info({ userId, from }, 'password hash upgraded');
  }

  return {
    schedule(userId, storedHash, password, fromFormat) {
      if (isClosed || pending.has(userId)) return;
      const job = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => upgrade(userId, storedHash, password, fromFormat))
        .catch((error: unknown) => {
          const e = error as { code?: unknown; message?: unknown };
          logger.warn({ userId, code: e.code, reason: e.message }, 'password hash upgrade failed');
        })
        .finally(() => pending.delete(userId));
      pending.set(userId, job);
    },
    async close() {
      isClosed = true;
      await Promise.all([...pending.values()]);
    },
  };
}
