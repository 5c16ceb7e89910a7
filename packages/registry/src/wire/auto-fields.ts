import type { InstanceInfo } from '../model.js';

/**
 * Eureka's "@Auto" instance fields in wire order (spring-wire.md §1.7): emitted after the fixed
 * fields, only when not null, in JSON as strings and in XML as elements. One list for both
 * formats, so they cannot drift apart.
 */
export function autoFields(instance: InstanceInfo): Array<[string, string | number | boolean]> {
  const fields: Array<[string, string | number | boolean | null]> = [
    ['appGroupName', instance.appGroupName],
    ['homePageUrl', instance.homePageUrl],
    ['statusPageUrl', instance.statusPageUrl],
    ['healthCheckUrl', instance.healthCheckUrl],
    ['secureHealthCheckUrl', instance.secureHealthCheckUrl],
    ['vipAddress', instance.vipAddress],
    ['secureVipAddress', instance.secureVipAddress],
    ['isCoordinatingDiscoveryServer', instance.isCoordinatingDiscoveryServer],
    ['lastUpdatedTimestamp', instance.lastUpdatedTimestamp],
    ['lastDirtyTimestamp', instance.lastDirtyTimestamp],
    ['actionType', instance.actionType],
    ['asgName', instance.asgName],
  ];
  return fields.filter((field): field is [string, string | number | boolean] => field[1] !== null);
}
