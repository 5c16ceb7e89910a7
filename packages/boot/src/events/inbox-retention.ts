import type { Kysely } from 'kysely';
import type { Logger } from '@stratus/core';
import { pruneInbox } from '@stratus/messaging';

/** A running inbox pruner. */
export interface InboxPruning {
  /** Stops pruning. Idempotent. */
  stop(): void;
}

const MIN_INTERVAL_MS = 60_000;
const MAX_INTERVAL_MS = 3_600_000;

/**
 * Deletes processed message ids older than `retentionMs` from `stratus_inbox` now and then
 * (a tenth of the retention, between one minute and one hour); `Infinity` keeps them all.
 * Failures (the database restarting) are logged and tried again at the next round.
 */
export function startInboxPruning(
  db: Kysely<any>,
  retentionMs: number,
  logger: Logger,
): InboxPruning {
  if (!Number.isFinite(retentionMs)) return { stop: () => undefined };
  const intervalMs = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, retentionMs / 10));
  const log = logger.child({ component: 'inbox' });
  const timer = setInterval(() => {
    pruneInbox(db, { retentionMs }).then(
      (rows) => {
        if (rows > 0) log.debug({ rows }, 'processed message ids pruned');
      },
      (error: unknown) => log.warn({ err: error }, 'inbox pruning failed; will retry'),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
