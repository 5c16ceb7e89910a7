import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createManualClock, isStratusError } from '@stratus/core';
import { createEurekaRegistry, type EurekaRegistryOptions } from './registry.js';
import { instanceIdOf } from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';

const SECOND = 1000;

function setup(options: EurekaRegistryOptions = {}) {
  const clock = createManualClock(0);
  const registry = createEurekaRegistry({
    clock,
    evictionIntervalMs: 0,
    random: () => 0,
    ...options,
  });
  return { clock, registry };
}

const at = (port: number) => sampleInstance({ port: { port, enabled: true } });
const idOf = (port: number) => `host:myapp:${port}`;

test('a lease expires durationInSecs after the last renewal, not twice that', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  registry.register(at(1));
  clock.advance(60 * SECOND);
  assert.equal(registry.renew('myapp', idOf(1)), 'ok');
  clock.advance(90 * SECOND);
  assert.deepEqual(registry.evict().evicted, []);
  clock.advance(1);
  assert.deepEqual(registry.evict().evicted, ['MYAPP/host:myapp:1']);
  assert.equal(registry.getInstance('MYAPP', idOf(1)), null);
  assert.equal(registry.renew('MYAPP', idOf(1)), 'not-found');
});

test('a registrant lease duration <= 0 falls back to 90 seconds', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  registry.register(
    sampleInstance({ leaseInfo: { ...sampleInstance().leaseInfo, durationInSecs: 0 } }),
  );
  clock.advance(90 * SECOND);
  assert.equal(registry.evict().evicted.length, 0);
  clock.advance(1);
  assert.equal(registry.evict().evicted.length, 1);
});

test('self-preservation blocks eviction while renewals in the last minute are not above the threshold', () => {
  const { clock, registry } = setup();
  for (let port = 1; port <= 10; port += 1) registry.register(at(port));
  // expected = 1 (Spring's open-for-traffic count) + 10 registrations → threshold (int)(11 × 2 × 0.85) = 18
  assert.equal(registry.stats().renewsPerMinThreshold, 18);
  for (const t of [30, 59]) {
    clock.set(t * SECOND);
    for (let port = 1; port <= 5; port += 1)
      assert.equal(registry.renew('MYAPP', idOf(port)), 'ok');
  }
  clock.set(100 * SECOND);
  assert.equal(registry.stats().renewsLastMin, 10);
  const result = registry.evict();
  assert.equal(result.blocked, true);
  assert.equal(result.expired, 5);
  assert.equal(registry.stats().registeredInstances, 10);
  // While expiration is disabled, expired leases stay visible to GETs.
  assert.equal(registry.getApplications().applications[0]?.instances.length, 10);
});

test('eviction runs once renewals in the last minute exceed the threshold', () => {
  const { clock, registry } = setup();
  for (let port = 1; port <= 10; port += 1) registry.register(at(port));
  for (const t of [30, 59]) {
    clock.set(t * SECOND);
    for (let port = 1; port <= 10; port += 1) registry.renew('MYAPP', idOf(port));
  }
  clock.set(61 * SECOND);
  assert.equal(registry.stats().isLeaseExpirationEnabled, true);
  registry.cancel('MYAPP', idOf(10));
  clock.set(95 * SECOND);
  registry.renew('MYAPP', idOf(1));
  clock.set(119 * SECOND);
  assert.equal(registry.evict().blocked, false);
});

test('one eviction run removes at most registrySize - floor(registrySize × 0.85) leases', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  for (let port = 1; port <= 20; port += 1) registry.register(at(port));
  clock.advance(91 * SECOND);
  assert.equal(registry.evict().evicted.length, 3);
  assert.equal(registry.stats().registeredInstances, 17);
  assert.equal(registry.evict().evicted.length, 3); // 17 - floor(14.45)
  assert.equal(registry.stats().registeredInstances, 14);
});

test('expired but not yet evicted leases are hidden from reads while expiration is enabled', () => {
  const { clock, registry } = setup({ enableSelfPreservation: false });
  registry.register(at(1));
  clock.advance(91 * SECOND);
  assert.equal(registry.getInstance('MYAPP', idOf(1)), null);
  assert.equal(registry.getApplications().applications.length, 0);
  assert.equal(registry.getApplications().appsHashCode, '');
});

test('a status override survives heartbeats and re-registration until it is deleted', () => {
  const { registry } = setup();
  registry.register(at(1));
  assert.equal(registry.statusUpdate('myapp', idOf(1), 'OUT_OF_SERVICE'), true);
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.status, 'OUT_OF_SERVICE');
  assert.equal(registry.renew('MYAPP', idOf(1)), 'ok');
  registry.register(at(1));
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.status, 'OUT_OF_SERVICE');
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.overriddenStatus, 'OUT_OF_SERVICE');
  assert.deepEqual(registry.getStatusOverrides(), { [idOf(1)]: 'OUT_OF_SERVICE' });

  assert.equal(registry.deleteStatusOverride('MYAPP', idOf(1)), true);
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.status, 'UNKNOWN');
  // An UNKNOWN effective status makes the heartbeat answer 404, so the client re-registers as UP.
  assert.equal(registry.renew('MYAPP', idOf(1)), 'not-found');
  registry.register(at(1));
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.status, 'UP');
  assert.equal(registry.statusUpdate('MYAPP', 'nobody', 'UP'), false);
});

test('a registrant saying DOWN or STARTING wins over an override', () => {
  const { registry } = setup();
  registry.register(at(1));
  registry.statusUpdate('MYAPP', idOf(1), 'OUT_OF_SERVICE');
  registry.register(
    sampleInstance({ port: { port: 1, enabled: true }, status: 'DOWN', lastDirtyTimestamp: 2_000 }),
  );
  assert.equal(registry.getInstance('MYAPP', idOf(1))?.status, 'DOWN');
});

test('an existing OUT_OF_SERVICE lease is kept when a client registers UP again', () => {
  const { registry } = setup();
  registry.register(sampleInstance({ status: 'OUT_OF_SERVICE' }));
  registry.register(sampleInstance({ status: 'UP', lastDirtyTimestamp: 5_000 }));
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.status, 'OUT_OF_SERVICE');
});

test('a register older than the stored lastDirtyTimestamp keeps the stored instance', () => {
  const { registry } = setup();
  registry.register(sampleInstance({ lastDirtyTimestamp: 2_000, metadata: { v: 'new' } }));
  registry.register(sampleInstance({ lastDirtyTimestamp: 1_000, metadata: { v: 'old' } }));
  assert.deepEqual(registry.getInstance('MYAPP', 'host:myapp:8080')?.metadata, { v: 'new' });
});

test('heartbeat timestamps: newer asks to re-register, older is ok from clients and a conflict from peers', () => {
  const { registry } = setup();
  registry.register(sampleInstance({ lastDirtyTimestamp: 2_000 }));
  const id = 'host:myapp:8080';
  assert.equal(registry.renew('MYAPP', id, { lastDirtyTimestamp: 2_000 }), 'ok');
  assert.equal(registry.renew('MYAPP', id, { lastDirtyTimestamp: 3_000 }), 'not-found');
  assert.equal(registry.renew('MYAPP', id, { lastDirtyTimestamp: 1_000 }), 'ok');
  assert.equal(
    registry.renew('MYAPP', id, { lastDirtyTimestamp: 1_000, isReplication: true }),
    'conflict',
  );
  assert.equal(
    createEurekaRegistry({ evictionIntervalMs: 0, syncWhenTimestampDiffers: false }).renew(
      'X',
      'y',
    ),
    'not-found',
  );
});

test('the delta holds recent changes with their action type, the full hash and a growing version', () => {
  const { clock, registry } = setup();
  registry.register(at(1));
  registry.register(at(2));
  const before = registry.getDelta().versionDelta;
  registry.cancel('MYAPP', idOf(1));
  registry.statusUpdate('MYAPP', idOf(2), 'DOWN');
  const delta = registry.getDelta();
  assert.ok(delta.versionDelta > before);
  assert.equal(delta.appsHashCode, 'DOWN_1_');
  const actions = Object.fromEntries(
    delta.applications[0]!.instances.map((i) => [i.instanceId, i.actionType]),
  );
  assert.deepEqual(actions, { [idOf(1)]: 'DELETED', [idOf(2)]: 'MODIFIED' });
  clock.advance(180 * SECOND + 1);
  assert.equal(registry.getDelta().applications.length, 0);
});

test('metadata updates merge and re-register', () => {
  const { registry } = setup();
  registry.register(sampleInstance({ metadata: { a: '1' } }));
  assert.equal(registry.updateMetadata('myapp', 'host:myapp:8080', { b: '2' }), true);
  assert.deepEqual(registry.getInstance('MYAPP', 'host:myapp:8080')?.metadata, { a: '1', b: '2' });
  assert.equal(registry.updateMetadata('myapp', 'nope', { b: '2' }), false);
});

test('lookups by id, by VIP and the app name are case-insensitive on the app only', () => {
  const { registry } = setup();
  registry.register(sampleInstance({ vipAddress: 'myapp,alias' }));
  assert.equal(registry.findInstance('host:myapp:8080')?.app, 'MYAPP');
  assert.equal(registry.findInstance('HOST:MYAPP:8080'), null);
  assert.equal(registry.getApplication('MyApp')?.instances.length, 1);
  assert.equal(registry.getByVip('alias').applications.length, 1);
  assert.equal(registry.getByVip('ali').applications.length, 0);
  assert.equal(registry.getByVip('myapp', true).applications.length, 1);
});

test('cancel lowers the expected renewals and the periodic update resets them to a healthy registered count', () => {
  const { clock, registry } = setup({ renewalThresholdUpdateIntervalMs: 900 * SECOND });
  registry.register(at(1));
  registry.register(at(2));
  assert.equal(registry.stats().expectedClientsSendingRenews, 3);
  assert.equal(registry.cancel('MYAPP', idOf(2)), true);
  assert.equal(registry.cancel('MYAPP', idOf(2)), false);
  assert.equal(registry.stats().expectedClientsSendingRenews, 2);
  for (let port = 2; port <= 6; port += 1) registry.register(at(port));
  assert.equal(registry.stats().expectedClientsSendingRenews, 7);
  clock.set(899 * SECOND);
  for (let port = 1; port <= 6; port += 1) registry.renew('MYAPP', idOf(port));
  registry.evict();
  assert.equal(registry.stats().expectedClientsSendingRenews, 7);
  clock.set(900 * SECOND);
  registry.evict();
  // 6 registered > 0.85 × 7 expected → expected follows the registered count.
  assert.equal(registry.stats().expectedClientsSendingRenews, 6);
  assert.equal(registry.stats().renewsPerMinThreshold, 10); // (int)(6 × 2 × 0.85)
});

test('options are validated once and every problem is listed', () => {
  assert.throws(
    () =>
      createEurekaRegistry({
        evictionIntervalMs: -1,
        renewalPercentThreshold: 2,
        expectedClientRenewalIntervalSecs: 0,
      }),
    (error: unknown) =>
      isStratusError(error) &&
      error.code === 'REG_ERR_INVALID_OPTIONS' &&
      (error.details.problems as string[]).length === 3,
  );
});

test('reconfigure applies new self-preservation settings at once and refuses bad ones', () => {
  const { clock, registry } = setup({ enableSelfPreservation: true });
  for (let port = 1; port <= 3; port += 1) registry.register(at(port));
  clock.advance(91 * SECOND);
  assert.equal(registry.evict().blocked, true, 'no renewals: self-preservation holds');
  // 4 expected × 2 a minute × 0.85 = 6; × 0.5 = 4
  assert.equal(registry.stats().renewsPerMinThreshold, 6);
  registry.reconfigure({ renewalPercentThreshold: 0.5 });
  assert.equal(registry.stats().renewsPerMinThreshold, 4);
  assert.throws(
    () => registry.reconfigure({ renewalPercentThreshold: 0, deltaRetentionMs: -5 }),
    (error: unknown) =>
      isStratusError(error) &&
      error.code === 'REG_ERR_INVALID_OPTIONS' &&
      (error.details.problems as string[]).length === 2,
  );
  assert.equal(registry.stats().renewsPerMinThreshold, 4, 'the settings in force stay');
  registry.reconfigure({ enableSelfPreservation: false });
  assert.equal(
    registry.evict().evicted.length,
    2,
    'the cap follows the new threshold: 3 - trunc(1.5)',
  );
});

test('close is idempotent and a closed registry refuses registrations', async () => {
  const registry = createEurekaRegistry({ evictionIntervalMs: 10 });
  await registry.close();
  await registry.close();
  assert.throws(
    () => registry.register(sampleInstance()),
    (e: unknown) => isStratusError(e) && e.code === 'REG_ERR_CLOSED',
  );
});

test('model: without self-preservation and cap, exactly the leases renewed within their duration survive', () => {
  type Op =
    | { kind: 'register' | 'renew' | 'cancel'; id: number }
    | { kind: 'advance'; ms: number }
    | { kind: 'evict' };
  const op = fc.oneof(
    fc.record({
      kind: fc.constantFrom('register' as const, 'renew' as const, 'cancel' as const),
      id: fc.integer({ min: 1, max: 5 }),
    }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
    fc.record({ kind: fc.constant('evict' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops: Op[]) => {
      const { clock, registry } = setup({
        enableSelfPreservation: false,
        renewalPercentThreshold: 0.01,
      });
      const model = new Map<number, number>(); // id → last renewal
      const expired = (id: number) => clock.now() > model.get(id)! + 90_000;
      for (const step of ops) {
        if (step.kind === 'advance') clock.advance(step.ms);
        else if (step.kind === 'evict') {
          registry.evict();
          for (const id of [...model.keys()]) if (expired(id)) model.delete(id);
        } else if (step.kind === 'register') {
          registry.register(at(step.id));
          model.set(step.id, clock.now());
        } else if (step.kind === 'renew') {
          const result = registry.renew('MYAPP', idOf(step.id));
          assert.equal(result, model.has(step.id) ? 'ok' : 'not-found');
          if (model.has(step.id)) model.set(step.id, clock.now());
        } else {
          assert.equal(registry.cancel('MYAPP', idOf(step.id)), model.delete(step.id));
        }
        const visible = new Set(
          registry.getApplication('MYAPP')?.instances.map((i) => i.instanceId) ?? [],
        );
        const live = new Set([...model.keys()].filter((id) => !expired(id)).map(idOf));
        assert.deepEqual(visible, live);
      }
    }),
    { numRuns: 200 },
  );
});

test('subscribers see every change with its kind and whether a peer made it', async () => {
  const clock = createManualClock(0);
  const registry = createEurekaRegistry({
    clock,
    evictionIntervalMs: 0,
    enableSelfPreservation: false,
  });
  const seen: string[] = [];
  const stop = registry.subscribe((change) =>
    seen.push(`${change.kind}:${change.id}:${change.isReplication}`),
  );
  const id = instanceIdOf(sampleInstance());
  registry.register(sampleInstance());
  registry.renew('MYAPP', id, { isReplication: true });
  registry.statusUpdate('MYAPP', id, 'OUT_OF_SERVICE');
  registry.deleteStatusOverride('MYAPP', id, 'UP');
  registry.cancel('MYAPP', id, { isReplication: true });
  registry.register(sampleInstance());
  clock.advance(91_000);
  registry.evict();
  stop();
  registry.register(sampleInstance());
  assert.deepEqual(seen, [
    `register:${id}:false`,
    `renew:${id}:true`,
    `status-update:${id}:false`,
    `delete-status-override:${id}:false`,
    `cancel:${id}:true`,
    `register:${id}:false`,
    `evict:${id}:false`,
  ]);
  await registry.close();
});
