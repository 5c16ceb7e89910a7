// What an idle registry gives back after churn: expired delta-queue entries and tombstones are
// purged by timers, not only by the next write (issue 8: RSS stayed high after a churn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createManualClock } from '@stratus/core';
import { createEurekaRegistry } from './registry.js';
import { sampleInstance } from '@stratus/discovery/testing';
import { Tombstones } from './internal/replication/tombstones.js';

/** Polls `check` every 5 ms until it holds, failing after `timeoutMs`. */
async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await delay(5);
  }
}

test('an idle registry drops expired changes from the delta queue on its retention timer', async (t) => {
  const clock = createManualClock(0);
  const registry = createEurekaRegistry({
    clock,
    evictionIntervalMs: 0,
    deltaRetentionMs: 1000,
    deltaRetentionTimerIntervalMs: 5,
  });
  t.after(() => registry.close());
  for (let port = 1; port <= 50; port += 1)
    registry.register(sampleInstance({ port: { port, enabled: true } }));
  for (let port = 1; port <= 50; port += 1) registry.cancel('MYAPP', `host:myapp:${port}`);
  assert.equal(registry.stats().deltaQueueSize, 100);
  clock.advance(1000);
  await delay(30);
  assert.equal(registry.stats().deltaQueueSize, 100, 'kept for the whole retention time');
  clock.advance(1);
  await until('the queue is empty', () => registry.stats().deltaQueueSize === 0);
  assert.deepEqual(registry.getDelta().applications, []);
});

test('a retention timer interval of 0 leaves purging to writes and delta reads', () => {
  const clock = createManualClock(0);
  const registry = createEurekaRegistry({
    clock,
    evictionIntervalMs: 0,
    deltaRetentionMs: 1000,
    deltaRetentionTimerIntervalMs: 0,
  });
  registry.register(sampleInstance());
  clock.advance(1001);
  assert.equal(registry.stats().deltaQueueSize, 1);
  registry.getDelta();
  assert.equal(registry.stats().deltaQueueSize, 0);
});

test('tombstones purge() drops the expired entries without a new cancel', () => {
  const clock = createManualClock(0);
  const tombstones = new Tombstones(clock, 1000);
  for (let i = 0; i < 100; i += 1) tombstones.record('MYAPP', `id-${i}`, 5);
  clock.advance(500);
  tombstones.record('MYAPP', 'late', 5);
  clock.advance(501);
  tombstones.purge();
  assert.equal(tombstones.size, 1);
  assert.equal(tombstones.isStale('MYAPP', 'late', 5), true);
  assert.equal(tombstones.isStale('MYAPP', 'id-0', 5), false);
});
