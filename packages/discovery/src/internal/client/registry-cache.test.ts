import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSilentLogger } from '@stratus/core';
import { fakeInstance } from '../fixtures.js';
import { RegistryCache } from './registry-cache.js';

const entry = (port: number, actionType: string | null = null, status: 'UP' | 'DOWN' = 'UP') => ({
  instance: fakeInstance('orders', port, { status }),
  actionType,
});

test('a delta adds, modifies and deletes idempotently, keyed by app and instance id', () => {
  const cache = new RegistryCache(createSilentLogger());
  cache.replace([entry(1), entry(2)]);
  const delta = [entry(3, 'ADDED'), entry(1, 'MODIFIED', 'DOWN'), entry(2, 'DELETED')];
  cache.applyDelta(delta);
  const after = cache.applyDelta(delta);
  assert.deepEqual(
    after.map((i) => `${i.port}:${i.status}`),
    ['1:DOWN', '3:UP'],
  );
  assert.deepEqual(
    cache.instancesOf('ORDERS').map((i) => i.port),
    [3],
    'only UP instances, by app name in any case',
  );
});

test('listeners hear only of real changes, and a throwing listener does not stop the others', () => {
  const cache = new RegistryCache(createSilentLogger());
  const heard: number[] = [];
  cache.onChange(() => {
    throw new Error('listener bug');
  });
  const unsubscribe = cache.onChange((instances) => heard.push(instances.length));
  cache.replace([entry(1)]);
  cache.replace([entry(1)]);
  cache.applyDelta([entry(2, 'ADDED')]);
  unsubscribe();
  cache.applyDelta([entry(3, 'ADDED')]);
  assert.deepEqual(heard, [1, 2]);
});
