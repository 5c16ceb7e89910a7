import { REGISTRY_DEFAULTS } from '../../defaults.js';
import { RegistryErrors } from '../../errors.js';
import type { EurekaRegistryOptions } from '../../registry-types.js';

/** The validated, frozen settings of the lease table. */
export type LeaseSettings = Readonly<
  Required<Omit<EurekaRegistryOptions, 'clock' | 'logger' | 'random'>>
>;

const NON_NEGATIVE = [
  'evictionIntervalMs',
  'renewalThresholdUpdateIntervalMs',
  'expectedNumberOfClientsSendingRenews',
  'deltaRetentionMs',
  'deltaRetentionTimerIntervalMs',
  'waitTimeWhenSyncEmptyMs',
  'defaultOpenForTrafficCount',
  'responseCacheAutoExpirationMs',
] as const;

/** Every problem of `settings`, in option names; empty when they are valid. */
export function leaseSettingProblems(settings: LeaseSettings): string[] {
  const problems: string[] = [];
  for (const name of NON_NEGATIVE) {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      problems.push(`${name} must be a number >= 0`);
  }
  if (!(settings.renewalPercentThreshold > 0 && settings.renewalPercentThreshold <= 1))
    problems.push('renewalPercentThreshold must be in (0, 1]');
  if (!(settings.expectedClientRenewalIntervalSecs > 0))
    problems.push('expectedClientRenewalIntervalSecs must be > 0');
  return problems;
}

/**
 * Defaults, validates (listing every problem) and freezes the lease-table options.
 *
 * @throws StratusError `REG_ERR_INVALID_OPTIONS` whose `details.problems` lists each problem.
 */
export function resolveLeaseSettings(options: EurekaRegistryOptions): LeaseSettings {
  const d = REGISTRY_DEFAULTS;
  const settings: LeaseSettings = Object.freeze({
    evictionIntervalMs: options.evictionIntervalMs ?? d.evictionIntervalMs,
    renewalPercentThreshold: options.renewalPercentThreshold ?? d.renewalPercentThreshold,
    expectedClientRenewalIntervalSecs:
      options.expectedClientRenewalIntervalSecs ?? d.expectedClientRenewalIntervalSecs,
    renewalThresholdUpdateIntervalMs:
      options.renewalThresholdUpdateIntervalMs ?? d.renewalThresholdUpdateIntervalMs,
    enableSelfPreservation: options.enableSelfPreservation ?? d.enableSelfPreservation,
    expectedNumberOfClientsSendingRenews:
      options.expectedNumberOfClientsSendingRenews ?? d.expectedNumberOfClientsSendingRenews,
    deltaRetentionMs: options.deltaRetentionMs ?? d.deltaRetentionMs,
    deltaRetentionTimerIntervalMs:
      options.deltaRetentionTimerIntervalMs ?? d.deltaRetentionTimerIntervalMs,
    waitTimeWhenSyncEmptyMs: options.waitTimeWhenSyncEmptyMs ?? d.waitTimeWhenSyncEmptyMs,
    defaultOpenForTrafficCount: options.defaultOpenForTrafficCount ?? d.defaultOpenForTrafficCount,
    syncWhenTimestampDiffers: options.syncWhenTimestampDiffers ?? d.syncWhenTimestampDiffers,
    responseCacheAutoExpirationMs:
      options.responseCacheAutoExpirationMs ?? d.responseCacheAutoExpirationMs,
  });
  const problems = leaseSettingProblems(settings);
  if (problems.length > 0) {
    throw RegistryErrors.INVALID_OPTIONS({
      details: { problems },
      message: `Invalid registry options: ${problems.join('; ')}`,
    });
  }
  return settings;
}
