import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { invalidClientOptions } from './errors.js';
import { parseApplications } from './internal/parse-apps.js';
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
  /** Full-registry fetch period. @default 30000 */
  registryFetchIntervalMs?: number;
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
  /** One full fetch now (what the timer does); false keeps the previous cache. */
  refresh(): Promise<boolean>;
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
  };
  for (const key of [
    'renewalIntervalMs',
    'registryFetchIntervalMs',
    'requestTimeoutMs',
    'maxResponseBytes',
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
  let cache: readonly ServiceInstance[] = [];
  let cacheSignature = '';
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

  const doRefresh = async (): Promise<boolean> => {
    if (closing !== null) return false;
    const response = await transport.send({ method: 'GET', path: 'apps/' });
    if (response === null || response.status !== 200) {
      log.warn(
        { status: response?.status ?? null },
        'registry fetch failed, keeping the cached registry',
      );
      return false;
    }
    let parsed: ServiceInstance[] | null = null;
    try {
      parsed = parseApplications(JSON.parse(response.body));
    } catch {
      parsed = null;
    }
    if (parsed === null) {
      log.warn(
        { server: response.server },
        'registry sent an unusable body, keeping the cached registry',
      );
      return false;
    }
    const signature = JSON.stringify(
      parsed
        .map((i) => [i.serviceId, i.instanceId, i.status, i.uri, i.vipAddress, i.metadata])
        .sort(),
    );
    cache = Object.freeze(parsed);
    if (signature !== cacheSignature) {
      cacheSignature = signature;
      for (const listener of listeners) {
        try {
          listener(cache);
        } catch (error) {
          log.warn({ err: error }, 'registry change listener threw');
        }
      }
    }
    return true;
  };

  const refresh = (): Promise<boolean> => {
    fetchInFlight ??= doRefresh().finally(() => {
      fetchInFlight = null;
    });
    return fetchInFlight;
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
      return cache.filter(
        (i) =>
          i.status === 'UP' &&
          (i.serviceId.toLowerCase() === wanted ||
            i.vipAddress.split(',').some((vip) => vip.trim().toLowerCase() === wanted)),
      );
    },

    getAllInstances() {
      return [...cache];
    },

    async setStatus(status) {
      if (instance === null) return;
      const now = clock.now();
      instance = { ...instance, status, lastUpdatedTimestamp: now, lastDirtyTimestamp: now };
      await register();
    },

    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    register,
    heartbeat,
    refresh,

    get isRegistered() {
      return registered;
    },

    close() {
      closing ??= (async () => {
        clearInterval(heartbeatTimer);
        clearInterval(fetchTimer);
        await Promise.allSettled([started, heartbeatInFlight, fetchInFlight]);
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
