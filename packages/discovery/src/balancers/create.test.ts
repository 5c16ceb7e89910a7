import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStratusError } from '@stratus/core';
import { createLoadBalancer, parseLoadBalancerName } from './create.js';
import { fakeInstance as instance, tally } from '../internal/fixtures.js';

test("reads Spring's balancer names, with default meaning round-robin", () => {
  assert.equal(parseLoadBalancerName('default'), 'round-robin');
  assert.equal(parseLoadBalancerName(' Zone-Preference '), 'zone-preference');
  assert.equal(parseLoadBalancerName('weighted'), 'weighted');
  assert.equal(parseLoadBalancerName('random'), 'random');
  assert.equal(parseLoadBalancerName('health-check'), null);
});

test('creates the named balancer, round-robin when no name is given', () => {
  const list = [
    instance('x', 1, { metadata: { weight: '3', zone: 'a' } }),
    instance('x', 2, { metadata: { zone: 'b' } }),
  ];
  const source = { getInstances: () => list };
  const roundRobin = createLoadBalancer(source);
  assert.equal(roundRobin.name, 'round-robin');
  assert.deepEqual(
    tally(() => roundRobin.choose('x'), 4),
    { 1: 2, 2: 2 },
  );
  const weighted = createLoadBalancer(source, { name: 'weighted' });
  assert.deepEqual(
    tally(() => weighted.choose('x'), 8),
    { 1: 6, 2: 2 },
  );
  const zone = createLoadBalancer(source, { name: 'zone-preference', zone: 'b' });
  assert.deepEqual(
    tally(() => zone.choose('x'), 3),
    { 2: 3 },
  );
  const random = createLoadBalancer(source, { name: 'random', random: () => 0.9 });
  assert.deepEqual(
    tally(() => random.choose('x'), 3),
    { 2: 3 },
  );
});

test('rejects an unknown balancer name with REG_ERR_UNKNOWN_LOAD_BALANCER', () => {
  assert.throws(
    () => createLoadBalancer({ getInstances: () => [] }, { name: 'least-connections' }),
    (error: unknown) => isStratusError(error) && error.code === 'REG_ERR_UNKNOWN_LOAD_BALANCER',
  );
});
