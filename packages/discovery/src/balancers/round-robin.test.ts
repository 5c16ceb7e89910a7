import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { createRoundRobinLoadBalancer } from './round-robin.js';
import { fakeInstance as instance, tally } from '../internal/fixtures.js';
import type { ServiceInstance } from '../types.js';

test('round-robins over the instances of each service independently', () => {
  const table: Record<string, ServiceInstance[]> = {
    a: [instance('a', 1), instance('a', 2)],
    b: [instance('b', 3), instance('b', 4), instance('b', 5)],
  };
  const balancer = createRoundRobinLoadBalancer({
    getInstances: (id: string) => table[id.toLowerCase()] ?? [],
  });
  assert.deepEqual(
    [1, 2, 3].map(() => balancer.choose('a')?.port),
    [1, 2, 1],
  );
  assert.deepEqual(
    [1, 2, 3, 4].map(() => balancer.choose('B')?.port),
    [3, 4, 5, 3],
  );
  assert.equal(balancer.choose('A')?.port, 2); // case-insensitive position
});

test('answers null when a service has no instances and keeps going when the list changes', () => {
  let list: ServiceInstance[] = [];
  const balancer = createRoundRobinLoadBalancer({ getInstances: () => list });
  assert.equal(balancer.choose('x'), null);
  list = [instance('x', 1)];
  assert.equal(balancer.choose('x')?.port, 1);
  list = [instance('x', 1), instance('x', 2)];
  assert.equal(balancer.choose('x')?.port, 2);
});

test('never chooses an instance that is not UP, even when the source lists it', () => {
  const list = [
    instance('x', 1, { status: 'DOWN' }),
    instance('x', 2),
    instance('x', 3, { status: 'OUT_OF_SERVICE' }),
  ];
  const balancer = createRoundRobinLoadBalancer({ getInstances: () => list });
  assert.deepEqual(
    tally(() => balancer.choose('x'), 6),
    { 2: 6 },
  );
  assert.equal(createRoundRobinLoadBalancer({ getInstances: () => [list[0]!] }).choose('x'), null);
});

test('skips an instance marked failed until its quarantine ends, by the injected clock', () => {
  const clock = createManualClock(1_000);
  const list = [instance('x', 1), instance('x', 2), instance('x', 3)];
  const balancer = createRoundRobinLoadBalancer(
    { getInstances: () => list },
    { clock, quarantineMs: 5_000 },
  );
  balancer.markFailed('X', 'h:x:2');
  assert.deepEqual(
    tally(() => balancer.choose('x'), 10),
    { 1: 5, 3: 5 },
  );
  clock.advance(4_999);
  assert.equal(tally(() => balancer.choose('x'), 10)[2], undefined);
  clock.advance(1);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 9),
    { 1: 3, 2: 3, 3: 3 },
  );
});

test('tries the least recently failed instance when every instance is quarantined', () => {
  const clock = createManualClock(0);
  const list = [instance('x', 1), instance('x', 2)];
  const balancer = createRoundRobinLoadBalancer({ getInstances: () => list }, { clock });
  balancer.markFailed('x', 'h:x:2');
  clock.advance(100);
  balancer.markFailed('x', 'h:x:1');
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 2: 4 },
  );
  balancer.markFailed('other-service', 'h:x:2'); // quarantine is per service
  clock.advance(1_000); // the default first quarantine is 1 s
  assert.deepEqual(
    tally(() => balancer.choose('x'), 4),
    { 1: 2, 2: 2 },
  );
});

test('a retry can exclude the instance that just failed', () => {
  const list = [instance('x', 1), instance('x', 2), instance('x', 3)];
  const balancer = createRoundRobinLoadBalancer({ getInstances: () => list });
  const exclude = new Set(['h:x:1', 'h:x:3']);
  assert.deepEqual(
    tally(() => balancer.choose('x', { exclude }), 3),
    { 2: 3 },
  );
  assert.equal(balancer.choose('x', { exclude: new Set(list.map((i) => i.instanceId)) }), null);
});

test('a success reported after the quarantine ended clears the failure streak', () => {
  const clock = createManualClock(0);
  const list = [instance('x', 1), instance('x', 2)];
  const balancer = createRoundRobinLoadBalancer(
    { getInstances: () => list },
    { clock, quarantineMs: 1_000 },
  );
  balancer.markFailed('x', 'h:x:1');
  clock.advance(1_000);
  balancer.markFailed('x', 'h:x:1'); // second failure in a row: 2 s
  clock.advance(1_999);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 2),
    { 2: 2 },
  );
  clock.advance(1);
  balancer.markSucceeded?.('x', 'h:x:1');
  balancer.markFailed('x', 'h:x:1'); // a new streak: 1 s again
  clock.advance(1_000);
  assert.deepEqual(
    tally(() => balancer.choose('x'), 2),
    { 1: 1, 2: 1 },
  );
});
