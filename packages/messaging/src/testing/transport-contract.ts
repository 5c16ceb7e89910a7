import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Message, Subscription, Transport } from '../transport.js';

const WAIT_TIMEOUT_MS = 10_000;

async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = WAIT_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/**
 * Registers the shared transport contract tests with `node:test`. Every
 * transport (embedded log, Kafka, RabbitMQ) must pass them.
 *
 * `makeTransport` is called several times per test; each call must return a
 * new client connected to the **same** broker or store (that is how "committed
 * offsets survive reopen" is checked). The suite closes what it makes and uses
 * fresh topic and group names in every test.
 *
 * @example
 * runTransportContract('embedded log', async () => createEmbeddedLog({ path: join(dir, 'events.db'), pollIntervalMs: 20 }));
 */
export function runTransportContract(name: string, makeTransport: () => Promise<Transport>): void {
  async function open(t: TestContext): Promise<Transport> {
    const transport = await makeTransport();
    t.after(() => transport.close());
    return transport;
  }

  void describe(`transport contract: ${name}`, () => {
    void test('delivers a published message to a subscriber with its payload readable as text and json', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.roundtrip');
      const received: Message[] = [];
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        handler: async (m) => void received.push(m),
      });
      await transport.publish({ topic, payload: JSON.stringify({ hello: 'world' }) });
      await waitFor('the message', () => received.length === 1);
      const [message] = received;
      assert.ok(message);
      assert.equal(message.topic, topic);
      assert.equal(message.text(), '{"hello":"world"}');
      assert.deepEqual(message.json(), { hello: 'world' });
      assert.ok(Buffer.isBuffer(message.payload));
      assert.equal(typeof message.timestamp, 'number');
      assert.ok(typeof message.offset === 'number' || typeof message.offset === 'bigint');
      assert.equal(typeof message.id, 'string');
      assert.ok(message.id.length > 0);
    });

    void test('preserves ids, keys, headers and binary payloads', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.fields');
      const received: Message[] = [];
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        handler: async (m) => void received.push(m),
      });
      const binary = Buffer.from([0, 1, 2, 253, 254, 255]);
      await transport.publish([
        {
          topic,
          id: 'id-1',
          key: 'k1',
          headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
          payload: '{}',
        },
        { topic, id: 'id-2', key: null, payload: binary },
        { topic, payload: 'generated id' },
      ]);
      await waitFor('three messages', () => received.length === 3);
      const [first, second, third] = received;
      assert.ok(first && second && third);
      assert.equal(first.id, 'id-1');
      assert.equal(first.key, 'k1');
      assert.deepEqual(
        { ...first.headers },
        { 'x-trace': 'abc', 'content-type': 'application/json' },
      );
      assert.equal(second.id, 'id-2');
      assert.equal(second.key, null);
      assert.deepEqual({ ...second.headers }, {});
      assert.ok(second.payload.equals(binary));
      assert.match(third.id, /^[0-9a-f-]{36}$/);
      assert.notEqual(first.offset, second.offset);
    });

    void test('keeps per-key order within a topic', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.order');
      const seen = new Map<string, number[]>();
      let count = 0;
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        handler: async (m) => {
          const { seq } = m.json<{ seq: number }>();
          const key = m.key ?? '';
          seen.set(key, [...(seen.get(key) ?? []), seq]);
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
      await waitFor('every message', () => count >= total);
      for (const [key, seqs] of seen) {
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
          `order of ${key}`,
        );
        assert.equal(new Set(seqs).size, seqs.length, `no duplicates for ${key}`);
      }
    });

    void test('redelivers a message whose handler throws and does not move past it', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.retry');
      const deliveries: string[] = [];
      let failuresLeft = 2;
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        handler: async (m) => {
          deliveries.push(m.text());
          if (m.text() === 'poison-for-a-while' && failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('transient failure');
          }
        },
      });
      await transport.publish([
        { topic, key: 'k', payload: 'before' },
        { topic, key: 'k', payload: 'poison-for-a-while' },
        { topic, key: 'k', payload: 'after' },
      ]);
      await waitFor('the message after the failing one', () => deliveries.includes('after'));
      assert.deepEqual(deliveries, [
        'before',
        'poison-for-a-while',
        'poison-for-a-while',
        'poison-for-a-while',
        'after',
      ]);
    });

    void test('gives every message to each of two consumer groups', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.groups');
      const a: string[] = [];
      const b: string[] = [];
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('ga'),
        handler: async (m) => void a.push(m.id),
      });
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('gb'),
        handler: async (m) => void b.push(m.id),
      });
      const ids = Array.from({ length: 20 }, (_, i) => `m-${i}`);
      await transport.publish(ids.map((id) => ({ topic, id, payload: id })));
      await waitFor('both groups', () => new Set(a).size === 20 && new Set(b).size === 20);
      assert.deepEqual([...new Set(a)].sort(), [...ids].sort());
      assert.deepEqual([...new Set(b)].sort(), [...ids].sort());
    });

    void test('a new group with fromBeginning false receives only messages published after subscribe', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.latest');
      await transport.publish({ topic, payload: 'old' });
      const received: string[] = [];
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        fromBeginning: false,
        handler: async (m) => void received.push(m.text()),
      });
      await transport.publish({ topic, payload: 'new' });
      await waitFor('the new message', () => received.includes('new'));
      assert.deepEqual(received, ['new']);
    });

    void test('resumes a group from its committed offset after the transport is reopened', async (t) => {
      const topic = uniqueName('contract.reopen');
      const groupId = uniqueName('g');
      const first = await makeTransport();
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
        await waitFor('the first five', () => firstSeen.length === 5);
      } finally {
        await first.close();
      }
      const second = await open(t);
      await second.publish(
        Array.from({ length: 5 }, (_, i) => ({ topic, key: 'k', payload: `b${i}` })),
      );
      const secondSeen: string[] = [];
      await second.subscribe({
        topics: [topic],
        groupId,
        handler: async (m) => void secondSeen.push(m.text()),
      });
      await waitFor('the next five', () => secondSeen.length >= 5);
      assert.deepEqual(secondSeen, ['b0', 'b1', 'b2', 'b3', 'b4']);
    });

    void test('loses no message when a consumer closes mid-stream and another member of the group continues', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.handover');
      const groupId = uniqueName('g');
      const total = 30;
      const handled = new Set<string>();
      let release: (() => void) | null = null;
      let subscription: Subscription | null = null;
      let isStalled = false;
      subscription = await transport.subscribe({
        topics: [topic],
        groupId,
        handler: async (m) => {
          if (handled.size === 10 && !isStalled) {
            isStalled = true;
            await new Promise<void>((resolve) => (release = resolve));
          }
          handled.add(m.text());
        },
      });
      await transport.publish(
        Array.from({ length: total }, (_, i) => ({ topic, key: `k${i % 3}`, payload: `m${i}` })),
      );
      await waitFor('the first consumer to stall mid-stream', () => isStalled && release !== null);
      const closing = subscription.close();
      (release as unknown as () => void)();
      await closing;
      const countAtClose = handled.size;
      assert.ok(countAtClose < total, 'the first consumer stopped early');
      const other = await open(t);
      await other.subscribe({
        topics: [topic],
        groupId,
        handler: async (m) => void handled.add(m.text()),
      });
      await waitFor('every message', () => handled.size === total);
    });

    void test('rejects a malformed message without publishing anything', async (t) => {
      const transport = await open(t);
      const topic = uniqueName('contract.invalid');
      await assert.rejects(
        transport.publish([
          { topic, payload: 'ok' },
          { topic: '', payload: 'bad' },
        ]),
        (error: unknown) => (error as { code?: string }).code === 'MSG_ERR_INVALID_MESSAGE',
      );
      const received: string[] = [];
      await transport.subscribe({
        topics: [topic],
        groupId: uniqueName('g'),
        handler: async (m) => void received.push(m.text()),
      });
      await transport.publish({ topic, payload: 'marker' });
      await waitFor('the marker', () => received.includes('marker'));
      assert.deepEqual(received, ['marker']);
    });
  });
}
