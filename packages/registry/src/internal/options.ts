import { REGISTRY_DEFAULTS } from '../defaults.js';
import { invalidRegistryOptions } from '../errors.js';
import type { EurekaRegistryOptions } from '../registry-types.js';

export type Settings = Required<Omit<EurekaRegistryOptions, 'clock' | 'logger' | 'random'>>;

/** Defaults, validates (listing every problem) and freezes the registry options. */
export function validate(options: EurekaRegistryOptions): Settings {
  const settings: Settings = {
    evictionIntervalMs: options.evictionIntervalMs ?? REGISTRY_DEFAULTS.evictionIntervalMs,
    renewalPercentThreshold:
      options.renewalPercentThreshold ?? REGISTRY_DEFAULTS.renewalPercentThreshold,
    expectedClientRenewalIntervalSecs:
      options.expectedClientRenewalIntervalSecs ??
      REGISTRY_DEFAULTS.expectedClientRenewalIntervalSecs,
    renewalThresholdUpdateIntervalMs:
      options.renewalThresholdUpdateIntervalMs ??
      REGISTRY_DEFAULTS.renewalThresholdUpdateIntervalMs,
    enableSelfPreservation:
      options.enableSelfPreservation ?? REGISTRY_DEFAULTS.enableSelfPreservation,
    expectedNumberOfClientsSendingRenews:
      options.expectedNumberOfClientsSendingRenews ??
      REGISTRY_DEFAULTS.expectedNumberOfClientsSendingRenews,
    deltaRetentionMs: options.deltaRetentionMs ?? REGISTRY_DEFAULTS.deltaRetentionMs,
    syncWhenTimestampDiffers:
      options.syncWhenTimestampDiffers ?? REGISTRY_DEFAULTS.syncWhenTimestampDiffers,
  };
  const problems: string[] = [];
  const nonNegative = (name: keyof Settings): void => {
    const value = settings[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      problems.push(`${name} must be a number >= 0`);
  };
  nonNegative('evictionIntervalMs');
  nonNegative('renewalThresholdUpdateIntervalMs');
  nonNegative('expectedNumberOfClientsSendingRenews');
  nonNegative('deltaRetentionMs');
  if (!(settings.renewalPercentThreshold > 0 && settings.renewalPercentThreshold <= 1)) {
    problems.push('renewalPercentThreshold must be in (0, 1]');
  }
  if (!(settings.expectedClientRenewalIntervalSecs > 0))
    problems.push('expectedClientRenewalIntervalSecs must be > 0');
  if (problems.length > 0) throw invalidRegistryOptions(problems);
  return Object.freeze(settings);
}
