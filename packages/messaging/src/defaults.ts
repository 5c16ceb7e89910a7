/** Defaults of `createEmbeddedLog`, in milliseconds unless named otherwise. */
export const EMBEDDED_LOG_DEFAULTS = Object.freeze({
  pollIntervalMs: 100,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionCheckIntervalMs: 60_000,
  leaseMs: 10_000,
  busyTimeoutMs: 5_000,
  retryBackoffInitialMs: 50,
  retryBackoffMaxMs: 2_000,
  fetchBatchSize: 100,
});

/** Defaults of `createOutbox`, in milliseconds unless named otherwise. */
export const OUTBOX_DEFAULTS = Object.freeze({
  pollIntervalMs: 200,
  batchSize: 100,
  leaseMs: 10_000,
  maxBackoffMs: 30_000,
  /** Published rows are deleted after this (Kafka's default log retention, 168 h). */
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  /** How often the relay looks for rows past the retention. */
  pruneIntervalMs: 60_000,
});

/** Defaults of `pruneInbox`: processed message ids are kept this long (168 h). */
export const INBOX_DEFAULTS = Object.freeze({
  retentionMs: 7 * 24 * 60 * 60 * 1000,
});
