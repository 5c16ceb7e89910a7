import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PausableSubscription } from '../transport.js';
import { gate, waitFor } from './contract-support.js';
import type { ContractContext } from './transport-contract.js';

function sharesWorkInAGroup(c: ContractContext): void {
  void test('members of one group share the work: each message is handled by one of them', async (t) => {
    const [one, two] = [await c.open(t), await c.open(t)];
    const topic = c.names.topic('share');
    const groupId = c.names.group();
    const byOne: string[] = [];
    const byTwo: string[] = [];
    await one.subscribe({ topics: [topic], groupId, handler: async (m) => void byOne.push(m.id) });
    await two.subscribe({ topics: [topic], groupId, handler: async (m) => void byTwo.push(m.id) });
    const ids = Array.from({ length: 40 }, (_, i) => `share-${i}`);
    await one.publish(ids.map((id) => ({ topic, id, key: id, payload: id })));
    await waitFor(
      'every message',
      () => new Set([...byOne, ...byTwo]).size === ids.length,
      c.timeoutMs,
    );
    assert.deepEqual([...new Set([...byOne, ...byTwo])].sort(), [...ids].sort());
    const both = byOne.filter((id) => byTwo.includes(id));
    assert.deepEqual(both, [], 'no message went to both members');
  });
}

function fansOutToEveryGroup(c: ContractContext): void {
  void test('gives every message to each of two consumer groups', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('groups');
    const a: string[] = [];
    const b: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group('ga'),
      handler: async (m) => void a.push(m.id),
    });
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group('gb'),
      handler: async (m) => void b.push(m.id),
    });
    const ids = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    await transport.publish(ids.map((id) => ({ topic, id, payload: id })));
    await waitFor(
      'both groups',
      () => new Set(a).size === 20 && new Set(b).size === 20,
      c.timeoutMs,
    );
    assert.deepEqual([...new Set(a)].sort(), [...ids].sort());
    assert.deepEqual([...new Set(b)].sort(), [...ids].sort());
  });
}

function broadcastsToEveryInstance(c: ContractContext): void {
  void test('a broadcast subscription on each instance receives every message', async (t) => {
    const [one, two] = [await c.open(t), await c.open(t)];
    const topic = c.names.topic('broadcast');
    const byOne: string[] = [];
    const byTwo: string[] = [];
    const grouped: string[] = [];
    await one.subscribe({
      topics: [topic],
      broadcast: true,
      handler: async (m) => void byOne.push(m.text()),
    });
    await two.subscribe({
      topics: [topic],
      broadcast: true,
      handler: async (m) => void byTwo.push(m.text()),
    });
    await one.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => void grouped.push(m.text()),
    });
    await two.publish([
      { topic, payload: 'refresh-1' },
      { topic, payload: 'refresh-2' },
    ]);
    const isComplete = (seen: string[]) => seen.includes('refresh-1') && seen.includes('refresh-2');
    await waitFor('both instances', () => isComplete(byOne) && isComplete(byTwo), c.timeoutMs);
    await waitFor('the group', () => isComplete(grouped), c.timeoutMs);
    await assert.rejects(
      one.subscribe({
        topics: [topic],
        broadcast: true,
        groupId: 'x',
        handler: async () => undefined,
      }),
      (error: unknown) => (error as { code?: string }).code === 'MSG_ERR_INVALID_OPTIONS',
    );
  });
}

function resumesFromCommittedPosition(c: ContractContext): void {
  void test('resumes a group from its committed position after the transport is reopened', async (t) => {
    const topic = c.names.topic('reopen');
    const groupId = c.names.group();
    const first = await c.make();
    const firstSeen: string[] = [];
    try {
      await first.subscribe({
        topics: [topic],
        groupId,
        handler: async (m) => void firstSeen.push(m.text()),
      });
      await first.publish(
        Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', payload: `a${i}` })),
      );
      await waitFor('the first five', () => firstSeen.length === 5, c.timeoutMs);
    } finally {
      await first.close();
    }
    const second = await c.open(t);
    await second.publish(
      Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', payload: `b${i}` })),
    );
    const secondSeen: string[] = [];
    await second.subscribe({
      topics: [topic],
      groupId,
      handler: async (m) => void secondSeen.push(m.text()),
    });
    await waitFor('the next five', () => secondSeen.length >= 5, c.timeoutMs);
    assert.deepEqual(secondSeen, ['b0', 'b1', 'b2', 'b3', 'b4']);
  });
}

function handsOverMidStream(c: ContractContext): void {
  void test('loses no message when a consumer closes mid-stream and another member of the group continues', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('handover');
    const groupId = c.names.group();
    const total = 30;
    const handled = new Set<string>();
    const stall = gate();
    let isStalled = false;
    const subscription: PausableSubscription = await transport.subscribe({
      topics: [topic],
      groupId,
      handler: async (m) => {
        if (handled.size === 10 && !isStalled) {
          isStalled = true;
          await stall.promise;
        }
        handled.add(m.text());
      },
    });
    await transport.publish(
      Array.from({ length: total }, (_, i) => ({ topic, key: `k${i % 3}`, payload: `m${i}` })),
    );
    await waitFor('the first consumer to stall mid-stream', () => isStalled, c.timeoutMs);
    const closing = subscription.close();
    stall.open();
    await closing;
    assert.ok(handled.size < total, 'the first consumer stopped early');
    const other = await c.open(t);
    await other.subscribe({
      topics: [topic],
      groupId,
      handler: async (m) => void handled.add(m.text()),
    });
    await waitFor('every message', () => handled.size === total, c.timeoutMs);
  });
}

/** Consumer groups: sharing, fan-out, broadcast, committed positions and hand-over. */
export function registerGroupTests(c: ContractContext): void {
  for (const register of [
    sharesWorkInAGroup,
    fansOutToEveryGroup,
    broadcastsToEveryInstance,
    resumesFromCommittedPosition,
    handsOverMidStream,
  ])
    register(c);
}
