import { getList } from '@stratus/config';
import { StratusError, type Logger } from '@stratus/core';
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
  const balancerOf = (source: { getInstances(serviceId: string): ServiceInstance[] }) =>
    createLoadBalancer(source, {
      name: config.getString('spring.cloud.loadbalancer.configurations', 'default'),
      zone:
        config.getString('spring.cloud.loadbalancer.zone') ??
        config.getString('eureka.instance.metadata-map.zone'),
      quarantineMs: config.getNumber('stratus.loadbalancer.quarantine-ms', 10_000),
    });

  if (mode === 'static') {
    const client = createStaticDiscovery({ instances: staticInstances(config) });
    return passive(mode, client, balancerOf(client));
  }
  if (mode === 'kubernetes') {
    const scheme = config.getString('stratus.discovery.kubernetes.scheme', 'http');
    const client = createKubernetesDiscovery({
      namespace: config.getString('stratus.discovery.kubernetes.namespace'),
      port: config.getNumber('stratus.discovery.kubernetes.port', 80),
      ports: numberValues(config.getObject('stratus.discovery.kubernetes.ports') ?? {}),
      scheme: scheme === 'https' ? 'https' : 'http',
    });
    return passive(mode, client, balancerOf(client));
  }
  return eureka(context, balancerOf);
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
  balancerOf: (source: { getInstances(serviceId: string): ServiceInstance[] }) => LoadBalancer,
): DiscoverySetup | null {
  const { config, name, port, url, advertised, health, logger } = context;
  const registerWithEureka =
    config.getBoolean('eureka.client.register-with-eureka', true) !== false;
  const fetchRegistry = config.getBoolean('eureka.client.fetch-registry', true) !== false;
  if (!registerWithEureka && !fetchRegistry) return null;
  const urls = getList(config.environment, 'eureka.client.service-url.defaultZone');
  const renewalSecs =
    config.getNumber('eureka.instance.lease-renewal-interval-in-seconds', 30) ?? 30;
  const instance = registerWithEureka
    ? buildInstanceInfo({
        appName: name,
        hostName: advertised.preferIp ? advertised.ip : advertised.hostName,
        ipAddr: advertised.ip,
        port,
        instanceId:
          config.getString('eureka.instance.instance-id') ??
          `${advertised.hostName}:${name}:${port}`,
        metadata: {
          'management.port': String(port),
          ...stringValues(config.getObject('eureka.instance.metadata-map') ?? {}),
        },
        homePageUrl: `${url}/`,
        statusPageUrl: `${url}/actuator/info`,
        healthCheckUrl: `${url}/actuator/health`,
        leaseRenewalIntervalInSecs: renewalSecs,
        leaseExpirationDurationInSecs: config.getNumber(
          'eureka.instance.lease-expiration-duration-in-seconds',
          90,
        ),
      })
    : undefined;
  // Spring's eureka.client.healthcheck.enabled (Spring's default is false; Stratus's is true).
  const healthcheck = config.getBoolean('eureka.client.healthcheck.enabled', true) !== false;
  const client = createEurekaClient({
    serviceUrls: urls.length > 0 ? urls : ['http://localhost:8761/eureka/'],
    instance,
    registerWithEureka,
    fetchRegistry,
    shouldUseDelta: config.getBoolean('eureka.client.disable-delta', false) !== true,
    renewalIntervalMs: renewalSecs * 1000,
    registryFetchIntervalMs:
      (config.getNumber('eureka.client.registry-fetch-interval-seconds', 30) ?? 30) * 1000,
    instanceInfoReplicationIntervalMs:
      (config.getNumber('eureka.client.instance-info-replication-interval-seconds', 30) ?? 30) *
      1000,
    healthStatus: healthcheck
      ? async () => toInstanceStatus((await health.checkAll()).status)
      : undefined,
    logger: logger.child({ component: 'discovery' }),
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
          if (client.isRegistered) await client.setStatus('OUT_OF_SERVICE');
          await client.close();
        })();
        return closing;
      },
    },
    balancer: refreshOnMiss(balancerOf(client), () => client.refresh()),
    start: () => client.start(),
  };
}

function toInstanceStatus(status: string): InstanceStatus {
  return status === 'UP' || status === 'DOWN' || status === 'OUT_OF_SERVICE' ? status : 'UNKNOWN';
}

const MISS_REFRESH_INTERVAL_MS = 1000;

/**
 * A service with no known instance triggers an early registry fetch (at most once a second),
 * so a caller started before its dependencies does not wait a whole fetch interval.
 */
function refreshOnMiss(
  balancer: LoadBalancer,
  refresh: () => Promise<unknown>,
): LoadBalancer & { refresh(): Promise<void> } {
  let lastRefreshMs = 0;
  let inFlight: Promise<void> | null = null;
  const refreshNow = (): Promise<void> => {
    lastRefreshMs = Date.now();
    inFlight ??= refresh()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
  return {
    choose(serviceId) {
      const chosen = balancer.choose(serviceId);
      if (chosen === null && Date.now() - lastRefreshMs >= MISS_REFRESH_INTERVAL_MS)
        void refreshNow();
      return chosen;
    },
    markFailed: (serviceId, instanceId) => balancer.markFailed(serviceId, instanceId),
    // A caller that found no instance may wait for one early fetch before giving up.
    refresh: () =>
      inFlight ??
      (Date.now() - lastRefreshMs >= MISS_REFRESH_INTERVAL_MS ? refreshNow() : Promise.resolve()),
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
