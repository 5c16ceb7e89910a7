import type { EurekaInstanceInfo, EurekaPort } from '../types.js';
import type { InstanceInfo, PortInfo } from './model.js';
import { leaseInfoJson } from './write-json.js';

const portBody = (port: PortInfo): EurekaPort => ({
  $: port.port,
  '@enabled': port.enabled ? 'true' : 'false',
});

/**
 * The register body Spring's Java client sends for `instance` (spring-wire §1.4): Jackson's bean
 * serialization of `InstanceInfo`, camelCase, nulls included, in Spring's key order. The
 * registry's reader, {@link parseInstance}, reads it back to the same instance.
 */
export function registerBodyOf(instance: InstanceInfo): EurekaInstanceInfo {
  return {
    instanceId: instance.instanceId,
    app: instance.app,
    appGroupName: instance.appGroupName,
    ipAddr: instance.ipAddr,
    sid: instance.sid ?? 'na',
    homePageUrl: instance.homePageUrl,
    statusPageUrl: instance.statusPageUrl,
    healthCheckUrl: instance.healthCheckUrl,
    secureHealthCheckUrl: instance.secureHealthCheckUrl,
    vipAddress: instance.vipAddress ?? '',
    secureVipAddress: instance.secureVipAddress ?? '',
    countryId: instance.countryId,
    dataCenterInfo: {
      '@class': instance.dataCenterInfo.className,
      name: instance.dataCenterInfo.name,
    },
    hostName: instance.hostName,
    status: instance.status,
    overriddenStatus: instance.overriddenStatus,
    leaseInfo: leaseInfoJson(instance.leaseInfo),
    isCoordinatingDiscoveryServer: instance.isCoordinatingDiscoveryServer,
    lastUpdatedTimestamp: instance.lastUpdatedTimestamp,
    lastDirtyTimestamp: instance.lastDirtyTimestamp,
    actionType: instance.actionType,
    asgName: instance.asgName,
    port: portBody(instance.port),
    securePort: portBody(instance.securePort),
    metadata: { ...instance.metadata },
  };
}
