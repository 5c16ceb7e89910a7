/** Spring Cloud Netflix defaults (`eureka.server.*`), in this package's units. */
export const REGISTRY_DEFAULTS = Object.freeze({
  /** `eviction-interval-timer-in-ms` */
  evictionIntervalMs: 60_000,
  /** `renewal-percent-threshold` */
  renewalPercentThreshold: 0.85,
  /** `expected-client-renewal-interval-seconds` */
  expectedClientRenewalIntervalSecs: 30,
  /** `renewal-threshold-update-interval-ms` */
  renewalThresholdUpdateIntervalMs: 900_000,
  /** `enable-self-preservation` */
  enableSelfPreservation: true,
  /** Spring's `expected-number-of-clients-sending-renews` / `default-open-for-traffic-count`. */
  expectedNumberOfClientsSendingRenews: 1,
  /** `retention-time-in-m-s-in-delta-queue` */
  deltaRetentionMs: 180_000,
  /** `sync-when-timestamp-differs` */
  syncWhenTimestampDiffers: true,
  /** Lease duration used when a registrant sends `durationInSecs <= 0`. */
  defaultLeaseDurationSecs: 90,
  /** Default renewal interval reported when a registrant sends none. */
  defaultRenewalIntervalSecs: 30,
});
