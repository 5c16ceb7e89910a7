import type { PropertySpec } from '@stratus/config';
import {
  EUREKA_API_DEFAULTS,
  REGISTRY_DEFAULTS,
  REPLICATION_DEFAULTS,
  SECURITY_DEFAULTS,
} from '../../defaults.js';

/** The two self-preservation keys with exclusive minimums (> 0), checked after binding. */
export const THRESHOLD_KEYS = {
  renewalPercentThreshold: {
    key: 'eureka.server.renewal-percent-threshold',
    type: 'number',
    max: 1,
    default: REGISTRY_DEFAULTS.renewalPercentThreshold,
  },
  expectedClientRenewalIntervalSecs: {
    key: 'eureka.server.expected-client-renewal-interval-seconds',
    type: 'number',
    default: REGISTRY_DEFAULTS.expectedClientRenewalIntervalSecs,
  },
} as const satisfies Record<string, PropertySpec>;

/** Spring's other `eureka.server.*` (and `eureka.instance.registry.*`) keys of the lease table. */
export const LEASE_KEYS = {
  evictionIntervalMs: {
    key: 'eureka.server.eviction-interval-timer-in-ms',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.evictionIntervalMs,
  },
  renewalThresholdUpdateIntervalMs: {
    key: 'eureka.server.renewal-threshold-update-interval-ms',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.renewalThresholdUpdateIntervalMs,
  },
  enableSelfPreservation: {
    key: 'eureka.server.enable-self-preservation',
    type: 'boolean',
    default: REGISTRY_DEFAULTS.enableSelfPreservation,
  },
  expectedNumberOfClientsSendingRenews: {
    key: 'eureka.server.expected-number-of-clients-sending-renews',
    type: 'number',
    integer: true,
    min: 0,
    default: REGISTRY_DEFAULTS.expectedNumberOfClientsSendingRenews,
  },
  deltaRetentionMs: {
    key: 'eureka.server.retention-time-in-m-s-in-delta-queue',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.deltaRetentionMs,
  },
  deltaRetentionTimerIntervalMs: {
    key: 'eureka.server.delta-retention-timer-interval-in-ms',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.deltaRetentionTimerIntervalMs,
  },
  waitTimeWhenSyncEmptyMs: {
    key: 'eureka.server.wait-time-in-ms-when-sync-empty',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.waitTimeWhenSyncEmptyMs,
  },
  defaultOpenForTrafficCount: {
    key: 'eureka.instance.registry.default-open-for-traffic-count',
    type: 'number',
    integer: true,
    min: 0,
    default: REGISTRY_DEFAULTS.defaultOpenForTrafficCount,
  },
  syncWhenTimestampDiffers: {
    key: 'eureka.server.sync-when-timestamp-differs',
    type: 'boolean',
    default: REGISTRY_DEFAULTS.syncWhenTimestampDiffers,
  },
} as const satisfies Record<string, PropertySpec>;

/** The Eureka REST API's keys. */
export const API_KEYS = {
  maxBodyBytes: {
    key: 'eureka.server.max-body-bytes',
    type: 'number',
    integer: true,
    min: 1,
    default: EUREKA_API_DEFAULTS.maxBodyBytes,
  },
  maxBatchBodyBytes: {
    key: 'stratus.registry.replication.max-batch-body-bytes',
    type: 'number',
    integer: true,
    min: 1,
    default: EUREKA_API_DEFAULTS.maxBatchBodyBytes,
  },
  /** Bound into the lease settings, in ms: the read model's renewal times expire with it. */
  responseCacheAutoExpirationSecs: {
    key: 'eureka.server.response-cache-auto-expiration-in-seconds',
    type: 'number',
    min: 0,
    default: REGISTRY_DEFAULTS.responseCacheAutoExpirationMs / 1000,
  },
  useReadOnlyResponseCache: {
    key: 'eureka.server.use-read-only-response-cache',
    type: 'boolean',
    default: EUREKA_API_DEFAULTS.useReadOnlyResponseCache,
  },
  responseCacheUpdateIntervalMs: {
    key: 'eureka.server.response-cache-update-interval-ms',
    type: 'number',
    min: 0,
    default: EUREKA_API_DEFAULTS.responseCacheUpdateIntervalMs,
  },
} as const satisfies Record<string, PropertySpec>;

const replicationKey = (name: string) => `stratus.registry.replication.${name}`;

/** Peer replication's keys (`stratus.registry.replication.*`, Eureka's read timeout). */
export const REPLICATION_KEYS = {
  maxBatchSize: {
    key: replicationKey('max-batch-size'),
    type: 'number',
    integer: true,
    min: 1,
    default: REPLICATION_DEFAULTS.maxBatchSize,
  },
  batchDelayMs: {
    key: replicationKey('batch-delay-ms'),
    type: 'number',
    min: 0,
    default: REPLICATION_DEFAULTS.batchDelayMs,
  },
  maxQueueSize: {
    key: replicationKey('max-queue-size'),
    type: 'number',
    integer: true,
    min: 1,
    default: REPLICATION_DEFAULTS.maxQueueSize,
  },
  retryInitialMs: {
    key: replicationKey('retry-initial-ms'),
    type: 'number',
    min: 1,
    default: REPLICATION_DEFAULTS.retryInitialMs,
  },
  retryMaxMs: {
    key: replicationKey('retry-max-ms'),
    type: 'number',
    min: 1,
    default: REPLICATION_DEFAULTS.retryMaxMs,
  },
  requestTimeoutMs: {
    key: 'eureka.server.peer-node-read-timeout-ms',
    type: 'number',
    min: 1,
    default: REPLICATION_DEFAULTS.requestTimeoutMs,
  },
  antiEntropyIntervalMs: {
    key: replicationKey('anti-entropy-interval-ms'),
    type: 'number',
    min: 0,
    default: REPLICATION_DEFAULTS.antiEntropyIntervalMs,
  },
  antiEntropyGraceMs: {
    key: replicationKey('anti-entropy-grace-ms'),
    type: 'number',
    min: 0,
    default: REPLICATION_DEFAULTS.antiEntropyGraceMs,
  },
  startupSync: {
    key: replicationKey('startup-sync'),
    type: 'boolean',
    default: REPLICATION_DEFAULTS.startupSync,
  },
  /** Without a value: the delta retention time. */
  tombstoneRetentionMs: { key: replicationKey('tombstone-retention-ms'), type: 'number', min: 0 },
} as const satisfies Record<string, PropertySpec>;

/** Who this server is, to drop itself from `defaultZone`. */
export const PEER_KEYS = {
  selfUrl: { key: 'stratus.registry.self-url', type: 'url' },
  port: { key: 'server.port', type: 'number', integer: true, min: 0, max: 65_535, default: 0 },
  address: { key: 'server.address', type: 'string' },
  hostname: { key: 'eureka.instance.hostname', type: 'string' },
  ipAddress: { key: 'eureka.instance.ip-address', type: 'string' },
} as const satisfies Record<string, PropertySpec>;

/** HTTP Basic on the registry (`stratus.registry.security.*`, Spring Boot's default user). */
export const SECURITY_KEYS = {
  enabled: {
    key: 'stratus.registry.security.enabled',
    type: 'boolean',
    default: SECURITY_DEFAULTS.enabled,
  },
  userName: {
    key: 'spring.security.user.name',
    type: 'string',
    default: SECURITY_DEFAULTS.userName,
  },
  password: { key: 'spring.security.user.password', type: 'string' },
} as const satisfies Record<string, PropertySpec>;

/** The peer list: a comma list or a YAML list (read with `getList`, not a spec). */
export const DEFAULT_ZONE_KEY = 'eureka.client.service-url.defaultZone';
/** `stratus.registry.security.clients.<name>=<password>`: a map, one entry per service. */
export const SECURITY_CLIENTS_KEY = 'stratus.registry.security.clients';
/** The prefix Stratus owns: a key under it that no setting names is a mistake. */
export const OWNED_PREFIX = 'stratus.registry';
