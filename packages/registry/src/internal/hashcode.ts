import type { InstanceInfo } from '../model.js';

/**
 * `apps__hashcode`: `STATUS_count_` for each status with count > 0, sorted by
 * status name (`DOWN_1_UP_3_`); empty for no instances.
 */
export function appsHashCode(instances: Iterable<Pick<InstanceInfo, 'status'>>): string {
  const counts = new Map<string, number>();
  for (const instance of instances)
    counts.set(instance.status, (counts.get(instance.status) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((status) => `${status}_${counts.get(status)}_`)
    .join('');
}
