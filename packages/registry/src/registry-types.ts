import type { Clock, Logger } from '@stratus/core';
import type { Application, Applications, InstanceInfo, InstanceStatus } from '@stratus/discovery';

/** Options of {@link createEurekaRegistry}; Spring property names in parentheses. */
export interface EurekaRegistryOptions {
  /** @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** How often the owned timer runs {@link EurekaRegistry.evict}; 0 disables the timer (`eviction-interval-timer-in-ms`). @default 60000 */
  evictionIntervalMs?: number;
  /** (`renewal-percent-threshold`) @default 0.85 */
  renewalPercentThreshold?: number;
  /** (`expected-client-renewal-interval-seconds`) @default 30 */
  expectedClientRenewalIntervalSecs?: number;
  /** (`renewal-threshold-update-interval-ms`) @default 900000 */
  renewalThresholdUpdateIntervalMs?: number;
  /** (`enable-self-preservation`) @default true */
  enableSelfPreservation?: boolean;
  /** Starting expected number of renewing clients (Spring's `expected-number-of-clients-sending-renews`). @default 1 */
  expectedNumberOfClientsSendingRenews?: number;
  /** How long a change stays in the delta (`retention-time-in-m-s-in-delta-queue`). @default 180000 */
  deltaRetentionMs?: number;
  /** How often expired changes leave the delta queue (`delta-retention-timer-interval-in-ms`); 0 disables the timer. @default 30000 */
  deltaRetentionTimerIntervalMs?: number;
  /** (`sync-when-timestamp-differs`) @default true */
  syncWhenTimestampDiffers?: boolean;
  /**
   * How long after {@link EurekaRegistry.openForTraffic} registry reads are refused when the
   * start-up sync found no instance (`wait-time-in-ms-when-sync-empty`). @default 300000
   */
  waitTimeWhenSyncEmptyMs?: number;
  /**
   * The instance count assumed when the start-up sync found none; 0 makes an empty start
   * wait `waitTimeWhenSyncEmptyMs` (Spring's `eureka.instance.registry.default-open-for-traffic-count`,
   * whose 1 means a standalone server never waits). @default 1
   */
  defaultOpenForTrafficCount?: number;
  /**
   * Longest time {@link EurekaRegistry.getApplications} keeps an application's lease renewal
   * times unchanged: renewals alone do not rebuild what reads return, as in Eureka's read/write
   * response cache (`response-cache-auto-expiration-in-seconds` × 1000). @default 180000
   */
  responseCacheAutoExpirationMs?: number;
  /** Random source in [0, 1) for picking which expired leases to evict. @default Math.random */
  random?: () => number;
}

/**
 * The options {@link EurekaRegistry.reconfigure} accepts: every setting of
 * {@link EurekaRegistryOptions} but the clock, logger and random source.
 */
export type RegistrySettingsUpdate = Omit<EurekaRegistryOptions, 'clock' | 'logger' | 'random'>;

/** Options of {@link EurekaRegistry.register}. */
export interface RegisterOptions {
  /** The call came from a peer (`x-netflix-discovery-replication: true`). @default false */
  isReplication?: boolean;
}

/** Options of {@link EurekaRegistry.renew}; the query parameters of the heartbeat. */
export interface RenewOptions {
  /** Sent by Spring clients; accepted and ignored, as Eureka does. */
  status?: InstanceStatus;
  /** The client's `lastDirtyTimestamp` (epoch ms). */
  lastDirtyTimestamp?: number;
  /** Only used for replicated heartbeats. */
  overriddenStatus?: InstanceStatus;
  /** @default false */
  isReplication?: boolean;
}

/** `ok` → 200, `not-found` → 404 (client must re-register), `conflict` → 409 (replication only). */
export type RenewResult = 'ok' | 'not-found' | 'conflict';

/** Options of status updates. */
export interface StatusUpdateOptions {
  /** Raises the stored `lastDirtyTimestamp` when greater. */
  lastDirtyTimestamp?: number;
  /** @default false */
  isReplication?: boolean;
}

/** Outcome of one eviction run. */
export interface EvictionResult {
  /** Leases found expired. */
  readonly expired: number;
  /** `app/id` of every evicted lease. */
  readonly evicted: readonly string[];
  /** True when self-preservation blocked eviction. */
  readonly blocked: boolean;
}

/**
 * One change to the lease table, as {@link EurekaRegistry.subscribe} reports it.
 * `instance` is the stored instance after the change (for `cancel` and `evict`: the
 * instance as it was when removed). `isReplication` is true when a peer made the call.
 */
export type RegistryChange =
  | {
      readonly kind: 'register' | 'renew' | 'cancel' | 'status-update' | 'delete-status-override';
      readonly app: string;
      readonly id: string;
      readonly instance: InstanceInfo;
      readonly isReplication: boolean;
    }
  | {
      readonly kind: 'evict';
      readonly app: string;
      readonly id: string;
      readonly instance: InstanceInfo;
      readonly isReplication: false;
    };

/** Receives {@link RegistryChange}s synchronously; a throwing listener is logged and ignored. */
export type RegistryChangeListener = (change: RegistryChange) => void;

/** Lease-table health, as the dashboard shows it. */
export interface RegistryStats {
  readonly registeredInstances: number;
  readonly expectedClientsSendingRenews: number;
  readonly renewsPerMinThreshold: number;
  readonly renewsLastMin: number;
  readonly isSelfPreservationEnabled: boolean;
  /** False while self-preservation blocks eviction. */
  readonly isLeaseExpirationEnabled: boolean;
  /** False while registry reads are refused after an empty start (see {@link EurekaRegistry.shouldAllowAccess}). */
  readonly isAccessAllowed: boolean;
  /** Changes held for deltas. */
  readonly deltaQueueSize: number;
}

/** The Eureka lease table. Application names are upper-cased on every call. */
export interface EurekaRegistry {
  /**
   * Registers or replaces an instance (Eureka's register rules, spring-wire §1.4)
   * and returns what is stored.
   * @throws StratusError `REG_ERR_CLOSED` after {@link close}.
   */
  register(instance: InstanceInfo, options?: RegisterOptions): InstanceInfo;
  /** Heartbeat (spring-wire §1.5). */
  renew(app: string, id: string, options?: RenewOptions): RenewResult;
  /** Removes a lease; false when unknown. */
  cancel(app: string, id: string, options?: RegisterOptions): boolean;
  /** Stores a status override (`PUT .../status`); false when unknown. */
  statusUpdate(
    app: string,
    id: string,
    status: InstanceStatus,
    options?: StatusUpdateOptions,
  ): boolean;
  /** Removes the override and sets `status` (`DELETE .../status`); false when unknown. */
  deleteStatusOverride(
    app: string,
    id: string,
    status?: InstanceStatus,
    options?: StatusUpdateOptions,
  ): boolean;
  /** Merges metadata and re-registers (`PUT .../metadata`); false when unknown. */
  updateMetadata(
    app: string,
    id: string,
    entries: Readonly<Record<string, string>>,
    options?: RegisterOptions,
  ): boolean;
  /**
   * The full registry; `versionDelta` is 1. The same frozen object (`===`), and the same
   * application objects inside it, until something a client sees changes — a registration,
   * cancel, status or metadata change, an expired lease hidden — so a caller may cache what it
   * derives from them by identity. Renewals are no such change: renewal times are those of the
   * application's last change, at most `responseCacheAutoExpirationMs` old (Eureka's cached
   * payloads behave the same); {@link getInstance} is always current.
   */
  getApplications(): Applications;
  /**
   * Changes within the retention window, with the hash of the full registry; the same object
   * until a change is recorded, one leaves the window, or the full registry changes.
   */
  getDelta(): Applications;
  /** Instances whose comma-split `vipAddress` (or `secureVipAddress`) contains `vip` exactly. */
  getByVip(vip: string, secure?: boolean): Applications;
  getApplication(app: string): Application | null;
  getInstance(app: string, id: string): InstanceInfo | null;
  /** First instance with this id in any application. */
  findInstance(id: string): InstanceInfo | null;
  /** Current overrides, id → status. */
  getStatusOverrides(): Record<string, InstanceStatus>;
  /** One eviction run; the owned timer calls it every `evictionIntervalMs`. */
  evict(): EvictionResult;
  /**
   * Marks the end of start-up (Eureka's `openForTraffic`): `syncedCount` is the number of
   * instances the start-up sync registered (0 for a standalone server). When it is 0 and
   * `defaultOpenForTrafficCount` is 0, reads are refused for `waitTimeWhenSyncEmptyMs` from now,
   * so clients keep their cached registry while their instances register again.
   */
  openForTraffic(syncedCount: number): void;
  /**
   * Eureka's `shouldAllowAccess`: false while an empty start waits; `GET /apps`, `/apps/delta`,
   * `/apps/{app}` and `/vips` then answer 403. True before {@link openForTraffic}.
   */
  shouldAllowAccess(): boolean;
  /** Epoch ms from which {@link shouldAllowAccess} is true again (0 when it already is). */
  accessAllowedFromMs(): number;
  stats(): RegistryStats;
  /**
   * Calls `listener` after every successful register, renew, cancel, status
   * update, override removal and eviction. Returns the unsubscribe function.
   */
  subscribe(listener: RegistryChangeListener): () => void;
  /**
   * Applies new settings at once (a configuration refresh): the threshold is recomputed from
   * `renewalPercentThreshold` and `expectedClientRenewalIntervalSecs`, timers whose interval
   * changed restart, `enableSelfPreservation`, `deltaRetentionMs` and `syncWhenTimestampDiffers`
   * apply to the next call. `expectedNumberOfClientsSendingRenews`, `waitTimeWhenSyncEmptyMs`
   * and `defaultOpenForTrafficCount` only matter at start. Unset fields keep their value.
   * @throws StratusError `REG_ERR_INVALID_OPTIONS`; the settings in force then stay.
   */
  reconfigure(update: RegistrySettingsUpdate): void;
  /** Stops the timers. Idempotent. */
  close(): Promise<void>;
}
