import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createWeightedLoadBalancer, weightOf } from './weighted.js';
import { fakeInstance as instance, tally } from '../internal/fixtures.js';

test('chooses each instance in proportion to its weight metadata, interleaved', () => {
  const list = [
    instance('x', 1, { metadata: { weight: '3' } }),
    instance('x', 2, { metadata: { weight: '1' } }),
  ];
  const balancer = createWeightedLoadBalancer({ getInstances: () => list });
  const sequence = [1, 2, 3, 4, 5, 6, 7, 8].map(() => balancer.choose('x')?.port);
  assert.deepEqual(sequence, [1, 1, 2, 1, 1, 1, 2, 1]);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 400),
    { 1: 300, 2: 100 },
  );
});

test('treats a missing, zero, negative or non-numeric weight as 1', () => {
  for (const raw of [undefined, '0', '-2', 'heavy', '1.5', '']) {
    const metadata: Record<string, string> = raw === undefined ? {} : { weight: raw };
    assert.equal(weightOf(instance('x', 1, { metadata })), 1, String(raw));
  }
  const list = [
    instance('x', 1),
    instance('x', 2, { metadata: { weight: 'x' } }),
    instance('x', 3, { metadata: { weight: '2' } }),
  ];
  const balancer = createWeightedLoadBalancer({ getInstances: () => list });
  assert.deepEqual(
    tally(() => balancer.choose('x'), 400),
    { 1: 100, 2: 100, 3: 200 },
  );
});

test('ignores DOWN instances and quarantined ones until the quarantine ends', () => {
  const clock = createManualClock(0);
  const list = [
    instance('x', 1, { metadata: { weight: '5' } }),
    instance('x', 2, { metadata: { weight: '1' } }),
    instance('x', 3, { metadata: { weight: '9' }, status: 'DOWN' }),
  ];
  const balancer = createWeightedLoadBalancer(
    { getInstances: () => list },
    { clock, quarantineMs: 1_000 },
  );
  balancer.markFailed('x', 'h:x:1');
  assert.deepEqual(
    tally(() => balancer.choose('x'), 12),
    { 2: 12 },
  );
  clock.advance(1_000);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 12),
    { 1: 10, 2: 2 },
  );
});
