import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { resolveLeaseSettings } from './lease-settings.js';
import { SelfPreservation } from './self-preservation.js';

const MINUTE = 60_000;

function setup(options: Parameters<typeof resolveLeaseSettings>[0] = {}) {
  const clock = createManualClock(0);
  const settings = resolveLeaseSettings({
    renewalThresholdUpdateIntervalMs: 15 * MINUTE,
    ...options,
  });
  return { clock, preservation: new SelfPreservation(() => settings, clock) };
}

test('the threshold is expected clients × renewals a minute × the percentage, truncated as Eureka does', () => {
  const { preservation } = setup();
  for (let i = 0; i < 49; i += 1) preservation.onNewLease();
  assert.equal(preservation.expectedClients, 50);
  assert.equal(preservation.threshold, 85, '(int)(50 × 2 × 0.85)');
});

test('expiry is allowed only while the last minute had more renewals than the threshold', () => {
  const { clock, preservation } = setup();
  preservation.onNewLease(); // 2 expected → threshold 3
  for (let i = 0; i < 3; i += 1) preservation.recordRenewal();
  clock.advance(MINUTE);
  assert.equal(preservation.isLeaseExpirationEnabled(), false, '3 is not more than 3');
  for (let i = 0; i < 4; i += 1) preservation.recordRenewal();
  clock.advance(MINUTE);
  assert.equal(preservation.isLeaseExpirationEnabled(), true);
});

test('the periodic update raises the expectation to a healthy count, but a partition cannot lower it', () => {
  const { preservation } = setup({ expectedNumberOfClientsSendingRenews: 10 });
  preservation.maybeUpdate(15 * MINUTE, 5);
  assert.equal(preservation.expectedClients, 10, '5 is not above 0.85 × 10');
  preservation.maybeUpdate(30 * MINUTE, 12);
  assert.equal(preservation.expectedClients, 12);
  preservation.maybeUpdate(31 * MINUTE, 20);
  assert.equal(preservation.expectedClients, 12, 'not before the next interval');
});

test('at most size minus 85 % of it is evicted per run', () => {
  const { preservation } = setup();
  assert.equal(preservation.evictionLimit(50), 8);
  assert.equal(preservation.evictionLimit(3), 1);
});
