import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../transport.js';
import { waitFor } from './contract-support.js';
import type { ContractContext } from './transport-contract.js';

function assertPerKeyOrder(seen: Map<string, number[]>): void {
  for (const [key, seqs] of seen) {
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      `order of ${key}`,
    );
    assert.equal(new Set(seqs).size, seqs.length, `no duplicates for ${key}`);
  }
}

function deliversAMessage(c: ContractContext): void {
  void test('delivers a published message to a subscriber with its payload readable as text and json', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('roundtrip');
    const received: Message[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => void received.push(m),
    });
    await transport.publish({ topic, payload: JSON.stringify({ hello: 'world' }) });
    await waitFor('the message', () => received.length === 1, c.timeoutMs);
    const [message] = received;
    assert.ok(message);
    assert.equal(message.topic, topic);
    assert.equal(message.text(), '{"hello":"world"}');
    assert.deepEqual(message.json(), { hello: 'world' });
    assert.ok(Buffer.isBuffer(message.payload));
    assert.equal(typeof message.timestamp, 'number');
    assert.ok(Math.abs(message.timestamp - Date.now()) < 60_000, 'timestamp is epoch ms');
    assert.ok(typeof message.offset === 'number' || typeof message.offset === 'bigint');
    assert.equal(typeof message.partition, 'number');
    assert.equal(message.deliveryAttempt, 1);
    assert.match(message.id, /^[0-9a-f-]{36}$/);
  });
}

function preservesIdsKeysHeaders(c: ContractContext): void {
  void test('preserves ids, keys, headers and binary payloads', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('fields');
    const received: Message[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => void received.push(m),
    });
    const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
    const headers = { 'x-trace': 'abc', 'content-type': 'application/json', 'x-utf8': 'größe ✓' };
    await transport.publish([
      { topic, id: 'id-1', key: 'k1', headers, payload: '{}' },
      { topic, id: 'id-2', key: null, payload: binary },
      { topic, key: 'k1', payload: 'generated id' },
    ]);
    await waitFor('three messages', () => received.length === 3, c.timeoutMs);
    const byId = new Map(received.map((m) => [m.id, m]));
    const first = byId.get('id-1');
    const second = byId.get('id-2');
    const third = received.find((m) => m.text() === 'generated id');
    assert.ok(first && second && third);
    assert.equal(first.key, 'k1');
    assert.deepEqual({ ...first.headers }, headers);
    assert.equal(second.key, null);
    assert.deepEqual({ ...second.headers }, {});
    assert.ok(second.payload.equals(binary));
    assert.match(third.id, /^[0-9a-f-]{36}$/);
    assert.notEqual(first.id, third.id);
  });
}

function keepsPerKeyOrder(c: ContractContext): void {
  void test('keeps per-key order within a topic', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('order');
    const seen = new Map<string, number[]>();
    let count = 0;
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => {
        const key = m.key ?? '';
        seen.set(key, [...(seen.get(key) ?? []), m.json<{ seq: number }>().seq]);
        count += 1;
      },
    });
    const total = 60;
    for (let batch = 0; batch < total; batch += 10) {
      await transport.publish(
        Array.from({ length: 10 }, (_, i) => ({
          topic,
          key: `k${(batch + i) % 4}`,
          payload: JSON.stringify({ seq: batch + i }),
        })),
      );
    }
    await waitFor('every message', () => count >= total, c.timeoutMs);
    assertPerKeyOrder(seen);
  });
}

function runsKeysConcurrently(c: ContractContext): void {
  void test('runs handlers concurrently across keys while each key stays in order', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('concurrency');
    const seen = new Map<string, number[]>();
    const running = new Set<string>();
    let count = 0;
    let mostAtOnce = 0;
    let sameKeyOverlap = false;
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      concurrency: 4,
      handler: async (m) => {
        const key = m.key ?? '';
        if (running.has(key)) sameKeyOverlap = true;
        running.add(key);
        mostAtOnce = Math.max(mostAtOnce, running.size);
        await new Promise((resolve) =>
          setTimeout(resolve, 5 + (m.json<{ seq: number }>().seq % 3) * 5),
        );
        seen.set(key, [...(seen.get(key) ?? []), m.json<{ seq: number }>().seq]);
        running.delete(key);
        count += 1;
      },
    });
    const total = 80;
    await transport.publish(
      Array.from({ length: total }, (_, i) => ({
        topic,
        key: `k${i % 8}`,
        payload: JSON.stringify({ seq: i }),
      })),
    );
    await waitFor('every message', () => count >= total, c.timeoutMs);
    assertPerKeyOrder(seen);
    assert.equal(sameKeyOverlap, false, 'one key never runs twice at once');
    assert.ok(mostAtOnce > 1, `handlers overlapped (most at once: ${mostAtOnce})`);
    assert.ok(mostAtOnce <= 4, 'never more than the concurrency');
  });
}

function startsANewGroupAtLatest(c: ContractContext): void {
  void test('a new group with fromBeginning false receives only messages published after subscribe', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('latest');
    const early = c.names.group('early');
    const seenEarly: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: early,
      handler: async (m) => void seenEarly.push(m.text()),
    });
    await transport.publish({ topic, payload: 'old' });
    await waitFor('the old message', () => seenEarly.includes('old'), c.timeoutMs);
    const received: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      fromBeginning: false,
      handler: async (m) => void received.push(m.text()),
    });
    await transport.publish({ topic, payload: 'new' });
    await waitFor('the new message', () => received.includes('new'), c.timeoutMs);
    assert.deepEqual(received, ['new']);
  });
}

function rejectsAMalformedMessage(c: ContractContext): void {
  void test('rejects a malformed message without publishing anything', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('invalid');
    const isInvalid = (error: unknown) =>
      (error as { code?: string }).code === 'MSG_ERR_INVALID_MESSAGE';
    await assert.rejects(
      transport.publish([
        { topic, payload: 'ok' },
        { topic: '', payload: 'bad' },
      ]),
      isInvalid,
    );
    await assert.rejects(transport.publish({ topic: 'a/b', payload: 'x' }), isInvalid);
    await assert.rejects(
      transport.publish({ topic, payload: 'x', headers: { n: 1 as unknown as string } }),
      isInvalid,
    );
    await assert.rejects(
      transport.subscribe({ topics: [topic], groupId: '', handler: async () => undefined }),
      (error: unknown) => (error as { code?: string }).code === 'MSG_ERR_INVALID_OPTIONS',
    );
    const received: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => void received.push(m.text()),
    });
    await transport.publish({ topic, payload: 'marker' });
    await waitFor('the marker', () => received.includes('marker'), c.timeoutMs);
    assert.deepEqual(received, ['marker']);
  });
}

function pausesAndResumes(c: ContractContext): void {
  void test('pause stops deliveries until resume, and nothing is lost', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('pause');
    const received: string[] = [];
    const subscription = await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      handler: async (m) => void received.push(m.text()),
    });
    await transport.publish({ topic, key: 'k', payload: 'before' });
    await waitFor('the first message', () => received.length === 1, c.timeoutMs);
    subscription.pause();
    subscription.pause();
    assert.equal(subscription.isPaused, true);
    await transport.publish(
      Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', payload: `paused-${i}` })),
    );
    // A negative check needs a bounded wait: a paused subscription must stay quiet meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 750));
    assert.deepEqual(received, ['before']);
    subscription.resume();
    assert.equal(subscription.isPaused, false);
    await waitFor('the messages published while paused', () => received.length === 6, c.timeoutMs);
    assert.deepEqual(received, ['before', ...Array.from({ length: 5 }, (_, i) => `paused-${i}`)]);
  });
}

/** Delivery, fields, order, start position, bad input, pause and resume. */
export function registerDeliveryTests(c: ContractContext): void {
  for (const register of [
    deliversAMessage,
    preservesIdsKeysHeaders,
    keepsPerKeyOrder,
    runsKeysConcurrently,
    startsANewGroupAtLatest,
    rejectsAMalformedMessage,
    pausesAndResumes,
  ])
    register(c);
}
