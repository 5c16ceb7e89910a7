import type { LiveConfig } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import type { EurekaRegistry } from '../../registry-types.js';
import type { LivePeerReplicator } from '../replication/replicator.js';
import { bindRegistrySettings, type RegistrySettings } from './registry-settings.js';

/** The settings in force; a refresh swaps `current`. */
export interface SettingsHolder {
  current: RegistrySettings;
}

/** The security settings as one comparable text (secrets included; compared, never logged). */
function securityOf({ security }: RegistrySettings): string {
  const credential = (c: { username: string; password: { reveal(): string } }) => [
    c.username,
    c.password.reveal(),
  ];
  const admin = security.admin === null ? null : credential(security.admin);
  return JSON.stringify([security.enabled, admin, security.clients.map(credential)]);
}

/** Settings only read at start: a refresh that changes one is logged, and needs a restart. */
function restartOnlyChanges(previous: RegistrySettings, next: RegistrySettings): string[] {
  const changed: string[] = [];
  const { leases, api, replication } = previous;
  if (JSON.stringify(previous.peers) !== JSON.stringify(next.peers)) changed.push('peers');
  if (securityOf(previous) !== securityOf(next)) changed.push('security');
  for (const key of [
    'maxBodyBytes',
    'maxBatchBodyBytes',
    'useReadOnlyResponseCache',
    'responseCacheUpdateIntervalMs',
  ] as const)
    if (api[key] !== next.api[key]) changed.push(`api.${key}`);
  for (const key of ['startupSync', 'tombstoneRetentionMs'] as const)
    if (replication[key] !== next.replication[key]) changed.push(`replication.${key}`);
  for (const key of [
    'expectedNumberOfClientsSendingRenews',
    'waitTimeWhenSyncEmptyMs',
    'defaultOpenForTrafficCount',
  ] as const)
    if (leases[key] !== next.leases[key]) changed.push(`leases.${key}`);
  return changed;
}

/**
 * `/actuator/refresh` for the registry, as Spring rebinds `EurekaServerConfigBean`: a new
 * configuration is bound again (a bad one is refused and the running one stays); the lease
 * table, the replication tuning and the response cache expiry take it at once.
 */
export function watchRegistrySettings(
  config: LiveConfig,
  holder: SettingsHolder,
  targets: { registry: EurekaRegistry; replicator: LivePeerReplicator; log: Logger },
): void {
  config.addValidator((candidate) => bindRegistrySettings(candidate).problems);
  config.onChange(() => {
    const { settings } = bindRegistrySettings(config.environment);
    if (settings === null) return;
    const previous = holder.current;
    holder.current = settings;
    targets.registry.reconfigure(settings.leases);
    targets.replicator.reconfigure(settings.replication);
    const restart = restartOnlyChanges(previous, settings);
    if (restart.length > 0)
      targets.log.warn({ settings: restart }, 'changed registry settings apply after a restart');
  });
}
