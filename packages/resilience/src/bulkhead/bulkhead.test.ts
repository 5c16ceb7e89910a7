import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createManualClock } from '@stratus/core';
import { createManualTimers } from '../timers.js';
import { createBulkhead } from './bulkhead.js';

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

test('with 10 permits and no wait, the 11th concurrent call is rejected at once without running', async () => {
  const bulkhead = createBulkhead('inventory', { maxConcurrentCalls: 10, maxWaitDurationMs: 0 });
  const gate = deferred();
  const running = Array.from({ length: 10 }, () => bulkhead.execute(() => gate.promise));
  assert.equal(bulkhead.metrics.availableConcurrentCalls, 0);
  let ran = false;
  const start = performance.now();
  await assert.rejects(
    bulkhead.execute(async () => {
      ran = true;
    }),
    { code: 'RES_ERR_BULKHEAD_FULL', httpStatus: 503 },
  );
  const elapsed = performance.now() - start;
  assert.equal(ran, false);
  assert.ok(elapsed < 50, `rejected after ${elapsed.toFixed(2)} ms`);
  gate.release();
  await Promise.all(running);
  assert.equal(bulkhead.metrics.availableConcurrentCalls, 10);
  assert.equal(await bulkhead.execute(() => 'next'), 'next');
});

test('a waiting call gets the first permit that comes back within maxWaitDuration, in arrival order', async () => {
  const clock = createManualClock(0);
  const timers = createManualTimers(clock);
  const bulkhead = createBulkhead(
    'inventory',
    { maxConcurrentCalls: 1, maxWaitDurationMs: 500 },
    { clock, timers },
  );
  await bulkhead.acquirePermission();
  const order: string[] = [];
  const first = bulkhead.acquirePermission().then(() => order.push('first'));
  const second = bulkhead.acquirePermission().then(() => order.push('second'));
  assert.equal(bulkhead.tryAcquirePermission(), false, 'no barging past the queue');
  bulkhead.onComplete();
  await first;
  bulkhead.onComplete();
  await second;
  assert.deepEqual(order, ['first', 'second']);
});

test('a waiting call is rejected when maxWaitDuration passes without a permit', async () => {
  const clock = createManualClock(0);
  const timers = createManualTimers(clock);
  const bulkhead = createBulkhead(
    'inventory',
    { maxConcurrentCalls: 1, maxWaitDurationMs: 500 },
    { clock, timers },
  );
  await bulkhead.acquirePermission();
  const waiting = bulkhead.acquirePermission();
  timers.advance(499);
  timers.advance(1);
  await assert.rejects(waiting, { code: 'RES_ERR_BULKHEAD_FULL' });
  assert.equal(timers.pending(), 0);
});

test('changeConfig grows or shrinks the limit in place, running calls keeping their permits', async () => {
  const bulkhead = createBulkhead('inventory', { maxConcurrentCalls: 2 });
  assert.ok(bulkhead.tryAcquirePermission());
  assert.ok(bulkhead.tryAcquirePermission());
  bulkhead.changeConfig({ maxConcurrentCalls: 1, maxWaitDurationMs: 0 });
  bulkhead.onComplete();
  assert.equal(bulkhead.tryAcquirePermission(), false, 'still one call running, the new limit');
  bulkhead.changeConfig({ maxConcurrentCalls: 3, maxWaitDurationMs: 0 });
  assert.ok(bulkhead.tryAcquirePermission());
  assert.deepEqual(bulkhead.metrics, { availableConcurrentCalls: 1, maxAllowedConcurrentCalls: 3 });
});

test('memory stays flat while 1000 calls are rejected', async () => {
  const bulkhead = createBulkhead('inventory', { maxConcurrentCalls: 0 });
  const reject = () => bulkhead.execute(() => 'never').catch(() => undefined);
  for (let i = 0; i < 200; i++) await reject();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) await reject();
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 16 * 1024 * 1024, `heap grew ${grown} bytes`);
});
