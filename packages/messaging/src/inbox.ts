import type { Kysely, Transaction } from 'kysely';
import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { INBOX_DEFAULTS } from './defaults.js';
import { invalidOptions } from './errors.js';
import { ensureIndex } from './internal/sql-schema.js';
import { sqlDialectOf } from './sql-dialect.js';
import type { Message } from './transport.js';

/** Table of processed message ids, one row per (consumer, message id). */
export const INBOX_TABLE = 'stratus_inbox';

/**
 * Creates `stratus_inbox(consumer, message_id, processed_at, PRIMARY KEY
 * (consumer, message_id))` if it does not exist, on SQLite, PostgreSQL or MySQL/MariaDB, with
 * an index on `processed_at` for {@link pruneInbox}; `processed_at` is in milliseconds since
 * the epoch. Idempotent.
 */
export async function ensureInboxSchema(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(INBOX_TABLE)
    .ifNotExists()
    .addColumn('consumer', 'varchar(255)', (c) => c.notNull())
    .addColumn('message_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stratus_inbox_pk', ['consumer', 'message_id'])
    .execute();
  await ensureIndex(db, sqlDialectOf(db), 'stratus_inbox_processed', INBOX_TABLE, ['processed_at']);
}

/** Options of {@link pruneInbox}. */
export interface PruneInboxOptions {
  /**
   * How long a processed id is kept, in ms: longer than any transport may redeliver a message
   * (Kafka's retention), or an old redelivery takes effect again. @default 604800000 (7 days)
   */
  retentionMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/**
 * Deletes the inbox rows processed longer ago than the retention; resolves to how many.
 *
 * @example
 * await pruneInbox(db, { retentionMs: 7 * 24 * 3_600_000 });
 */
export async function pruneInbox(
  db: Kysely<any>,
  options: PruneInboxOptions = {},
): Promise<number> {
  const retentionMs = options.retentionMs ?? INBOX_DEFAULTS.retentionMs;
  if (typeof retentionMs !== 'number' || Number.isNaN(retentionMs) || retentionMs <= 0)
    throw invalidOptions('inbox prune options', ['retentionMs must be a positive number']);
  if (!Number.isFinite(retentionMs)) return 0;
  const cutoff = (options.clock ?? systemClock).now() - retentionMs;
  const result = await db
    .deleteFrom(INBOX_TABLE)
    .where('processed_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Options of {@link createIdempotentHandler}. */
export interface IdempotentHandlerOptions {
  /** The business database; `stratus_inbox` must exist in it (`ensureInboxSchema`). */
  db: Kysely<any>;
  /** Name of this consumer; the same message id is processed once per consumer. */
  consumer: string;
  /** The business change, made through `trx` so it commits with the inbox row. */
  handle: (trx: Transaction<any>, message: Message) => Promise<void>;
  /** @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** Called for each message skipped as a duplicate (to count them). */
  onDuplicate?: (message: Message) => void;
}

/**
 * Wraps a business handler so that each message id takes effect once per
 * consumer: in one transaction it inserts the inbox row, then runs `handle`;
 * both commit or neither does. A message whose id is already recorded resolves
 * without calling `handle`. Other failures reject, so the transport retries.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`
 * @example
 * const handler = createIdempotentHandler({
 *   db, consumer: 'inventory',
 *   handle: async (trx, m) => { await reserveStock(trx, m.json<OrderCreated>()); },
 * });
 * await transport.subscribe({ topics: ['order.created'], groupId: 'inventory', handler });
 */
export function createIdempotentHandler(
  options: IdempotentHandlerOptions,
): (message: Message) => Promise<void> {
  const problems: string[] = [];
  if (typeof options?.db?.transaction !== 'function') problems.push('db must be a Kysely instance');
  if (typeof options?.consumer !== 'string' || options.consumer.length === 0)
    problems.push('consumer must be a non-empty string');
  if (typeof options?.handle !== 'function') problems.push('handle must be a function');
  if (problems.length > 0) {
    throw invalidOptions('idempotent handler options', problems);
  }
  const { db, consumer, handle } = options;
  const clock = options.clock ?? systemClock;
  const logger = (options.logger ?? createSilentLogger()).child({
    component: 'idempotent-handler',
    consumer,
  });

  const isProcessed = async (messageId: string): Promise<boolean> => {
    const row = await db
      .selectFrom(INBOX_TABLE)
      .select('message_id')
      .where('consumer', '=', consumer)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    return row !== undefined;
  };

  return async (message: Message): Promise<void> => {
    try {
      await db.transaction().execute(async (trx) => {
        // Insert first: a duplicate fails here on the primary key, before any
        // business change, and the insert takes the write lock up front.
        await trx
          .insertInto(INBOX_TABLE)
          .values({ consumer, message_id: message.id, processed_at: clock.now() })
          .execute();
        await handle(trx, message);
      });
    } catch (error) {
      // Portable duplicate detection (SQLite, PostgreSQL and MySQL word the key violation
      // differently, and PostgreSQL aborts the transaction): after the rollback, look it up.
      let isDuplicate = false;
      try {
        isDuplicate = await isProcessed(message.id);
      } catch {
        // The lookup failing too is reported as the original error.
      }
      if (!isDuplicate) throw error;
      logger.debug({ messageId: message.id, topic: message.topic }, 'duplicate message skipped');
      options.onDuplicate?.(message);
    }
  };
}
