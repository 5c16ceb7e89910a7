import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry, type EurekaRegistryOptions } from '../../registry.js';

function setup(options: EurekaRegistryOptions = {}) {
  const clock = createManualClock(1_000_000);
  const registry = createEurekaRegistry({ clock, evictionIntervalMs: 0, ...options });
  return { clock, registry };
}

const at = (app: string, port: number) => sampleInstance({ app, port: { port, enabled: true } });
const idOf = (app: string, port: number) => `host:${app.toLowerCase()}:${port}`;

test('reads return the same frozen objects until something a client sees changes', () => {
  const { registry } = setup();
  registry.register(at('A', 1));
  registry.register(at('B', 1));
  const first = registry.getApplications();
  assert.equal(registry.getApplications(), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.applications[0]));
  const delta = registry.getDelta();
  assert.equal(registry.getDelta(), delta);

  registry.register(at('B', 2));
  const second = registry.getApplications();
  assert.notEqual(second, first);
  assert.equal(second.applications[0], first.applications[0], 'A did not change: same object');
  assert.notEqual(second.applications[1], first.applications[1]);
  assert.equal(second.appsHashCode, 'UP_3_');
  assert.notEqual(registry.getDelta(), delta);
});

test('heartbeats change no read; their times show after the auto-expiration time', () => {
  const { clock, registry } = setup({ responseCacheAutoExpirationMs: 180_000 });
  registry.register(at('A', 1));
  const before = registry.getApplications();
  const delta = registry.getDelta();
  clock.advance(30_000);
  assert.equal(registry.renew('A', idOf('A', 1)), 'ok');
  assert.equal(registry.getApplications(), before);
  assert.equal(registry.getDelta(), delta);
  assert.equal(registry.getInstance('A', idOf('A', 1))?.leaseInfo.lastRenewalTimestamp, 1_030_000);
  clock.advance(150_001);
  const after = registry.getApplications();
  assert.notEqual(after, before);
  assert.equal(after.applications[0]?.instances[0]?.leaseInfo.lastRenewalTimestamp, 1_030_000);
});

test('a status change, an override, metadata and a cancel are each a new read', () => {
  const { registry } = setup();
  registry.register(at('A', 1));
  registry.register(at('A', 2));
  const reads = [registry.getApplications()];
  const next = () => {
    const read = registry.getApplications();
    assert.ok(!reads.includes(read));
    reads.push(read);
    return read;
  };
  registry.statusUpdate('A', idOf('A', 1), 'OUT_OF_SERVICE');
  assert.equal(next().appsHashCode, 'OUT_OF_SERVICE_1_UP_1_');
  registry.deleteStatusOverride('A', idOf('A', 1), 'UP');
  assert.equal(next().appsHashCode, 'UP_2_');
  registry.updateMetadata('A', idOf('A', 2), { zone: 'z1' });
  assert.equal(next().applications[0]?.instances[1]?.metadata['zone'], 'z1');
  registry.cancel('A', idOf('A', 1));
  assert.equal(next().applications[0]?.instances.length, 1);
  registry.cancel('A', idOf('A', 2));
  assert.deepEqual(next().applications, []);
});

test('a lease that expires is hidden at the first read after its expiry, without a write', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  registry.register(at('A', 1));
  clock.advance(60_000);
  registry.register(at('A', 2));
  const both = registry.getApplications();
  assert.equal(both.applications[0]?.instances.length, 2);
  clock.advance(30_000);
  assert.equal(registry.getApplications(), both, 'not expired yet: at expiry it still counts');
  clock.advance(1);
  const one = registry.getApplications();
  assert.deepEqual(
    one.applications[0]?.instances.map((i) => i.port.port),
    [2],
  );
  assert.equal(one.appsHashCode, 'UP_1_');
  assert.equal(registry.getDelta().appsHashCode, 'UP_1_', 'the delta carries the new hash');
  assert.equal(registry.renew('A', idOf('A', 1)), 'ok');
  assert.equal(registry.getApplications().applications[0]?.instances.length, 2, 'revived');
});

test('expired leases reappear when self-preservation stops expiry, and hide again when it ends', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  registry.register(at('A', 1));
  clock.advance(91_000);
  assert.deepEqual(registry.getApplications().applications, []);
  registry.reconfigure({ enableSelfPreservation: true });
  assert.equal(registry.getApplications().applications[0]?.instances.length, 1);
  registry.reconfigure({ enableSelfPreservation: false });
  assert.deepEqual(registry.getApplications().applications, []);
});

test('the delta is rebuilt when a change leaves the retention window, not before', () => {
  const { clock, registry } = setup({ deltaRetentionMs: 10_000 });
  registry.register(at('A', 1));
  const delta = registry.getDelta();
  clock.advance(10_000);
  assert.equal(registry.getDelta(), delta);
  clock.advance(1);
  assert.deepEqual(registry.getDelta().applications, []);
  assert.equal(registry.getDelta().appsHashCode, 'UP_1_');
});
