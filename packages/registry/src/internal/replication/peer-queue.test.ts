import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeerQueue } from './peer-queue.js';
import type { ReplicationItem } from './replication-item.js';

const item = (id: string): ReplicationItem => ({ appName: 'A', id, action: 'Heartbeat' });
const ids = (items: readonly ReplicationItem[]) => items.map((i) => i.id);

test('a full queue drops its oldest tasks and counts them', () => {
  const queue = new PeerQueue(() => 2);
  assert.equal(queue.push(item('1')), 0);
  assert.equal(queue.push(item('2')), 0);
  assert.equal(queue.push(item('3')), 1);
  assert.equal(queue.dropped, 1);
  assert.deepEqual(ids(queue.take(10)), ['2', '3']);
});

test('a failed batch goes back in front, and the bound still holds', () => {
  const queue = new PeerQueue(() => 3);
  for (const id of ['1', '2', '3']) queue.push(item(id));
  assert.equal(queue.putBack(queue.take(2)), 0);
  assert.deepEqual(ids(queue.take(10)), ['1', '2', '3']);
  for (const id of ['a', 'b']) queue.push(item(id));
  const batch = queue.take(1);
  for (const id of ['c', 'd']) queue.push(item(id));
  assert.equal(queue.putBack(batch), 1, 'the oldest task goes, even the one put back');
  assert.deepEqual(ids(queue.take(10)), ['b', 'c', 'd']);
});

test('the bound is read at each push, so a refreshed setting applies at once', () => {
  let max = 5;
  const queue = new PeerQueue(() => max);
  for (const id of ['1', '2', '3', '4']) queue.push(item(id));
  max = 2;
  assert.equal(queue.push(item('5')), 3);
  assert.deepEqual(ids(queue.take(10)), ['4', '5']);
});
