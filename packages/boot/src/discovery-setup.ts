import { StratusError, systemClock, type Clock, type Logger } from '@stratus/core';
import {
  buildInstanceInfo,
  createEurekaClient,
  createKubernetesDiscovery,
  createLoadBalancer,
  createStaticDiscovery,
  type InstanceStatus,
  type LoadBalancer,
  type ServiceInstance,
  type StaticInstanceOptions,
} from '@stratus/discovery';
import { bindDiscoverySettings, type DiscoverySettings } from './discovery-settings.js';
import type { HealthRegistry } from './health.js';
import type { LiveConfig } from './live-config.js';

/** How an application finds other services (`stratus.discovery.mode`). */
export type DiscoveryMode = 'eureka' | 'static' | 'kubernetes';

/** A discovery client as the application uses it, whatever the mode. */
export interface Discovery {
  readonly mode: DiscoveryMode;
  /** UP instances of `serviceId` (case-insensitive). */
  getInstances(serviceId: string): ServiceInstance[];
  /**
   * Eureka: re-reads the app's health now and re-registers when the status
   * changed; answers the registered status. Other modes (or not registering): null.
   */
  syncHealth(): Promise<InstanceStatus | null>;
  /** Eureka: reports OUT_OF_SERVICE, then deregisters; stops background work. Idempotent. */
  close(): Promise<void>;
}

/** The part of the application that discovery needs. */
export interface DiscoveryContext {
  config: LiveConfig;
  env: Record<string, string | undefined>;
  name: string;
  port: number;
  /** `http://host:port` as advertised. */
  url: string;
  advertised: { hostName: string; ip: string; preferIp: boolean };
  health: HealthRegistry;
  logger: Logger;
  /** Time source of the quarantine and of the early-refresh interval. @default systemClock */
  clock?: Clock;
}

/** What `setupDiscovery` hands the application. */
export interface DiscoverySetup {
  readonly discovery: Discovery;
  readonly balancer: LoadBalancer;
  /** Eureka: registers and fetches once. Other modes: nothing to do. */
  start(): Promise<void>;
}

/** A balancer that never finds anything (discovery off). */
export const NO_BALANCER: LoadBalancer = Object.freeze({
  choose: () => null,
  markFailed: () => undefined,
  markSucceeded: () => undefined,
  refresh: () => Promise.resolve(),
});

/**
 * The discovery mode: `stratus.discovery.mode` when set; else `kubernetes`
 * when `KUBERNETES_SERVICE_HOST` is in `env`; else `eureka`. Null when the
 * mode is eureka and `eureka.client.enabled=false` or `stratus.discovery.mode=none`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for an unknown mode.
 */
export function discoveryModeOf(
  config: LiveConfig,
  env: Record<string, string | undefined>,
): DiscoveryMode | null {
  const explicit = config.getString('stratus.discovery.mode')?.trim().toLowerCase();
  if (explicit === 'none') return null;
  if (explicit === 'eureka' || explicit === 'static' || explicit === 'kubernetes') {
    if (explicit !== 'eureka') return explicit;
  } else if (explicit !== undefined && explicit !== '') {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      details: { problems: ['stratus.discovery.mode must be eureka, static, kubernetes or none'] },
    });
  } else if (env.KUBERNETES_SERVICE_HOST) {
    return 'kubernetes';
  }
  return config.getBoolean('eureka.client.enabled', true) === false ? null : 'eureka';
}

/**
 * Builds discovery and the `lb://` balancer from configuration; null when
 * discovery is off.
 *
 * @throws StratusError `REG_ERR_UNKNOWN_LOAD_BALANCER`, `REG_ERR_INVALID_DISCOVERY_OPTIONS`,
 *   `REG_ERR_INVALID_CLIENT_OPTIONS` for bad configuration.
 */
export function setupDiscovery(context: DiscoveryContext): DiscoverySetup | null {
  const { config } = context;
  const mode = discoveryModeOf(config, context.env);
  if (mode === null) return null;
  const settings = bindDiscoverySettings(config.environment);
  const balancerOf = (source: { getInstances(serviceId: string): ServiceInstance[] }) =>
    createLoadBalancer(source, {
      name: settings.loadBalancer.configurations,
      zone: settings.loadBalancer.zone,
      quarantineMs: settings.quarantine.quarantineMs,
      maxQuarantineMs: settings.quarantine.maxQuarantineMs,
      clock: context.clock,
    });

  if (mode === 'static') {
    const client = createStaticDiscovery({ instances: staticInstances(config) });
    return passive(mode, client, balancerOf(client));
  }
  if (mode === 'kubernetes') {
    const { namespace, port, ports, scheme } = settings.kubernetes;
    const client = createKubernetesDiscovery({
      namespace,
      port,
      ports: numberValues(ports),
      scheme,
    });
    return passive(mode, client, balancerOf(client));
  }
  return eureka(context, settings, balancerOf);
}

function passive(
  mode: DiscoveryMode,
  client: { getInstances(serviceId: string): ServiceInstance[]; close(): Promise<void> },
  balancer: LoadBalancer,
): DiscoverySetup {
  return {
    discovery: {
      mode,
      getInstances: (serviceId) => client.getInstances(serviceId),
      syncHealth: () => Promise.resolve(null),
      close: () => client.close(),
    },
    balancer,
    start: () => Promise.resolve(),
  };
}

function eureka(
  context: DiscoveryContext,
  settings: DiscoverySettings,
  balancerOf: (source: { getInstances(serviceId: string): ServiceInstance[] }) => LoadBalancer,
): DiscoverySetup | null {
  const { name, port, url, advertised, health, logger } = context;
  const { client: eurekaClient, instance: eurekaInstance } = settings;
  const { registerWithEureka, fetchRegistry } = eurekaClient;
  if (!registerWithEureka && !fetchRegistry) return null;
  const renewalSecs = eurekaInstance.renewalIntervalSecs;
  const instance = registerWithEureka
    ? buildInstanceInfo({
        appName: name,
        hostName: advertised.preferIp ? advertised.ip : advertised.hostName,
        ipAddr: advertised.ip,
        port,
        instanceId: eurekaInstance.instanceId ?? `${advertised.hostName}:${name}:${port}`,
        metadata: { 'management.port': String(port), ...eurekaInstance.metadata },
        homePageUrl: `${url}/`,
        statusPageUrl: `${url}/actuator/info`,
        healthCheckUrl: `${url}/actuator/health`,
        leaseRenewalIntervalInSecs: renewalSecs,
        leaseExpirationDurationInSecs: eurekaInstance.expirationSecs,
      })
    : undefined;
  const serviceUrls = eurekaClient.serviceUrls;
  const client = createEurekaClient({
    serviceUrls: serviceUrls.length > 0 ? [...serviceUrls] : ['http://localhost:8761/eureka/'],
    instance,
    registerWithEureka,
    fetchRegistry,
    shouldUseDelta: !eurekaClient.disableDelta,
    renewalIntervalMs: renewalSecs * 1000,
    registryFetchIntervalMs: eurekaClient.registryFetchIntervalSecs * 1000,
    instanceInfoReplicationIntervalMs: eurekaClient.replicationIntervalSecs * 1000,
    healthStatus: eurekaClient.healthcheck
      ? async () => toInstanceStatus((await health.checkAll()).status)
      : undefined,
    logger: logger.child({ component: 'discovery' }),
  });
  const balancer = withEarlyRefresh(balancerOf(client), () => client.refresh(), {
    clock: context.clock,
    minIntervalMs: settings.quarantine.earlyRefreshMs,
  });
  let closing: Promise<void> | null = null;
  return {
    discovery: {
      mode: 'eureka',
      getInstances: (serviceId) => client.getInstances(serviceId),
      syncHealth: () => client.checkHealth(),
      close() {
        // Readiness OUT_OF_SERVICE first, so peers stop choosing this instance before it goes.
        closing ??= (async () => {
          balancer.close();
          if (client.isRegistered) await client.setStatus('OUT_OF_SERVICE');
          await client.close();
        })();
        return closing;
      },
    },
    balancer,
    start: () => client.start(),
  };
}

function toInstanceStatus(status: string): InstanceStatus {
  return status === 'UP' || status === 'DOWN' || status === 'OUT_OF_SERVICE' ? status : 'UNKNOWN';
}

/** Options of {@link withEarlyRefresh}. */
export interface EarlyRefreshOptions {
  /** Least time between the starts of two early fetches, ms. @default 1000 */
  minIntervalMs?: number | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
  /** Runs `task` after `delayMs`; the default is an unref'ed `setTimeout`. */
  schedule?: (task: () => void, delayMs: number) => { cancel(): void };
}

/** A balancer over a registry cache that it fetches early when an instance fails or is missing. */
export interface RefreshingLoadBalancer extends LoadBalancer {
  /** Fetches now unless a fetch is in flight (then joins it) or one started within the interval. */
  refresh(): Promise<void>;
  /** Cancels a pending trailing fetch; later failures fetch nothing. Idempotent. */
  close(): void;
}

const unrefTimeout = (task: () => void, delayMs: number): { cancel(): void } => {
  const timer = setTimeout(task, delayMs).unref();
  return { cancel: () => clearTimeout(timer) };
};

/**
 * Wraps a balancer so that `markFailed` and a miss (no instance) ask for an
 * early registry fetch instead of waiting for the next fetch interval. Asks are
 * coalesced: at most one fetch in flight and at most one started per
 * `minIntervalMs`; an ask inside the interval (or during a fetch) is served by
 * one trailing fetch at the interval's end, so the news of a failure that the
 * registry learns a moment later is still picked up early.
 *
 * @example
 * const balancer = withEarlyRefresh(createLoadBalancer(client), () => client.refresh());
 */
export function withEarlyRefresh(
  balancer: LoadBalancer,
  fetch: () => Promise<unknown>,
  options: EarlyRefreshOptions = {},
): RefreshingLoadBalancer {
  const clock = options.clock ?? systemClock;
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const schedule = options.schedule ?? unrefTimeout;
  let lastStartMs = -Infinity;
  let inFlight: Promise<void> | null = null;
  let trailing: { cancel(): void } | null = null;
  let isWantedAfterFlight = false;
  let isClosed = false;

  const start = (): Promise<void> => {
    lastStartMs = clock.now();
    isWantedAfterFlight = false;
    const run = fetch().then(
      () => undefined,
      () => undefined,
    );
    inFlight = run.finally(() => {
      inFlight = null;
      if (isWantedAfterFlight) requestRefresh();
    });
    return inFlight;
  };

  const requestRefresh = (): void => {
    if (isClosed) return;
    if (inFlight !== null) {
      // The fetch in flight may have left before the registry learnt of this failure.
      isWantedAfterFlight = true;
      return;
    }
    const waitMs = lastStartMs + minIntervalMs - clock.now();
    if (waitMs <= 0) void start();
    else
      trailing ??= schedule(() => {
        trailing = null;
        requestRefresh();
      }, waitMs);
  };

  return {
    choose(serviceId, choice) {
      const chosen = balancer.choose(serviceId, choice);
      if (chosen === null && choice?.exclude === undefined) requestRefresh();
      return chosen;
    },
    markFailed(serviceId, instanceId) {
      balancer.markFailed(serviceId, instanceId);
      requestRefresh();
    },
    markSucceeded: (serviceId, instanceId) => balancer.markSucceeded?.(serviceId, instanceId),
    // A caller that found no instance may wait for one early fetch before giving up.
    refresh: () =>
      inFlight ??
      (!isClosed && clock.now() - lastStartMs >= minIntervalMs ? start() : Promise.resolve()),
    close() {
      isClosed = true;
      trailing?.cancel();
      trailing = null;
    },
  };
}

/** `spring.cloud.discovery.client.simple.instances.<id>[n].{uri,instance-id,metadata}`. */
function staticInstances(config: LiveConfig): Record<string, StaticInstanceOptions[]> {
  const raw = config.getObject('spring.cloud.discovery.client.simple.instances') ?? {};
  const out: Record<string, StaticInstanceOptions[]> = {};
  for (const [serviceId, list] of Object.entries(raw)) {
    const entries = Array.isArray(list)
      ? list
      : typeof list === 'object' && list
        ? Object.values(list)
        : [];
    out[serviceId] = entries.map((entry: unknown) => {
      const item = (typeof entry === 'object' && entry !== null ? entry : { uri: entry }) as Record<
        string,
        unknown
      >;
      const metadata = item.metadata;
      const instanceId = item['instance-id'] ?? item.instanceId;
      return {
        uri: String(item.uri ?? ''),
        instanceId: instanceId === undefined ? undefined : String(instanceId),
        metadata:
          typeof metadata === 'object' && metadata !== null
            ? stringValues(metadata as Record<string, unknown>)
            : undefined,
      };
    });
  }
  return out;
}

function numberValues(object: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, Number(v)]));
}

function stringValues(object: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [
      k,
      typeof v === 'object' ? JSON.stringify(v) : String(v),
    ]),
  );
}
