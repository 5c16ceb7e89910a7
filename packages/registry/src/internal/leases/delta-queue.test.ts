import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleInstance } from '@stratus/discovery/testing';
import { DeltaQueue } from './delta-queue.js';

test('a delta holds the last state of each changed instance, grouped by app, latest change last', () => {
  const queue = new DeltaQueue(() => 1_000);
  const a1 = sampleInstance({ app: 'A', port: { port: 1, enabled: true } });
  const b1 = sampleInstance({ app: 'B', port: { port: 1, enabled: true } });
  queue.record({ ...a1, actionType: 'ADDED' }, 0);
  queue.record({ ...b1, actionType: 'ADDED' }, 10);
  queue.record({ ...a1, actionType: 'MODIFIED', status: 'DOWN' }, 20);
  assert.equal(queue.version, 4);
  const apps = queue.applications(30);
  assert.deepEqual(
    apps.map((app) => [app.name, app.instances.map((i) => `${i.actionType}:${i.status}`)]),
    [
      ['B', ['ADDED:UP']],
      ['A', ['MODIFIED:DOWN']],
    ],
  );
});

test('changes leave the queue once older than the retention time, read at each purge', () => {
  let retentionMs = 1_000;
  const queue = new DeltaQueue(() => retentionMs);
  queue.record(sampleInstance(), 0);
  queue.record(sampleInstance({ port: { port: 2, enabled: true } }), 500);
  queue.purge(1_000);
  assert.equal(queue.size, 2, 'kept for the whole retention time');
  queue.purge(1_001);
  assert.equal(queue.size, 1);
  retentionMs = 100;
  queue.purge(1_001);
  assert.equal(queue.size, 0);
  assert.deepEqual(queue.applications(1_001), []);
});
