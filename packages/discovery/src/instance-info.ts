import { systemClock, type Clock } from '@stratus/core';
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

/**
 * Builds the register body Spring's Eureka client sends (spring-wire §1.4),
 * nulls included, in Spring's key order.
 *
 * @example
 * const instance = buildInstanceInfo({ appName: 'user-service', hostName: 'h', ipAddr: '10.0.0.5', port: 8080 });
 * instance.instanceId; // 'h:user-service:8080'
 * instance.vipAddress; // 'user-service'
 */
export function buildInstanceInfo(options: InstanceInfoOptions): EurekaInstanceInfo {
  const now = (options.clock ?? systemClock).now();
  const base = `http://${options.hostName}:${options.port}`;
  const vip = options.vipAddress ?? options.appName.toLowerCase();
  return {
    instanceId: options.instanceId ?? `${options.hostName}:${options.appName}:${options.port}`,
    app: options.appName.toUpperCase(),
    appGroupName: null,
    ipAddr: options.ipAddr,
    sid: 'na',
    homePageUrl: options.homePageUrl ?? `${base}/`,
    statusPageUrl: options.statusPageUrl ?? `${base}/actuator/info`,
    healthCheckUrl: options.healthCheckUrl ?? `${base}/actuator/health`,
    secureHealthCheckUrl: null,
    vipAddress: vip,
    secureVipAddress: vip,
    countryId: 1,
    dataCenterInfo: {
      '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
      name: 'MyOwn',
    },
    hostName: options.hostName,
    status: options.status ?? 'UP',
    overriddenStatus: 'UNKNOWN',
    leaseInfo: {
      renewalIntervalInSecs: options.leaseRenewalIntervalInSecs ?? 30,
      durationInSecs: options.leaseExpirationDurationInSecs ?? 90,
      registrationTimestamp: 0,
      lastRenewalTimestamp: 0,
      evictionTimestamp: 0,
      serviceUpTimestamp: 0,
    },
    isCoordinatingDiscoveryServer: false,
    lastUpdatedTimestamp: now,
    lastDirtyTimestamp: now,
    actionType: null,
    asgName: null,
    port: { $: options.port, '@enabled': 'true' },
    securePort:
      options.securePort === undefined
        ? { $: 443, '@enabled': 'false' }
        : { $: options.securePort, '@enabled': 'true' },
    metadata: { ...(options.metadata ?? {}) },
  };
}
