import type { Clock } from '@stratus/core';
import { createMeasuredRate, type MeasuredRate } from './measured-rate.js';
import type { LeaseSettings } from './lease-settings.js';

/**
 * Eureka's self-preservation (`PeerAwareInstanceRegistryImpl`, spring-wire §1.10): the expected
 * renewals per minute, and whether expiry is allowed when the last minute's renewals fall short.
 */
export class SelfPreservation {
  readonly #settings: () => LeaseSettings;
  readonly #renews: MeasuredRate;
  #expectedClients: number;
  #threshold = 0;
  #nextUpdateMs: number;

  constructor(settings: () => LeaseSettings, clock: Clock) {
    this.#settings = settings;
    this.#renews = createMeasuredRate(clock);
    this.#expectedClients = settings().expectedNumberOfClientsSendingRenews;
    this.#nextUpdateMs = clock.now() + settings().renewalThresholdUpdateIntervalMs;
    this.recompute();
  }

  get expectedClients(): number {
    return this.#expectedClients;
  }

  /** `numberOfRenewsPerMinThreshold` */
  get threshold(): number {
    return this.#threshold;
  }

  /** Renewals counted in the last full minute. */
  get renewsLastMin(): number {
    return this.#renews.lastBucket();
  }

  recordRenewal(): void {
    this.#renews.increment();
  }

  /** A new lease: one more expected client (only while the expectation is above 0, as Eureka). */
  onNewLease(): void {
    if (this.#expectedClients <= 0) return;
    this.#expectedClients += 1;
    this.recompute();
  }

  /** A cancel or an eviction: one expected client less (Eureka decrements in `internalCancel`). */
  onLeaseRemoved(): void {
    if (this.#expectedClients <= 0) return;
    this.#expectedClients -= 1;
    this.recompute();
  }

  /** False while self-preservation blocks expiry. */
  isLeaseExpirationEnabled(): boolean {
    const settings = this.#settings();
    return (
      !settings.enableSelfPreservation ||
      (this.#threshold > 0 && this.#renews.lastBucket() > this.#threshold)
    );
  }

  /** Most leases one eviction run may remove from `registrySize` (Eureka's `evictionLimit`). */
  evictionLimit(registrySize: number): number {
    return registrySize - Math.trunc(registrySize * this.#settings().renewalPercentThreshold);
  }

  /**
   * Eureka's `updateRenewalThreshold` task, run when its interval has passed: the expectation
   * only rises towards the observed count, so a partition cannot ratchet it down.
   */
  maybeUpdate(nowMs: number, registeredCount: number): void {
    const settings = this.#settings();
    if (settings.renewalThresholdUpdateIntervalMs === 0 || nowMs < this.#nextUpdateMs) return;
    this.#nextUpdateMs = nowMs + settings.renewalThresholdUpdateIntervalMs;
    if (
      registeredCount > settings.renewalPercentThreshold * this.#expectedClients ||
      !settings.enableSelfPreservation
    ) {
      this.#expectedClients = registeredCount;
      this.recompute();
    }
  }

  /** Recomputes the threshold from the expectation and the current settings. */
  recompute(): void {
    const settings = this.#settings();
    // Same operand order as Eureka so the double rounding matches.
    this.#threshold = Math.trunc(
      this.#expectedClients *
        (60 / settings.expectedClientRenewalIntervalSecs) *
        settings.renewalPercentThreshold,
    );
  }
}
