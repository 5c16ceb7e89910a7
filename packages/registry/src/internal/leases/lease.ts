import type { InstanceInfo } from '@stratus/discovery';

/**
 * One registration (Eureka's `Lease<InstanceInfo>`): the stored instance and its lease times.
 * `view` is the instance with its `leaseInfo` filled in, built once per change.
 */
export class Lease {
  readonly registrationMs: number;
  readonly durationMs: number;
  lastRenewalMs: number;
  evictionMs = 0;
  serviceUpMs: number;
  #instance: InstanceInfo;
  #view: InstanceInfo | null = null;

  constructor(
    instance: InstanceInfo,
    times: { nowMs: number; durationMs: number; serviceUpMs: number },
  ) {
    this.#instance = instance;
    this.registrationMs = times.nowMs;
    this.lastRenewalMs = times.nowMs;
    this.durationMs = times.durationMs;
    this.serviceUpMs = times.serviceUpMs;
    if (instance.status === 'UP') this.markUp(times.nowMs);
  }

  /** The instance as registered or last changed (its `leaseInfo` as the registrant sent it). */
  get instance(): InstanceInfo {
    return this.#instance;
  }

  /** The instance as clients see it: `leaseInfo` holds this lease's times. Frozen, cached. */
  get view(): InstanceInfo {
    this.#view ??= Object.freeze({
      ...this.#instance,
      leaseInfo: Object.freeze({
        renewalIntervalInSecs: this.#instance.leaseInfo.renewalIntervalInSecs,
        durationInSecs: this.durationMs / 1000,
        registrationTimestamp: this.registrationMs,
        lastRenewalTimestamp: this.lastRenewalMs,
        evictionTimestamp: this.evictionMs,
        serviceUpTimestamp: this.serviceUpMs,
      }),
    });
    return this.#view;
  }

  /** Stores a changed instance. */
  replace(instance: InstanceInfo): void {
    this.#instance = instance;
    this.#view = null;
  }

  /** Records a renewal (or a status call, which Eureka counts as one). */
  renew(nowMs: number): void {
    this.lastRenewalMs = nowMs;
    this.#view = null;
  }

  /** Records the first time the instance was UP. */
  markUp(nowMs: number): void {
    if (this.serviceUpMs !== 0) return;
    this.serviceUpMs = nowMs;
    this.#view = null;
  }

  /** Marks the lease cancelled or evicted at `nowMs`. */
  markEvicted(nowMs: number): void {
    this.evictionMs = nowMs;
    this.#view = null;
  }

  /** Expired `durationMs` after the last renewal, not Eureka's 2× (reliability §2.1). */
  isExpired(nowMs: number): boolean {
    return this.evictionMs > 0 || nowMs > this.lastRenewalMs + this.durationMs;
  }
}
