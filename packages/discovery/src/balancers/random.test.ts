import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createRandomLoadBalancer } from './random.js';
import { fakeInstance as instance, seededRandom, tally } from '../internal/fixtures.js';

test('spreads choices roughly evenly over the UP instances', () => {
  const list = [
    instance('x', 1),
    instance('x', 2),
    instance('x', 3),
    instance('x', 4, { status: 'DOWN' }),
  ];
  const balancer = createRandomLoadBalancer(
    { getInstances: () => list },
    { random: seededRandom(42) },
  );
  const counts = tally(() => balancer.choose('x'), 3_000);
  assert.equal(counts[4], undefined);
  for (const port of [1, 2, 3]) {
    assert.ok(counts[port]! > 850 && counts[port]! < 1150, `port ${port}: ${counts[port]}`);
  }
});

test('stays in range when the random source answers its extremes', () => {
  const list = [instance('x', 1), instance('x', 2)];
  let next = 0;
  const balancer = createRandomLoadBalancer({ getInstances: () => list }, { random: () => next });
  assert.equal(balancer.choose('x')?.port, 1);
  next = 0.999_999_999;
  assert.equal(balancer.choose('x')?.port, 2);
  next = 1; // a broken source must not index past the end
  assert.equal(balancer.choose('x')?.port, 2);
  assert.equal(createRandomLoadBalancer({ getInstances: () => [] }).choose('x'), null);
});

test('skips a quarantined instance until the clock passes its quarantine', () => {
  const clock = createManualClock(0);
  const list = [instance('x', 1), instance('x', 2)];
  const balancer = createRandomLoadBalancer(
    { getInstances: () => list },
    { clock, quarantineMs: 2_000, random: seededRandom(7) },
  );
  balancer.markFailed('x', 'h:x:1');
  assert.deepEqual(
    tally(() => balancer.choose('x'), 50),
    { 2: 50 },
  );
  clock.advance(2_000);
  assert.ok(tally(() => balancer.choose('x'), 50)[1]! > 0);
});
