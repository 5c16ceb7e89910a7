import type { InstanceInfo, InstanceStatus } from '../model.js';

/**
 * Eureka's `FirstMatchWinsCompositeRule(DownOrStartingRule, OverrideExistsRule,
 * LeaseExistsRule, AlwaysMatchInstanceStatusRule)`: the status the registry
 * stores for an instance.
 */
export function resolveStatus(
  registrant: InstanceInfo,
  override: InstanceStatus | undefined,
  existing: InstanceInfo | undefined,
  isReplication: boolean,
): InstanceStatus {
  // DownOrStartingRule: anything but UP / OUT_OF_SERVICE from the instance itself wins.
  if (registrant.status !== 'UP' && registrant.status !== 'OUT_OF_SERVICE')
    return registrant.status;
  if (override !== undefined) return override;
  // LeaseExistsRule: a client cannot undo an OUT_OF_SERVICE the registry already holds.
  if (!isReplication && existing !== undefined) {
    if (existing.status === 'UP' || existing.status === 'OUT_OF_SERVICE') return existing.status;
  }
  return registrant.status;
}
