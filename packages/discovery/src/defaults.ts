/**
 * Defaults of an instance's registration, as Spring's `EurekaInstanceConfigBean` and the
 * Netflix deserializer fill them in (`eureka.instance.*`), in this package's units.
 */
export const EUREKA_INSTANCE_DEFAULTS = Object.freeze({
  /** `lease-renewal-interval-in-seconds` */
  leaseRenewalIntervalInSecs: 30,
  /** `lease-expiration-duration-in-seconds`; also what a registry assumes for `durationInSecs <= 0`. */
  leaseExpirationDurationInSecs: 90,
  /** The unsecure port a register body without one gets (Netflix `InstanceInfo`). */
  port: 7001,
  /** The secure port a register body without one gets (Netflix `InstanceInfo`). */
  securePort: 7002,
});

/** Defaults of `createEurekaClient` (Spring's `eureka.client.*`), in this package's units. */
export const EUREKA_CLIENT_DEFAULTS = Object.freeze({
  /** `eureka.client.register-with-eureka` */
  registerWithEureka: true,
  /** `eureka.client.fetch-registry` */
  fetchRegistry: true,
  /** `eureka.instance.lease-renewal-interval-in-seconds` × 1000 */
  renewalIntervalMs: 30_000,
  /** `eureka.client.registry-fetch-interval-seconds` × 1000 */
  registryFetchIntervalMs: 30_000,
  /** `!eureka.client.disable-delta` */
  shouldUseDelta: true,
  /** `eureka.client.instance-info-replication-interval-seconds` × 1000 */
  instanceInfoReplicationIntervalMs: 30_000,
  /** Per request, per server. */
  requestTimeoutMs: 5_000,
  /** Largest registry response read: 16 MiB. */
  maxResponseBytes: 16 * 1024 * 1024,
});
