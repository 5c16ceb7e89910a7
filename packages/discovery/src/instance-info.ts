import { systemClock, type Clock } from '@stratus/core';
import { EUREKA_INSTANCE_DEFAULTS } from './defaults.js';
import { DEFAULT_DATA_CENTER_CLASS, type InstanceInfo } from './eureka/model.js';
import { registerBodyOf } from './eureka/write-register-body.js';
import type { EurekaInstanceInfo, InstanceStatus } from './types.js';

/** Options of {@link buildInstanceInfo}; Spring's `eureka.instance.*` in camelCase with units. */
export interface InstanceInfoOptions {
  /** `spring.application.name`; the Eureka app is its upper case. */
  appName: string;
  hostName: string;
  ipAddr: string;
  /** The unsecure port, enabled. */
  port: number;
  /** @default `${hostName}:${appName}:${port}` (Spring's default) */
  instanceId?: string;
  /** When given, the secure port is enabled on this port; otherwise 443, disabled. */
  securePort?: number;
  /** @default {} */
  metadata?: Record<string, string>;
  /** @default `http://hostName:port/` */
  homePageUrl?: string;
  /** @default `http://hostName:port/actuator/info` */
  statusPageUrl?: string;
  /** @default `http://hostName:port/actuator/health` */
  healthCheckUrl?: string;
  /** @default appName in lower case */
  vipAddress?: string;
  /** @default 30 */
  leaseRenewalIntervalInSecs?: number;
  /** @default 90 */
  leaseExpirationDurationInSecs?: number;
  /** @default 'UP' */
  status?: InstanceStatus;
  /** Source of `lastUpdatedTimestamp` / `lastDirtyTimestamp`. @default systemClock */
  clock?: Clock;
}

/** The Eureka model of the instance Spring's `EurekaInstanceConfigBean` describes. */
export function instanceInfoOf(options: InstanceInfoOptions): InstanceInfo {
  const now = (options.clock ?? systemClock).now();
  const base = `http://${options.hostName}:${options.port}`;
  const vip = options.vipAddress ?? options.appName.toLowerCase();
  return {
    instanceId: options.instanceId ?? `${options.hostName}:${options.appName}:${options.port}`,
    hostName: options.hostName,
    app: options.appName.toUpperCase(),
    ipAddr: options.ipAddr,
    sid: 'na',
    status: options.status ?? 'UP',
    overriddenStatus: 'UNKNOWN',
    port: { port: options.port, enabled: true },
    securePort:
      options.securePort === undefined
        ? { port: 443, enabled: false }
        : { port: options.securePort, enabled: true },
    countryId: 1,
    dataCenterInfo: { className: DEFAULT_DATA_CENTER_CLASS, name: 'MyOwn' },
    leaseInfo: {
      renewalIntervalInSecs:
        options.leaseRenewalIntervalInSecs ?? EUREKA_INSTANCE_DEFAULTS.leaseRenewalIntervalInSecs,
      durationInSecs:
        options.leaseExpirationDurationInSecs ??
        EUREKA_INSTANCE_DEFAULTS.leaseExpirationDurationInSecs,
      registrationTimestamp: 0,
      lastRenewalTimestamp: 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    metadata: { ...(options.metadata ?? {}) },
    appGroupName: null,
    homePageUrl: options.homePageUrl ?? `${base}/`,
    statusPageUrl: options.statusPageUrl ?? `${base}/actuator/info`,
    healthCheckUrl: options.healthCheckUrl ?? `${base}/actuator/health`,
    secureHealthCheckUrl: null,
    vipAddress: vip,
    secureVipAddress: vip,
    isCoordinatingDiscoveryServer: false,
    lastUpdatedTimestamp: now,
    lastDirtyTimestamp: now,
    actionType: null,
    asgName: null,
  };
}

/**
 * Builds the register body Spring's Eureka client sends (spring-wire §1.4), nulls included, in
 * Spring's key order: the Eureka model of these options, written as Spring's client writes it.
 *
 * @example
 * const instance = buildInstanceInfo({ appName: 'user-service', hostName: 'h', ipAddr: '10.0.0.5', port: 8080 });
 * instance.instanceId; // 'h:user-service:8080'
 * instance.vipAddress; // 'user-service'
 */
export function buildInstanceInfo(options: InstanceInfoOptions): EurekaInstanceInfo {
  return registerBodyOf(instanceInfoOf(options));
}
