import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { RestartTracker } from './restart-policy.js';

const killed = { code: null, signal: 'SIGKILL' as const };
const clean = { code: 0, signal: null };
const crashed = { code: 1, signal: null };

test('on-failure restarts after a crash or a signal but not after a clean exit', () => {
  const tracker = new RestartTracker({
    policy: 'on-failure',
    maxRestarts: 5,
    windowMs: 60_000,
    clock: createManualClock(),
  });
  assert.equal(tracker.decide(killed).action, 'restart');
  assert.equal(tracker.decide(crashed).action, 'restart');
  assert.equal(tracker.decide(clean).action, 'stay-down');
  assert.equal(tracker.total, 2);
});

test('always restarts after a clean exit; no never restarts', () => {
  const clock = createManualClock();
  assert.equal(
    new RestartTracker({ policy: 'always', maxRestarts: 5, windowMs: 60_000, clock }).decide(clean)
      .action,
    'restart',
  );
  assert.equal(
    new RestartTracker({ policy: 'no', maxRestarts: 5, windowMs: 60_000, clock }).decide(killed)
      .action,
    'stay-down',
  );
});

test('the delay doubles with each restart in the window, up to the maximum', () => {
  const tracker = new RestartTracker({
    policy: 'always',
    maxRestarts: 10,
    windowMs: 60_000,
    clock: createManualClock(),
    initialDelayMs: 250,
    maxDelayMs: 2000,
  });
  const delays = Array.from({ length: 6 }, () => {
    const decision = tracker.decide(killed);
    assert.equal(decision.action, 'restart');
    return decision.action === 'restart' ? decision.delayMs : -1;
  });
  assert.deepEqual(delays, [250, 500, 1000, 2000, 2000, 2000]);
});

test('gives up after max-restarts within the window, and a quiet window starts over', () => {
  const clock = createManualClock(0);
  const tracker = new RestartTracker({
    policy: 'on-failure',
    maxRestarts: 3,
    windowMs: 10_000,
    clock,
  });
  for (let i = 0; i < 3; i++) {
    assert.equal(tracker.decide(killed).action, 'restart');
    clock.advance(1000);
  }
  assert.deepEqual(tracker.decide(killed), { action: 'give-up', restartsInWindow: 3 });
  clock.advance(10_000);
  const again = tracker.decide(killed);
  assert.deepEqual(again, { action: 'restart', delayMs: 250, attempt: 4 });
});

test('a rare crash restarts at once: restarts older than the window do not slow it down', () => {
  const clock = createManualClock(0);
  const tracker = new RestartTracker({
    policy: 'on-failure',
    maxRestarts: 5,
    windowMs: 60_000,
    clock,
  });
  tracker.decide(killed);
  clock.advance(61_000);
  const decision = tracker.decide(killed);
  assert.equal(decision.action === 'restart' && decision.delayMs, 250);
});
