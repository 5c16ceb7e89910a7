import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRoundRobinLoadBalancer } from './load-balancer.js';
import type { ServiceInstance } from './types.js';

const instance = (serviceId: string, port: number): ServiceInstance => ({
  instanceId: `h:${serviceId}:${port}`,
  serviceId: serviceId.toUpperCase(),
  vipAddress: serviceId,
  host: 'h',
  port,
  secure: false,
  uri: `http://h:${port}`,
  status: 'UP',
  metadata: {},
});

test('round-robins over the instances of each service independently', () => {
  const table: Record<string, ServiceInstance[]> = {
    a: [instance('a', 1), instance('a', 2)],
    b: [instance('b', 3), instance('b', 4), instance('b', 5)],
  };
  const balancer = createRoundRobinLoadBalancer({
    getInstances: (id) => table[id.toLowerCase()] ?? [],
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
