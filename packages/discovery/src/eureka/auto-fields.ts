import type { InstanceInfo } from './model.js';

/**
 * Eureka's "@Auto" instance fields in wire order (spring-wire §1.7): emitted after the fixed
 * fields, only when not null, in JSON as strings and in XML as elements. One list for both
 * formats, so they cannot drift apart.
 */
const AUTO_FIELDS = [
  'appGroupName',
  'homePageUrl',
  'statusPageUrl',
  'healthCheckUrl',
  'secureHealthCheckUrl',
  'vipAddress',
  'secureVipAddress',
  'isCoordinatingDiscoveryServer',
  'lastUpdatedTimestamp',
  'lastDirtyTimestamp',
  'actionType',
  'asgName',
] as const satisfies readonly (keyof InstanceInfo)[];

/** The non-null "@Auto" fields of `instance`, in wire order. */
export function autoFields(instance: InstanceInfo): Array<[string, string | number | boolean]> {
  const fields: Array<[string, string | number | boolean]> = [];
  for (const name of AUTO_FIELDS) {
    const value = instance[name];
    if (value !== null) fields.push([name, value]);
  }
  return fields;
}
