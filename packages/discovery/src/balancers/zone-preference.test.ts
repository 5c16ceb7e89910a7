import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createZonePreferenceLoadBalancer } from './zone-preference.js';
import { fakeInstance as instance, tally } from '../internal/fixtures.js';
import type { ServiceInstance } from '../types.js';

const zoned = (port: number, zone: string, status: ServiceInstance['status'] = 'UP') =>
  instance('x', port, { metadata: { zone }, status });

test('prefers instances in the caller zone, compared case-insensitively', () => {
  const list = [zoned(1, 'zone-a'), zoned(2, 'Zone-B'), zoned(3, 'zone-b'), instance('x', 4)];
  const balancer = createZonePreferenceLoadBalancer(
    { getInstances: () => list },
    { zone: 'zone-b' },
  );
  assert.deepEqual(
    tally(() => balancer.choose('x'), 10),
    { 2: 5, 3: 5 },
  );
});

test('falls back to every zone when the caller zone has no UP instance', () => {
  const list = [zoned(1, 'zone-a'), zoned(2, 'zone-b', 'DOWN'), zoned(3, 'zone-c')];
  const balancer = createZonePreferenceLoadBalancer(
    { getInstances: () => list },
    { zone: 'zone-b' },
  );
  assert.deepEqual(
    tally(() => balancer.choose('x'), 10),
    { 1: 5, 3: 5 },
  );
});

test('uses every zone when the caller has no zone', () => {
  const list = [zoned(1, 'zone-a'), zoned(2, 'zone-b')];
  const balancer = createZonePreferenceLoadBalancer({ getInstances: () => list }, {});
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 1: 2, 2: 2 },
  );
});

test('leaves its zone while the local instance is quarantined, and comes back after', () => {
  const clock = createManualClock(0);
  const list = [zoned(1, 'zone-a'), zoned(2, 'zone-b'), zoned(3, 'zone-b')];
  const balancer = createZonePreferenceLoadBalancer(
    { getInstances: () => list },
    { zone: 'zone-a', clock, quarantineMs: 3_000 },
  );
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 1: 4 },
  );
  balancer.markFailed('x', 'h:x:1');
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 2: 2, 3: 2 },
  );
  clock.advance(3_000);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 1: 4 },
  );
});
