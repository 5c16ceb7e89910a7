import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveConfig } from '@stratus/boot';
import { ConfigEnvironment } from '@stratus/config';
import { createManualClock, createSilentLogger } from '@stratus/core';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry } from '../../registry.js';
import { createPeerReplicator } from '../replication/replicator.js';
import { watchRegistrySettings } from './live-settings.js';
import { requireRegistrySettings } from './registry-settings.js';

/** A real LiveConfig whose next reload reads `next`. */
function liveConfig(initial: Record<string, unknown>) {
  let next = initial;
  const load = () => ({
    environment: new ConfigEnvironment([{ name: 'file:/srv/application.yml', properties: next }]),
    configServer: null,
  });
  const config = new LiveConfig(load(), async () => load(), createSilentLogger());
  return { config, change: (properties: Record<string, unknown>) => (next = properties) };
}

test('a refresh applies the lease settings at once, and a bad one is refused with the old ones kept', async (t) => {
  const { config, change } = liveConfig({ 'eureka.server.renewal-percent-threshold': 0.85 });
  const holder = { current: requireRegistrySettings(config.environment) };
  const registry = createEurekaRegistry({ ...holder.current.leases, clock: createManualClock(0) });
  const replicator = createPeerReplicator({ registry, peers: [] });
  t.after(async () => {
    await replicator.close();
    await registry.close();
  });
  watchRegistrySettings(config, holder, { registry, replicator, log: createSilentLogger() });
  for (let port = 1; port <= 9; port += 1)
    registry.register(sampleInstance({ port: { port, enabled: true } }));
  // 10 expected clients × 2 renewals a minute × 0.85
  assert.equal(registry.stats().renewsPerMinThreshold, 17);

  change({
    'eureka.server.renewal-percent-threshold': 0.5,
    'eureka.server.enable-self-preservation': false,
  });
  assert.deepEqual((await config.refresh()).sort(), [
    'eureka.server.enable-self-preservation',
    'eureka.server.renewal-percent-threshold',
  ]);
  assert.equal(registry.stats().renewsPerMinThreshold, 10);
  assert.equal(registry.stats().isSelfPreservationEnabled, false);
  assert.equal(holder.current.leases.renewalPercentThreshold, 0.5);

  change({ 'eureka.server.renewal-percent-threshold': 7, 'stratus.registry.sefl-url': 'x' });
  await assert.rejects(config.refresh(), (error: Error & { details?: { problems?: string[] } }) => {
    const problems = error.details?.problems ?? [];
    return (
      problems.some((p) => p.startsWith('eureka.server.renewal-percent-threshold')) &&
      problems.some((p) => p.startsWith('stratus.registry.sefl-url (file:/srv/application.yml)'))
    );
  });
  assert.equal(registry.stats().renewsPerMinThreshold, 10, 'the running settings stay');
});
