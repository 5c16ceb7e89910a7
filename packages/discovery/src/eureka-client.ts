import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { invalidClientOptions } from './errors.js';
import {
  parseApplicationsDocument,
  reconcileHashCode,
  type ParsedApplications,
} from './internal/parse-apps.js';
import { encodeSegment, parseServiceUrl } from './internal/service-url.js';
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
   * False keeps the previous cache.
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

interface Settings {
  registerWithEureka: boolean;
  fetchRegistry: boolean;
  renewalIntervalMs: number;
  registryFetchIntervalMs: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  shouldUseDelta: boolean;
  instanceInfoReplicationIntervalMs: number;
}

function validate(options: EurekaClientOptions): {
  settings: Settings;
  urls: NonNullable<ReturnType<typeof parseServiceUrl>>[];
} {
  const problems: string[] = [];
  const settings: Settings = {
    registerWithEureka: options.registerWithEureka ?? true,
    fetchRegistry: options.fetchRegistry ?? true,
    renewalIntervalMs: options.renewalIntervalMs ?? 30_000,
    registryFetchIntervalMs: options.registryFetchIntervalMs ?? 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    maxResponseBytes: options.maxResponseBytes ?? 16 * 1024 * 1024,
    shouldUseDelta: options.shouldUseDelta ?? true,
    instanceInfoReplicationIntervalMs: options.instanceInfoReplicationIntervalMs ?? 30_000,
  };
  for (const key of [
    'renewalIntervalMs',
    'registryFetchIntervalMs',
    'requestTimeoutMs',
    'maxResponseBytes',
    'instanceInfoReplicationIntervalMs',
  ] as const) {
    if (!Number.isFinite(settings[key]) || settings[key] <= 0)
      problems.push(`${key} must be a number > 0`);
  }
  if (!Array.isArray(options.serviceUrls) || options.serviceUrls.length === 0)
    problems.push('serviceUrls must not be empty');
  const urls = (options.serviceUrls ?? []).map((raw, index) => {
    const parsed = parseServiceUrl(raw);
    if (parsed === null) problems.push(`serviceUrls[${index}] is not an http(s) URL`);
    return parsed;
  });
  if (problems.length > 0) throw invalidClientOptions(problems);
  return { settings: Object.freeze(settings), urls: urls.filter((url) => url !== null) };
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
  const { settings, urls } = validate(options);
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'eureka-client' });
  const transport = createTransport(urls, {
    requestTimeoutMs: settings.requestTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    logger: log,
  });
  let instance: EurekaInstanceInfo | null =
    settings.registerWithEureka && options.instance !== undefined
      ? structuredClone(options.instance)
      : null;
  const listeners = new Set<(instances: readonly ServiceInstance[]) => void>();
  // Keyed by app and instance id, as Eureka's Applications are; insertion order is kept.
  let cache = new Map<string, ServiceInstance>();
  let cacheSignature = '';
  let hasFullRegistry = false;
  const fetchStats = { full: 0, delta: 0, reconciled: 0 };
  let healthTimer: NodeJS.Timeout | undefined;
  let healthInFlight: Promise<InstanceStatus | null> | null = null;
  let registered = false;
  let started: Promise<void> | null = null;
  let closing: Promise<void> | null = null;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let fetchTimer: NodeJS.Timeout | undefined;
  let heartbeatInFlight: Promise<HeartbeatResult> | null = null;
  let fetchInFlight: Promise<boolean> | null = null;

  const appPath = (): string => `apps/${encodeSegment(instance!.app)}`;
  const instancePath = (): string => `${appPath()}/${encodeSegment(instance!.instanceId)}`;

  const register = async (): Promise<boolean> => {
    if (instance === null || closing !== null) return false;
    const response = await transport.send({ method: 'POST', path: appPath(), json: { instance } });
    registered = response?.status === 204;
    if (registered)
      log.info(
        { app: instance.app, instanceId: instance.instanceId, server: response!.server },
        'registered with registry',
      );
    else
      log.warn(
        { app: instance.app, status: response?.status ?? null },
        'registration failed, will retry',
      );
    return registered;
  };

  const doHeartbeat = async (): Promise<HeartbeatResult> => {
    if (instance === null || closing !== null) return 'skipped';
    if (!registered) return (await register()) ? 're-registered' : 'failed';
    const query = `status=${encodeURIComponent(instance.status)}&lastDirtyTimestamp=${instance.lastDirtyTimestamp}`;
    const response = await transport.send({ method: 'PUT', path: `${instancePath()}?${query}` });
    if (response?.status === 200) return 'ok';
    if (response?.status === 404) {
      log.info(
        { app: instance.app, instanceId: instance.instanceId },
        'registry does not know this instance, re-registering',
      );
      registered = false;
      return (await register()) ? 're-registered' : 'failed';
    }
    log.warn({ app: instance.app, status: response?.status ?? null }, 'heartbeat failed');
    return 'failed';
  };

  const heartbeat = (): Promise<HeartbeatResult> => {
    heartbeatInFlight ??= doHeartbeat().finally(() => {
      heartbeatInFlight = null;
    });
    return heartbeatInFlight;
  };

  const keyOf = (i: ServiceInstance): string => `${i.serviceId}\u0000${i.instanceId}`;

  const fetchDocument = async (
    path: string,
    what: 'full' | 'delta',
  ): Promise<ParsedApplications | 'forbidden' | null> => {
    const response = await transport.send({ method: 'GET', path });
    if (what === 'delta' && response?.status === 403) return 'forbidden';
    if (response === null || response.status !== 200) {
      log.warn(
        { fetch: what, status: response?.status ?? null },
        'registry fetch failed, keeping the cached registry',
      );
      return null;
    }
    let parsed: ParsedApplications | null = null;
    try {
      parsed = parseApplicationsDocument(JSON.parse(response.body));
    } catch {
      parsed = null;
    }
    if (parsed === null)
      log.warn(
        { fetch: what, server: response.server },
        'registry sent an unusable body, keeping the cached registry',
      );
    return parsed;
  };

  const publish = (next: Map<string, ServiceInstance>): void => {
    cache = next;
    const signature = JSON.stringify(
      [...next.values()]
        .map((i) => [i.serviceId, i.instanceId, i.status, i.uri, i.vipAddress, i.metadata])
        .sort(),
    );
    if (signature === cacheSignature) return;
    cacheSignature = signature;
    const snapshot = Object.freeze([...next.values()]);
    for (const listener of listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        log.warn({ err: error }, 'registry change listener threw');
      }
    }
  };

  const doFullRefresh = async (): Promise<boolean> => {
    if (closing !== null) return false;
    const parsed = await fetchDocument('apps/', 'full');
    if (parsed === null || parsed === 'forbidden') return false;
    fetchStats.full++;
    publish(new Map(parsed.entries.map(({ instance: i }) => [keyOf(i), i])));
    hasFullRegistry = true;
    return true;
  };

  // Eureka's DiscoveryClient.getAndUpdateDelta: apply ADDED/MODIFIED/DELETED
  // idempotently, then compare the hashcode of the merged set (spring-wire §1.8).
  const doDeltaRefresh = async (): Promise<boolean> => {
    const parsed = await fetchDocument('apps/delta', 'delta');
    if (parsed === null) return false;
    if (parsed === 'forbidden') {
      log.info({}, 'registry refuses delta fetches, fetching the full registry');
      return doFullRefresh();
    }
    fetchStats.delta++;
    const next = new Map(cache);
    for (const { instance: i, actionType } of parsed.entries) {
      if (actionType === 'DELETED') next.delete(keyOf(i));
      else next.set(keyOf(i), i);
    }
    const local = reconcileHashCode(next.values());
    if (parsed.hashcode !== null && parsed.hashcode !== local) {
      log.info(
        { local, remote: parsed.hashcode },
        'registry hashcode differs after delta, fetching the full registry',
      );
      fetchStats.reconciled++;
      publish(next);
      return doFullRefresh();
    }
    publish(next);
    return true;
  };

  const refreshWith = (run: () => Promise<boolean>): Promise<boolean> => {
    fetchInFlight ??= run().finally(() => {
      fetchInFlight = null;
    });
    return fetchInFlight;
  };

  const refresh = (): Promise<boolean> =>
    refreshWith(() =>
      closing !== null
        ? Promise.resolve(false)
        : settings.shouldUseDelta && hasFullRegistry
          ? doDeltaRefresh()
          : doFullRefresh(),
    );

  const fullRefresh = (): Promise<boolean> => refreshWith(doFullRefresh);

  const setStatus = async (status: InstanceStatus): Promise<void> => {
    if (instance === null) return;
    const now = clock.now();
    instance = { ...instance, status, lastUpdatedTimestamp: now, lastDirtyTimestamp: now };
    log.info(
      { app: instance.app, instanceId: instance.instanceId, status },
      'instance status changed',
    );
    await register();
  };

  const doCheckHealth = async (): Promise<InstanceStatus | null> => {
    if (instance === null) return null;
    if (options.healthStatus === undefined || closing !== null) return instance.status;
    let status: InstanceStatus;
    try {
      status = await options.healthStatus();
    } catch (error) {
      log.warn({ err: error }, 'health status threw, reporting DOWN');
      status = 'DOWN';
    }
    if (instance !== null && status !== instance.status && closing === null)
      await setStatus(status);
    return instance?.status ?? null;
  };

  const checkHealth = (): Promise<InstanceStatus | null> => {
    healthInFlight ??= doCheckHealth().finally(() => {
      healthInFlight = null;
    });
    return healthInFlight;
  };

  const swallow = (what: string) => (error: unknown) => {
    log.warn({ err: error, task: what }, 'background registry task failed');
  };

  return {
    start() {
      started ??= (async () => {
        if (closing !== null) return;
        if (instance !== null) await register().catch(swallow('register'));
        if (settings.fetchRegistry) await refresh().catch(swallow('fetch'));
        if (closing !== null) return;
        if (instance !== null && options.healthStatus !== undefined) {
          healthTimer = setInterval(
            () => void checkHealth().catch(swallow('health')),
            settings.instanceInfoReplicationIntervalMs,
          ).unref();
        }
        if (instance !== null) {
          heartbeatTimer = setInterval(
            () => void heartbeat().catch(swallow('heartbeat')),
            settings.renewalIntervalMs,
          ).unref();
        }
        if (settings.fetchRegistry) {
          fetchTimer = setInterval(
            () => void refresh().catch(swallow('fetch')),
            settings.registryFetchIntervalMs,
          ).unref();
        }
      })();
      return started;
    },

    getInstances(serviceId) {
      const wanted = serviceId.toLowerCase();
      return [...cache.values()].filter(
        (i) =>
          i.status === 'UP' &&
          (i.serviceId.toLowerCase() === wanted ||
            i.vipAddress.split(',').some((vip) => vip.trim().toLowerCase() === wanted)),
      );
    },

    getAllInstances() {
      return [...cache.values()];
    },

    setStatus,
    checkHealth,

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    register,
    heartbeat,
    refresh,
    fullRefresh,

    get status() {
      return instance?.status ?? null;
    },

    get fetchStats() {
      return { ...fetchStats };
    },

    get isRegistered() {
      return registered;
    },

    close() {
      closing ??= (async () => {
        clearInterval(heartbeatTimer);
        clearInterval(fetchTimer);
        clearInterval(healthTimer);
        await Promise.allSettled([started, heartbeatInFlight, fetchInFlight, healthInFlight]);
        if (registered && instance !== null) {
          const response = await transport.send({ method: 'DELETE', path: instancePath() });
          registered = false;
          if (response?.status === 200)
            log.info({ app: instance.app, instanceId: instance.instanceId }, 'deregistered');
          else
            log.warn(
              { app: instance.app, status: response?.status ?? null },
              'deregistration failed',
            );
        }
        await transport.close();
      })();
      return closing;
    },
  };
}
