import { EUREKA_INSTANCE_DEFAULTS } from '@stratus/discovery';

/**
 * Defaults of the lease table (`createEurekaRegistry`): Spring Cloud Netflix's `eureka.server.*`
 * defaults, in this package's units.
 */
export const REGISTRY_DEFAULTS = Object.freeze({
  /** `eviction-interval-timer-in-ms` */
  evictionIntervalMs: 60_000,
  /** `renewal-percent-threshold` */
  renewalPercentThreshold: 0.85,
  /** `expected-client-renewal-interval-seconds` */
  expectedClientRenewalIntervalSecs: 30,
  /** `renewal-threshold-update-interval-ms` */
  renewalThresholdUpdateIntervalMs: 900_000,
  /** `enable-self-preservation` */
  enableSelfPreservation: true,
  /** Spring's `expected-number-of-clients-sending-renews` / `default-open-for-traffic-count`. */
  expectedNumberOfClientsSendingRenews: 1,
  /** `retention-time-in-m-s-in-delta-queue` */
  deltaRetentionMs: 180_000,
  /** `delta-retention-timer-interval-in-ms` */
  deltaRetentionTimerIntervalMs: 30_000,
  /** `wait-time-in-ms-when-sync-empty` */
  waitTimeWhenSyncEmptyMs: 300_000,
  /** Spring's `eureka.instance.registry.default-open-for-traffic-count`: 1, so a standalone server never waits. */
  defaultOpenForTrafficCount: 1,
  /** `sync-when-timestamp-differs` */
  syncWhenTimestampDiffers: true,
  /** `response-cache-auto-expiration-in-seconds` (180) × 1000 */
  responseCacheAutoExpirationMs: 180_000,
  /** Lease duration used when a registrant sends `durationInSecs <= 0`. */
  defaultLeaseDurationSecs: EUREKA_INSTANCE_DEFAULTS.leaseExpirationDurationInSecs,
  /** Default renewal interval reported when a registrant sends none. */
  defaultRenewalIntervalSecs: EUREKA_INSTANCE_DEFAULTS.leaseRenewalIntervalInSecs,
});

/** Defaults of the Eureka REST API (`registerEurekaRoutes`), in this package's units. */
export const EUREKA_API_DEFAULTS = Object.freeze({
  /** Mount points; Spring serves both (spring-wire §1.1). */
  prefixes: Object.freeze(['/eureka', '/eureka/v2']) as readonly string[],
  /** Largest register body: 256 KiB (`eureka.server.max-body-bytes`, a Stratus key). */
  maxBodyBytes: 256 * 1024,
  /** Largest `peerreplication/batch` body: 8 MiB (`stratus.registry.replication.max-batch-body-bytes`). */
  maxBatchBodyBytes: 8 * 1024 * 1024,
  /** `use-read-only-response-cache`: Spring's is true; Stratus serves fresh reads (spring-wire §1.11). */
  useReadOnlyResponseCache: false,
  /** `response-cache-update-interval-ms` */
  responseCacheUpdateIntervalMs: 30_000,
});

/**
 * Defaults of peer replication (`stratus.registry.replication.*`; Eureka's own batching where
 * it has one), in this package's units.
 */
export const REPLICATION_DEFAULTS = Object.freeze({
  /** Tasks per batch (Eureka's `PeerEurekaNode`: 250). */
  maxBatchSize: 250,
  /** Batching delay (Eureka: 500 ms). */
  batchDelayMs: 500,
  /** Queued tasks per peer; beyond it the oldest task is dropped. */
  maxQueueSize: 10_000,
  /** First retry delay after a transient failure, doubled per failure. */
  retryInitialMs: 100,
  /** Largest retry delay. */
  retryMaxMs: 30_000,
  /** `eureka.server.peer-node-read-timeout-ms`; Spring's is 200, Stratus allows a loaded peer more. */
  requestTimeoutMs: 5_000,
  /** Period of the anti-entropy pass; 0 disables it. */
  antiEntropyIntervalMs: 30_000,
  /** Instances changed more recently than this are left to normal replication. */
  antiEntropyGraceMs: 2_000,
  /** Start-up sync from the peers before traffic is accepted (Eureka's `syncUp`). */
  startupSync: true,
  /** Most recent cancels remembered to refuse stale replicated registers. */
  maxTombstones: 100_000,
});

/** Defaults of the registry's own HTTP Basic security (`stratus.registry.security.*`). */
export const SECURITY_DEFAULTS = Object.freeze({
  /** `stratus.registry.security.enabled` */
  enabled: false,
  /** `spring.security.user.name`, as Spring Boot's default user. */
  userName: 'user',
});

/**
 * Spring properties the `stratus registry` command (and so `npm start`) sets below every file:
 * a restarted standalone registry refuses registry fetches with 403 for 10 s, so clients keep
 * their cached view while their instances register again. Spring's standalone server never
 * waits (its `default-open-for-traffic-count` of 1 stands in for the empty start-up sync); the
 * library keeps Spring's behaviour and the command opts in. 10 s is twice `npm start`'s fetch
 * interval (a Stratus client heartbeats, and so registers again, at its first refused fetch)
 * and its renewal interval; a fresh `npm start` pays it once. See docs/registry.md.
 */
export const REGISTRY_COMMAND_DEFAULTS: Readonly<Record<string, number>> = Object.freeze({
  'eureka.instance.registry.default-open-for-traffic-count': 0,
  'eureka.server.wait-time-in-ms-when-sync-empty': 10_000,
});
