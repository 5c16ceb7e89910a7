import type { InstanceInfo, InstanceStatus } from '@stratus/discovery';

/**
 * Eureka's `FirstMatchWinsCompositeRule(DownOrStartingRule, OverrideExistsRule,
 * LeaseExistsRule, AlwaysMatchInstanceStatusRule)`: the status the registry stores for an
 * instance.
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

/**
 * Eureka's `overriddenInstanceStatusMap`: statuses set by `PUT …/status` (an operator taking an
 * instance out of service), keyed by instance id, that outlive re-registrations.
 */
export class StatusOverrides {
  readonly #byId = new Map<string, InstanceStatus>();

  get(id: string): InstanceStatus | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  set(id: string, status: InstanceStatus): void {
    this.#byId.set(id, status);
  }

  /** Removes the override; true when there was one. */
  delete(id: string): boolean {
    return this.#byId.delete(id);
  }

  /** The status the registry stores for `registrant` (see {@link resolveStatus}). */
  resolve(
    id: string,
    registrant: InstanceInfo,
    existing: InstanceInfo | undefined,
    isReplication: boolean,
  ): InstanceStatus {
    return resolveStatus(registrant, this.#byId.get(id), existing, isReplication);
  }

  /** id → status, as `GET /serverinfo/statusoverrides` shows them. */
  toRecord(): Record<string, InstanceStatus> {
    return Object.fromEntries(this.#byId);
  }
}
