import { bindProperties, type ConfigEnvironment, type PropertySpec } from '@stratus/config';
import { BOOT_DEFAULTS as D } from './defaults.js';

/**
 * The Eureka client, load balancer and Kubernetes discovery keys, as Spring Cloud Netflix and
 * Spring Cloud LoadBalancer name them (and Stratus's own under `stratus.*`).
 */
const DISCOVERY_PROPERTIES = {
  client: {
    key: 'eureka.client',
    type: 'object',
    properties: {
      registerWithEureka: { key: 'register-with-eureka', type: 'boolean', default: true },
      fetchRegistry: { key: 'fetch-registry', type: 'boolean', default: true },
      serviceUrls: { key: 'service-url.defaultZone', type: 'list', default: [] },
      disableDelta: { key: 'disable-delta', type: 'boolean', default: false },
      registryFetchIntervalSecs: {
        key: 'registry-fetch-interval-seconds',
        type: 'number',
        min: 0,
        default: D.registryFetchIntervalSecs,
      },
      replicationIntervalSecs: {
        key: 'instance-info-replication-interval-seconds',
        type: 'number',
        min: 0,
        default: D.instanceInfoReplicationIntervalSecs,
      },
      healthcheck: { key: 'healthcheck.enabled', type: 'boolean', default: D.eurekaHealthcheck },
    },
  },
  instance: {
    key: 'eureka.instance',
    type: 'object',
    properties: {
      instanceId: { key: 'instance-id', type: 'string' },
      renewalIntervalSecs: {
        key: 'lease-renewal-interval-in-seconds',
        type: 'number',
        min: 0,
        default: D.leaseRenewalIntervalSecs,
      },
      expirationSecs: {
        key: 'lease-expiration-duration-in-seconds',
        type: 'number',
        min: 0,
        default: D.leaseExpirationDurationSecs,
      },
      metadata: { key: 'metadata-map', type: 'map', default: {} },
    },
  },
  loadBalancer: {
    key: 'spring.cloud.loadbalancer',
    type: 'object',
    properties: {
      configurations: { key: 'configurations', type: 'string', default: 'default' },
      zone: { key: 'zone', type: 'string' },
    },
  },
  quarantine: {
    key: 'stratus.loadbalancer',
    type: 'object',
    properties: {
      quarantineMs: { key: 'quarantine-ms', type: 'number', min: 0, default: D.quarantineMs },
      maxQuarantineMs: {
        key: 'max-quarantine-ms',
        type: 'number',
        min: 0,
        default: D.maxQuarantineMs,
      },
      earlyRefreshMs: {
        key: 'early-refresh-min-interval-ms',
        type: 'number',
        min: 0,
        default: D.earlyRefreshMinIntervalMs,
      },
    },
  },
  kubernetes: {
    key: 'stratus.discovery.kubernetes',
    type: 'object',
    properties: {
      namespace: { key: 'namespace', type: 'string' },
      port: { key: 'port', type: 'int', min: 1, max: 65535, default: D.kubernetesServicePort },
      ports: { key: 'ports', type: 'map', default: {} },
      scheme: { key: 'scheme', type: 'enum', values: ['http', 'https'], default: 'http' },
    },
  },
} as const satisfies Record<string, PropertySpec>;

/** What discovery reads from configuration, bound once at start-up, frozen. */
export type DiscoverySettings = ReturnType<typeof bindDiscoverySettings>;

/**
 * Binds the discovery keys from `env`.
 *
 * @throws StratusError `CONFIG_ERR_INVALID_CONFIG` listing every bad value with its source.
 */
export function bindDiscoverySettings(env: ConfigEnvironment) {
  const b = bindProperties(env, DISCOVERY_PROPERTIES);
  return Object.freeze({
    ...b,
    loadBalancer: Object.freeze({
      configurations: b.loadBalancer.configurations,
      // Spring Cloud LoadBalancer's zone, else the instance's own zone metadata.
      zone: b.loadBalancer.zone ?? b.instance.metadata.zone,
    }),
  });
}
