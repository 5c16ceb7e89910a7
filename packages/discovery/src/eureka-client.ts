import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { HealthReporter } from './internal/client/health-reporter.js';
import { Registration } from './internal/client/registration.js';
import { RegistryCache } from './internal/client/registry-cache.js';
import { RegistryFetcher } from './internal/client/registry-fetcher.js';
import { resolveClientSettings, type ClientSettings } from './internal/client/settings.js';
import { createTransport } from './internal/transport.js';
import type { EurekaInstanceInfo, InstanceStatus, ServiceInstance } from './types.js';

/** Options of {@link createEurekaClient}; Spring's `eureka.client.*` in camelCase with units. */
export interface EurekaClientOptions {
  /**
   * The `defaultZone` list, tried in order (`http://localhost:8761/eureka/`).
   * `user:pw@` in a URL becomes an `Authorization: Basic` header.
   */
  serviceUrls: readonly string[];
  /** What to register (see `buildInstanceInfo`); omit to only fetch. */
  instance?: EurekaInstanceInfo | undefined;
  /** @default true */
  registerWithEureka?: boolean;
  /** @default true */
  fetchRegistry?: boolean;
  /** Heartbeat period. @default 30000 */
  renewalIntervalMs?: number;
  /** Registry fetch period (full or delta). @default 30000 */
  registryFetchIntervalMs?: number;
  /**
   * After the first full fetch, fetch `apps/delta` each cycle, apply it, and
   * fall back to a full fetch when the recomputed `apps__hashcode` differs or
   * the server answers 403 (delta disabled). Spring: `!eureka.client.disable-delta`.
   * @default true
   */
  shouldUseDelta?: boolean;
  /**
   * The service's own health, reported as its Eureka status (Spring's
   * `eureka.client.healthcheck.enabled`). Evaluated every
   * `instanceInfoReplicationIntervalMs` and by `checkHealth()`; a change
   * re-registers with the new status. A throw counts as DOWN.
   */
  healthStatus?: (() => InstanceStatus | Promise<InstanceStatus>) | undefined;
  /** Period of the health evaluation. Spring: `eureka.client.instance-info-replication-interval-seconds`. @default 30000 */
  instanceInfoReplicationIntervalMs?: number;
  /** Source of `lastDirtyTimestamp` on status changes. @default systemClock */
  clock?: Clock;
  /** @default createSilentLogger() */
  logger?: Logger;
  /** Per request, per server. @default 5000 */
  requestTimeoutMs?: number;
  /** Largest registry response read. @default 16777216 (16 MiB) */
  maxResponseBytes?: number;
}

/** Result of one heartbeat. */
export type HeartbeatResult = 'ok' | 're-registered' | 'failed' | 'skipped';

/** A Eureka client: registers, heartbeats, and caches the registry. */
export interface EurekaClient {
  /** Registers (failure is logged and retried on each heartbeat tick, never thrown), fetches once, starts the timers. Idempotent. */
  start(): Promise<void>;
  /** UP instances whose app name or one of whose VIP addresses equals `serviceId`, case-insensitive. */
  getInstances(serviceId: string): ServiceInstance[];
  /** Every cached instance, whatever its status. */
  getAllInstances(): ServiceInstance[];
  /** Changes the registered status (marks it dirty) and re-registers. */
  setStatus(status: InstanceStatus): Promise<void>;
  /** Calls `listener` with all instances whenever a fetch changes the cache; returns an unsubscribe function. */
  onChange(listener: (instances: readonly ServiceInstance[]) => void): () => void;
  /** POSTs the instance now; true on 204. */
  register(): Promise<boolean>;
  /** One heartbeat now (what the timer does): PUT, re-register on 404, register if never registered. */
  heartbeat(): Promise<HeartbeatResult>;
  /**
   * One fetch now (what the timer does): full the first time, when delta is
   * off, after a 403 on `apps/delta` or a hashcode mismatch; delta otherwise.
   * False keeps the previous cache. A 403 on the full fetch (a registry that started
   * empty and waits for its clients) also triggers one heartbeat, so a lost lease is
   * registered again at once.
   */
  refresh(): Promise<boolean>;
  /** One full fetch now, whatever `shouldUseDelta` says; false keeps the previous cache. */
  fullRefresh(): Promise<boolean>;
  /**
   * Evaluates `healthStatus` now and re-registers when it changed; answers the
   * status in force (null when this client does not register).
   */
  checkHealth(): Promise<InstanceStatus | null>;
  /** The status this client registers with (null when it does not register). */
  readonly status: InstanceStatus | null;
  /** Counts of fetches since start, for diagnostics and tests. */
  readonly fetchStats: Readonly<{ full: number; delta: number; reconciled: number }>;
  /** True after a successful register, until close or a failed re-register. */
  readonly isRegistered: boolean;
  /** Cancels the lease (DELETE) if registered, stops timers, closes connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts the heartbeat, fetch and health timers (unref'ed); returns what stops them. */
function startTimers(
  settings: ClientSettings,
  tasks: {
    heartbeat: (() => Promise<unknown>) | null;
    fetch: (() => Promise<unknown>) | null;
    health: (() => Promise<unknown>) | null;
  },
  swallow: (what: string) => (error: unknown) => void,
): () => void {
  const every = (task: () => Promise<unknown>, what: string, ms: number) =>
    setInterval(() => void task().catch(swallow(what)), ms).unref();
  const timers = [
    tasks.health && every(tasks.health, 'health', settings.instanceInfoReplicationIntervalMs),
    tasks.heartbeat && every(tasks.heartbeat, 'heartbeat', settings.renewalIntervalMs),
    tasks.fetch && every(tasks.fetch, 'fetch', settings.registryFetchIntervalMs),
  ];
  return () => {
    for (const timer of timers) if (timer !== null) clearInterval(timer);
  };
}

/**
 * Creates a Eureka client speaking the same REST calls as Spring's
 * (spring-wire §1.3–1.5). Background work never throws into the caller;
 * timers are unref'ed.
 *
 * @throws StratusError `REG_ERR_INVALID_CLIENT_OPTIONS` listing every bad option.
 * @example
 * const client = createEurekaClient({
 *   serviceUrls: ['http://localhost:8761/eureka/'],
 *   instance: buildInstanceInfo({ appName: 'user-service', hostName: 'h', ipAddr: '127.0.0.1', port: 8080 }),
 * });
 * await client.start();
 * client.getInstances('catalog-service');
 * await client.close();
 */
export function createEurekaClient(options: EurekaClientOptions): EurekaClient {
  const { settings, urls } = resolveClientSettings(options);
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-client' });
  const transport = createTransport(urls, {
    requestTimeoutMs: settings.requestTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    logger: log,
  });
  let closing: Promise<void> | null = null;
  let started: Promise<void> | null = null;
  let stopTimers = (): void => undefined;
  const isClosing = () => closing !== null;
  const swallow = (what: string) => (error: unknown) => {
    log.warn({ err: error, task: what }, 'background registry task failed');
  };
  const instance = settings.registerWithEureka ? (options.instance ?? null) : null;
  const clock = options.clock ?? systemClock;
  const registration = new Registration(instance, { transport, clock, log, isClosing });
  const cache = new RegistryCache(log);
  const fetcher = new RegistryFetcher({
    transport,
    cache,
    log,
    shouldUseDelta: settings.shouldUseDelta,
    isClosing,
    // A refusing registry has just started empty (Eureka's wait-time-in-ms-when-sync-empty):
    // heartbeat at once, so a lease it lost is registered again now (its 404 triggers it).
    onRefused: () => {
      if (registration.isRegistered && !isClosing())
        void registration.heartbeat().catch(swallow('heartbeat'));
    },
  });
  const health = new HealthReporter({
    registration,
    healthStatus: options.healthStatus,
    log,
    isClosing,
  });

  const start = async (): Promise<void> => {
    if (isClosing()) return;
    if (registration.isEnabled) await registration.register().catch(swallow('register'));
    if (settings.fetchRegistry) await fetcher.refresh().catch(swallow('fetch'));
    if (isClosing()) return;
    const registers = registration.isEnabled;
    stopTimers = startTimers(
      settings,
      {
        heartbeat: registers ? () => registration.heartbeat() : null,
        fetch: settings.fetchRegistry ? () => fetcher.refresh() : null,
        health: registers && options.healthStatus !== undefined ? () => health.check() : null,
      },
      swallow,
    );
  };

  const close = async (): Promise<void> => {
    stopTimers();
    await Promise.allSettled([
      started,
      registration.heartbeatInFlight,
      fetcher.inFlight,
      health.inFlight,
    ]);
    await registration.cancel();
    await transport.close();
  };

  return {
    start: () => (started ??= start()),
    getInstances: (serviceId) => cache.instancesOf(serviceId),
    getAllInstances: () => cache.all(),
    setStatus: (status) => registration.setStatus(status),
    checkHealth: () => health.check(),
    onChange: (listener) => cache.onChange(listener),
    register: () => registration.register(),
    heartbeat: () => registration.heartbeat(),
    refresh: () => fetcher.refresh(),
    fullRefresh: () => fetcher.fullRefresh(),
    get status() {
      return registration.status;
    },
    get fetchStats() {
      return { ...fetcher.stats };
    },
    get isRegistered() {
      return registration.isRegistered;
    },
    close: () => (closing ??= close()),
  };
}
