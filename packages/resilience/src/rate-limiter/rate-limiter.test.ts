import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createManualTimers } from '../timers.js';
import { createRateLimiter } from './rate-limiter.js';

function limiter(config: {
  limitForPeriod: number;
  limitRefreshPeriodMs: number;
  timeoutDurationMs: number;
}) {
  const clock = createManualClock(1_000);
  const timers = createManualTimers(clock);
  return { limiter: createRateLimiter('catalog', config, { clock, timers }), clock, timers };
}

test('grants limitForPeriod permissions per period and refills them when the next period starts', () => {
  const { limiter: rl, clock } = limiter({
    limitForPeriod: 2,
    limitRefreshPeriodMs: 1000,
    timeoutDurationMs: 0,
  });
  assert.equal(rl.reservePermission(), 0);
  assert.equal(rl.reservePermission(), 0);
  assert.equal(rl.reservePermission(), -1);
  assert.equal(rl.metrics.availablePermissions, 0);
  clock.advance(999);
  assert.equal(rl.reservePermission(), -1);
  clock.advance(1);
  assert.equal(rl.metrics.availablePermissions, 2);
  assert.equal(rl.reservePermission(), 0);
});

test('unused permissions do not pile up beyond limitForPeriod', () => {
  const { limiter: rl, clock } = limiter({
    limitForPeriod: 3,
    limitRefreshPeriodMs: 100,
    timeoutDurationMs: 0,
  });
  clock.advance(10_000);
  assert.equal(rl.metrics.availablePermissions, 3);
});

test('reserves a permission of the next period when it comes within timeoutDuration, and says how long to wait', () => {
  const { limiter: rl, clock } = limiter({
    limitForPeriod: 1,
    limitRefreshPeriodMs: 1000,
    timeoutDurationMs: 500,
  });
  rl.reservePermission();
  clock.advance(600);
  assert.equal(rl.reservePermission(), 400);
  assert.equal(rl.metrics.availablePermissions, -1, 'taken ahead of time');
  assert.equal(rl.reservePermission(), -1, 'the one after is 1.4 s away');
});

test('acquirePermission waits for its reserved permission, then runs', async () => {
  const { limiter: rl, timers } = limiter({
    limitForPeriod: 1,
    limitRefreshPeriodMs: 1000,
    timeoutDurationMs: 2000,
  });
  assert.equal(await rl.acquirePermission(), true);
  let granted: boolean | undefined;
  const waiting = rl.acquirePermission().then((ok) => (granted = ok));
  await Promise.resolve();
  assert.equal(rl.metrics.numberOfWaitingThreads, 1);
  timers.advance(999);
  await Promise.resolve();
  assert.equal(granted, undefined);
  timers.advance(1);
  await waiting;
  assert.equal(granted, true);
});

test('a caller that cannot be served in time is held for the whole timeout, then refused (as AtomicRateLimiter)', async () => {
  const { limiter: rl, timers } = limiter({
    limitForPeriod: 1,
    limitRefreshPeriodMs: 10_000,
    timeoutDurationMs: 300,
  });
  await rl.execute(() => 'first');
  let settled = false;
  const refused = rl.execute(() => 'second').finally(() => (settled = true));
  timers.advance(299);
  await Promise.resolve();
  assert.equal(settled, false);
  timers.advance(1);
  await assert.rejects(refused, { code: 'RES_ERR_REQUEST_NOT_PERMITTED', httpStatus: 429 });
});

test('drainPermissions uses up the rest of the period', () => {
  const { limiter: rl } = limiter({
    limitForPeriod: 5,
    limitRefreshPeriodMs: 1000,
    timeoutDurationMs: 0,
  });
  rl.reservePermission();
  rl.drainPermissions();
  assert.equal(rl.metrics.availablePermissions, 0);
});
