import { REPLICATION_DEFAULTS } from '../../defaults.js';

/** Tuning of peer replication, in ms and counts. */
export interface ReplicationSettings {
  /** Tasks per batch. @default 250 */
  readonly maxBatchSize: number;
  /** Batching delay in ms. @default 500 */
  readonly batchDelayMs: number;
  /** Queued tasks per peer; beyond it the oldest task is dropped with a warn log. @default 10000 */
  readonly maxQueueSize: number;
  /** First retry delay after a transient failure, doubled per failure. @default 100 */
  readonly retryInitialMs: number;
  /** Largest retry delay. @default 30000 */
  readonly retryMaxMs: number;
  /** Timeout of one peer request in ms. @default 5000 */
  readonly requestTimeoutMs: number;
  /** Period of the anti-entropy pass in ms; 0 disables it. @default 30000 */
  readonly antiEntropyIntervalMs: number;
  /** Instances changed more recently than this are left to the normal replication. @default 2000 */
  readonly antiEntropyGraceMs: number;
}

/** Defaults `options` and clamps each value into its usable range. */
export function resolveReplicationSettings(
  options: Partial<ReplicationSettings>,
): ReplicationSettings {
  const d = REPLICATION_DEFAULTS;
  const retryInitialMs = Math.max(1, options.retryInitialMs ?? d.retryInitialMs);
  return Object.freeze({
    maxBatchSize: Math.max(1, options.maxBatchSize ?? d.maxBatchSize),
    batchDelayMs: Math.max(0, options.batchDelayMs ?? d.batchDelayMs),
    maxQueueSize: Math.max(1, options.maxQueueSize ?? d.maxQueueSize),
    retryInitialMs,
    retryMaxMs: Math.max(retryInitialMs, options.retryMaxMs ?? d.retryMaxMs),
    requestTimeoutMs: Math.max(1, options.requestTimeoutMs ?? d.requestTimeoutMs),
    antiEntropyIntervalMs: options.antiEntropyIntervalMs ?? d.antiEntropyIntervalMs,
    antiEntropyGraceMs: options.antiEntropyGraceMs ?? d.antiEntropyGraceMs,
  });
}
