import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Clock } from '@stratus/core';
import { OUTBOX_TABLE, type OutboxRow } from './outbox-schema.js';
import { inWriteTransaction, sqlDialectOf, supportsSkipLocked } from './sql-dialect.js';

/**
 * How relays sharing one database split the outbox so that no row is published by two of them
 * at once: `skip-locked` holds the rows' locks (`SELECT … FOR UPDATE SKIP LOCKED`) from the
 * claim to the mark, so a relay that dies releases them with its connection; `lease` writes a
 * claim with an expiry into the rows and publishes outside the transaction, so a relay that
 * dies leaves them to the others once the lease expires. `auto` takes `skip-locked` where the
 * database has it (PostgreSQL, MySQL 8, MariaDB 10.6+), `lease` elsewhere (SQLite).
 */
export type ClaimStrategy = 'auto' | 'skip-locked' | 'lease';

/** What one relay round did. */
export interface RelayRound {
  /** Unpublished rows it could claim (at most the limit). */
  readonly candidates: number;
  /** Rows it published and marked. */
  readonly published: number;
}

/** Claims, publishes and marks outbox rows for one relay. */
export interface OutboxClaims {
  readonly strategy: 'skip-locked' | 'lease';
  /**
   * Claims up to `limit` unpublished rows in created order, leaving out every row whose key
   * has an earlier unpublished row held by another relay (so each key keeps its order), hands
   * them to `publish`, then marks them published. A failure leaves them unpublished.
   */
  relayRound(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<RelayRound>;
}

/** What the claims need. */
export interface ClaimContext {
  readonly db: Kysely<any>;
  readonly clock: Clock;
  /** This relay's unique name, written into lease claims. */
  readonly owner: string;
  /** How long a lease claim keeps other relays off its rows, ms. */
  readonly leaseMs: number;
}

const ROW_COLUMNS = ['id', 'topic', 'key', 'headers', 'payload', 'created_at'] as const;

/** Picks and builds the claims of `strategy` for the database of `context.db`. */
export async function createClaims(
  strategy: ClaimStrategy,
  context: ClaimContext,
): Promise<OutboxClaims> {
  const chosen =
    strategy === 'auto'
      ? (await supportsSkipLocked(context.db))
        ? 'skip-locked'
        : 'lease'
      : strategy;
  if (chosen === 'skip-locked' && sqlDialectOf(context.db) === 'sqlite')
    throw new Error('SQLite has no row locks: use the lease claim strategy');
  return chosen === 'skip-locked' ? skipLockedClaims(context) : leaseClaims(context);
}

/** Rows nobody holds a live lease on. */
function isClaimable(now: number) {
  return (eb: ExpressionBuilder<any, any>) =>
    eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]);
}

function skipLockedClaims({ db, clock }: ClaimContext): OutboxClaims {
  return {
    strategy: 'skip-locked',
    relayRound: (limit, publish) =>
      inWriteTransaction(db, async (trx) => {
        const rows = (await trx
          .selectFrom(OUTBOX_TABLE)
          .select(ROW_COLUMNS)
          .where('published_at', 'is', null)
          .where(isClaimable(clock.now()))
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute()) as OutboxRow[];
        const ready = await inKeyOrder(trx, rows);
        if (ready.length > 0) {
          // Publish, then mark, both under the row locks: a crash in between rolls the mark
          // back and another relay publishes the same ids again (idempotent consumers absorb them).
          await publish(ready);
          await markPublished(trx, ready, clock.now());
        }
        return { candidates: rows.length, published: ready.length };
      }),
  };
}

function leaseClaims({ db, clock, owner, leaseMs }: ClaimContext): OutboxClaims {
  const isSqlite = sqlDialectOf(db) === 'sqlite';
  let claims = 0;
  return {
    strategy: 'lease',
    async relayRound(limit, publish) {
      claims += 1;
      const claim = `${owner}/${claims}`;
      const { rows, ready } = await inWriteTransaction(db, async (trx) => {
        const now = clock.now();
        let query = trx
          .selectFrom(OUTBOX_TABLE)
          .select(ROW_COLUMNS)
          .where('published_at', 'is', null)
          .where(isClaimable(now))
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit);
        // Serialises claims on a server database (SQLite's IMMEDIATE transaction already does).
        if (!isSqlite) query = query.forUpdate();
        const rows = (await query.execute()) as OutboxRow[];
        const ready = await inKeyOrder(trx, rows);
        if (ready.length > 0)
          await trx
            .updateTable(OUTBOX_TABLE)
            .set({ claimed_by: claim, claimed_until: now + leaseMs })
            .where('id', 'in', idsOf(ready))
            .execute();
        return { rows, ready };
      });
      if (ready.length === 0) return { candidates: rows.length, published: 0 };
      try {
        await publish(ready);
      } catch (error) {
        await release(db, claim).catch(() => undefined);
        throw error;
      }
      await markPublished(db, ready, clock.now());
      return { candidates: rows.length, published: ready.length };
    },
  };
}

/**
 * `rows` (in created order) without those whose key has an earlier unpublished row outside
 * `rows`: such a row is held by another relay, and publishing after it keeps the key's order.
 * Rows without a key carry no order and always go.
 */
async function inKeyOrder(trx: Kysely<any>, rows: OutboxRow[]): Promise<OutboxRow[]> {
  const firstOfKey = new Map<string, OutboxRow>();
  for (const row of rows)
    if (row.key !== null && !firstOfKey.has(row.key)) firstOfKey.set(row.key, row);
  if (firstOfKey.size === 0) return rows;
  const blocked = await trx
    .selectFrom(OUTBOX_TABLE)
    .select('key')
    .distinct()
    .where('published_at', 'is', null)
    .where('id', 'not in', idsOf(rows))
    .where((eb) =>
      eb.or(
        [...firstOfKey.values()].map((first) => {
          const createdAt = Number(first.created_at);
          return eb.and([
            eb('key', '=', first.key),
            eb.or([
              eb('created_at', '<', createdAt),
              eb.and([eb('created_at', '=', createdAt), eb('id', '<', first.id)]),
            ]),
          ]);
        }),
      ),
    )
    .execute();
  if (blocked.length === 0) return rows;
  const blockedKeys = new Set(blocked.map((row: { key: string | null }) => row.key));
  return rows.filter((row) => row.key === null || !blockedKeys.has(row.key));
}

async function markPublished(db: Kysely<any>, rows: OutboxRow[], now: number): Promise<void> {
  // A lease that expired during the publish may have passed the rows to another relay, which
  // published them again and marked them first; marking once is enough.
  await db
    .updateTable(OUTBOX_TABLE)
    .set({ published_at: now, claimed_by: null, claimed_until: null })
    .where('id', 'in', idsOf(rows))
    .where('published_at', 'is', null)
    .execute();
}

/** Gives up a lease claim at once (after a failed publish) instead of waiting for it to expire. */
async function release(db: Kysely<any>, claim: string): Promise<void> {
  await db
    .updateTable(OUTBOX_TABLE)
    .set({ claimed_by: null, claimed_until: null })
    .where('claimed_by', '=', claim)
    .where('published_at', 'is', null)
    .execute();
}

function idsOf(rows: OutboxRow[]): string[] {
  return rows.map((row) => row.id);
}
