import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deserializer, Message } from '../transport.js';
import { gate, waitFor } from './contract-support.js';
import type { ContractContext } from './transport-contract.js';

const strictJson: Deserializer<{ n: number }> = {
  deserialize(payload) {
    const value = JSON.parse(payload.toString('utf8')) as { n?: unknown };
    if (typeof value?.n !== 'number') throw new TypeError('n must be a number');
    return { n: value.n };
  },
};

function retriesAFailingHandler(c: ContractContext): void {
  void test('redelivers a message whose handler throws and does not move past it', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('retry');
    const deliveries: Array<[string, number]> = [];
    let failuresLeft = 2;
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      retry: { initialIntervalMs: 5 },
      handler: async (m) => {
        deliveries.push([m.text(), m.deliveryAttempt]);
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
    await waitFor(
      'the message after the failing one',
      () => deliveries.some(([text]) => text === 'after'),
      c.timeoutMs,
    );
    assert.deepEqual(deliveries, [
      ['before', 1],
      ['poison-for-a-while', 1],
      ['poison-for-a-while', 2],
      ['poison-for-a-while', 3],
      ['after', 1],
    ]);
  });
}

function deadLettersAfterRetries(c: ContractContext): void {
  void test('dead-letters a message to <topic>.DLT with Spring Kafka headers once retries are exhausted, then goes on', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('dlt');
    const dead: Message[] = [];
    const groupId = c.names.group();
    await transport.subscribe({
      topics: [`${topic}.DLT`],
      groupId: c.names.group('dlt-reader'),
      handler: async (m) => void dead.push(m),
    });
    const handled: string[] = [];
    let calls = 0;
    await transport.subscribe({
      topics: [topic],
      groupId,
      retry: { maxAttempts: 3, initialIntervalMs: 5 },
      handler: async (m) => {
        if (m.text() === 'always-fails') {
          calls += 1;
          throw new RangeError('cannot handle this');
        }
        handled.push(m.text());
      },
    });
    await transport.publish([
      { topic, key: 'k', id: 'dead-1', headers: { 'x-origin': 'test' }, payload: 'always-fails' },
      { topic, key: 'k', payload: 'next' },
    ]);
    await waitFor('the dead letter', () => dead.length === 1, c.timeoutMs);
    await waitFor('the next message', () => handled.includes('next'), c.timeoutMs);
    assert.equal(calls, 3);
    const [letter] = dead;
    assert.ok(letter);
    assert.equal(letter.id, 'dead-1');
    assert.equal(letter.key, 'k');
    assert.equal(letter.text(), 'always-fails');
    assert.equal(letter.headers['x-origin'], 'test');
    assert.equal(letter.headers['kafka_dlt-original-topic'], topic);
    assert.equal(letter.headers['kafka_dlt-original-consumer-group'], groupId);
    assert.equal(letter.headers['kafka_dlt-exception-fqcn'], 'RangeError');
    assert.equal(letter.headers['kafka_dlt-exception-message'], 'cannot handle this');
    assert.match(letter.headers['kafka_dlt-original-offset'] ?? '', /^\d+$/);
    assert.match(letter.headers['kafka_dlt-original-partition'] ?? '', /^\d+$/);
  });
}

function deadLettersPoisonAtOnce(c: ContractContext): void {
  void test('dead-letters a poison payload at once, without calling the handler, and the consumer goes on', async (t) => {
    const transport = await c.open(t);
    const topic = c.names.topic('poison');
    const dead: Message[] = [];
    await transport.subscribe({
      topics: [`${topic}.DLT`],
      groupId: c.names.group('dlt-reader'),
      handler: async (m) => void dead.push(m),
    });
    const values: number[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group(),
      deserializer: strictJson,
      handler: async (m) => void values.push(m.value.n),
    });
    const jsonFails: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: c.names.group('json'),
      handler: async (m) => {
        jsonFails.push(m.text());
        m.json();
      },
    });
    await transport.publish([
      { topic, key: 'k', payload: '{"n":1}' },
      { topic, key: 'k', payload: '{not json' },
      { topic, key: 'k', payload: '{"n":"two"}' },
      { topic, key: 'k', payload: '{"n":3}' },
    ]);
    await waitFor('the valid messages', () => values.length === 2, c.timeoutMs);
    await waitFor('three dead letters from two groups', () => dead.length === 3, c.timeoutMs);
    assert.deepEqual(values, [1, 3]);
    const reasons = dead.map((m) => `${m.text()} ${m.headers['kafka_dlt-exception-fqcn']}`).sort();
    assert.deepEqual(
      reasons,
      ['{"n":"two"} TypeError', '{not json MSG_ERR_INVALID_JSON', '{not json SyntaxError'].sort(),
    );
    assert.equal(jsonFails.filter((text) => text === '{not json').length, 1, 'not retried');
  });
}

function redeliversAfterCrashBeforeCommit(c: ContractContext): void {
  void test('redelivers a message whose handler had not finished when its consumer stopped (crash before commit)', async (t) => {
    const topic = c.names.topic('crash');
    const groupId = c.names.group();
    const first = await c.make();
    const seenFirst: string[] = [];
    const stuck = gate();
    try {
      await first.subscribe({
        topics: [topic],
        groupId,
        handler: async (m) => {
          seenFirst.push(m.text());
          if (m.text() === 'b') {
            await stuck.promise;
            throw new Error('process died before the commit');
          }
        },
      });
      await first.publish(['a', 'b', 'c'].map((payload) => ({ topic, key: 'k', payload })));
      await waitFor('the handler of b to start', () => seenFirst.includes('b'), c.timeoutMs);
      const closing = first.close();
      stuck.open();
      await closing;
    } finally {
      await first.close();
    }
    assert.deepEqual(seenFirst, ['a', 'b']);
    const second = await c.open(t);
    const seenSecond: string[] = [];
    await second.subscribe({
      topics: [topic],
      groupId,
      handler: async (m) => void seenSecond.push(m.text()),
    });
    await waitFor('b and c again', () => seenSecond.includes('c'), c.timeoutMs);
    assert.deepEqual(seenSecond, ['b', 'c']);
  });
}

/** Retry, dead letters, poison payloads and redelivery after an unfinished handler. */
export function registerFailureTests(c: ContractContext): void {
  for (const register of [
    retriesAFailingHandler,
    deadLettersAfterRetries,
    deadLettersPoisonAtOnce,
    redeliversAfterCrashBeforeCommit,
  ])
    register(c);
}
