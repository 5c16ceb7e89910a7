import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createManualClock } from '@stratus/core';
import { createEmbeddedLog } from './embedded-log.js';
import { runTransportContract } from './testing/index.js';
import type { Message } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runTransportContract('embedded log', async () =>
  createEmbeddedLog({
    path: join(dir, 'contract.db'),
    pollIntervalMs: 20,
    retryBackoffInitialMs: 5,
  }),
);

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let fileCounter = 0;
function freshPath(): string {
  fileCounter += 1;
  return join(dir, `log-${fileCounter}`, 'events.db');
}

void test('rejects an in-memory path and invalid numbers, listing every problem', () => {
  assert.throws(
    () => createEmbeddedLog({ path: ':memory:', pollIntervalMs: -1, leaseMs: Number.NaN }),
    (error: unknown) => {
      const { code, details } = error as { code: string; details: { problems: string[] } };
      assert.equal(code, 'MSG_ERR_INVALID_OPTIONS');
      assert.equal(details.problems.length, 3);
      return true;
    },
  );
});

void test('assigns unique increasing offsets per topic, starting at 0, and creates the folder', async (t) => {
  const log = createEmbeddedLog({ path: freshPath() });
  t.after(() => log.close());
  await log.publish([
    { topic: 'a', payload: '1' },
    { topic: 'b', payload: '1' },
    { topic: 'a', payload: '2' },
  ]);
  await log.publish({ topic: 'a', payload: '3' });
  const offsets: number[] = [];
  await log.subscribe({
    topics: ['a'],
    groupId: 'g',
    handler: async (m) => void offsets.push(Number(m.offset)),
  });
  await waitFor('three messages', () => offsets.length === 3);
  assert.deepEqual(offsets, [0, 1, 2]);
});

void test('retention deletes old messages while later offsets keep increasing', async (t) => {
  const clock = createManualClock(1_000_000);
  const path = freshPath();
  const log = createEmbeddedLog({ path, clock, retentionMs: 60_000, pollIntervalMs: 10 });
  t.after(() => log.close());
  await log.publish([
    { topic: 't', payload: 'old-1' },
    { topic: 't', payload: 'old-2' },
  ]);
  clock.advance(60_001);
  await log.publish({ topic: 't', payload: 'fresh' });
  assert.equal(log.purgeExpired(), 2);
  assert.equal(log.purgeExpired(), 0);
  await log.publish({ topic: 't', payload: 'later' });
  const seen: Message[] = [];
  await log.subscribe({ topics: ['t'], groupId: 'g', handler: async (m) => void seen.push(m) });
  await waitFor('two messages', () => seen.length === 2);
  assert.deepEqual(
    seen.map((m) => [m.text(), m.offset, m.timestamp]),
    [
      ['fresh', 2, 1_060_001],
      ['later', 3, 1_060_001],
    ],
  );
});

void test('a second member of a group stands by and takes over when the first closes', async (t) => {
  const path = freshPath();
  const first = createEmbeddedLog({ path, pollIntervalMs: 10 });
  const second = createEmbeddedLog({ path, pollIntervalMs: 10 });
  t.after(() => Promise.all([first.close(), second.close()]).then(() => undefined));
  const byFirst: string[] = [];
  const bySecond: string[] = [];
  const subFirst = await first.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void byFirst.push(m.text()),
  });
  await first.publish({ topic: 't', payload: 'one' });
  await waitFor('first delivery', () => byFirst.length === 1);
  await second.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void bySecond.push(m.text()),
  });
  await first.publish({ topic: 't', payload: 'two' });
  await waitFor('second delivery', () => byFirst.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(bySecond, [], 'the standby member receives nothing while the lease is held');
  await subFirst.close();
  await subFirst.close();
  await second.publish({ topic: 't', payload: 'three' });
  await waitFor('takeover', () => bySecond.length === 1);
  assert.deepEqual(bySecond, ['three']);
});

void test('takes over an expired lease; the stalled member cannot commit afterwards, so the message is redelivered', async (t) => {
  const clock = createManualClock(0);
  const path = freshPath();
  const stalled = createEmbeddedLog({ path, clock, leaseMs: 60_000, pollIntervalMs: 10 });
  const healthy = createEmbeddedLog({ path, clock, leaseMs: 60_000, pollIntervalMs: 10 });
  let unstall: (() => void) | null = null;
  const stalledSeen: string[] = [];
  const healthySeen: string[] = [];
  await stalled.publish([
    { topic: 't', payload: 'm0' },
    { topic: 't', payload: 'm1' },
  ]);
  await stalled.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => {
      stalledSeen.push(m.text());
      await new Promise<void>((resolve) => (unstall = resolve));
    },
  });
  await waitFor('the stalled handler', () => unstall !== null);
  t.after(async () => {
    unstall?.();
    await Promise.all([stalled.close(), healthy.close()]);
  });
  await healthy.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void healthySeen.push(m.text()),
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(healthySeen, [], 'the lease is still valid');
  clock.advance(60_001);
  await waitFor('takeover after expiry', () => healthySeen.length === 2);
  assert.deepEqual(healthySeen, ['m0', 'm1']);
  (unstall as unknown as () => void)();
  await stalled.close();
  assert.deepEqual(stalledSeen, ['m0'], 'the stalled member stopped after losing the lease');
});

void test('close waits for the in-flight handler and commits it; publish afterwards is rejected', async (t) => {
  const path = freshPath();
  const log = createEmbeddedLog({ path, pollIntervalMs: 10 });
  let finish: (() => void) | null = null;
  let isFinished = false;
  await log.publish([
    { topic: 't', payload: 'slow' },
    { topic: 't', payload: 'next' },
  ]);
  await log.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      isFinished = true;
    },
  });
  await waitFor('the handler to start', () => finish !== null);
  const closing = log.close();
  assert.equal(log.close(), closing, 'close is idempotent');
  setTimeout(() => (finish as unknown as () => void)(), 20);
  await closing;
  assert.equal(isFinished, true);
  await assert.rejects(log.publish({ topic: 't', payload: 'x' }), { code: 'MSG_ERR_CLOSED' });

  const reopened = createEmbeddedLog({ path, pollIntervalMs: 10 });
  t.after(() => reopened.close());
  const seen: string[] = [];
  await reopened.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void seen.push(m.text()),
  });
  await waitFor('the uncommitted rest', () => seen.length === 1);
  assert.deepEqual(seen, ['next']);
});

void test('a subscriber on another connection wakes on the file change before its poll interval', async (t) => {
  const path = freshPath();
  const consumer = createEmbeddedLog({ path, pollIntervalMs: 60_000 });
  const producer = createEmbeddedLog({ path });
  t.after(() => Promise.all([consumer.close(), producer.close()]).then(() => undefined));
  const seen: string[] = [];
  await consumer.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void seen.push(m.text()),
  });
  // The first poll runs at once; after it the consumer sleeps for a minute unless woken.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await producer.publish({ topic: 't', payload: 'wake' });
  await waitFor('the early wake-up', () => seen.length === 1, 3_000);
});

void test('rejects invalid subscribe options', async (t) => {
  const log = createEmbeddedLog({ path: freshPath() });
  t.after(() => log.close());
  await assert.rejects(
    log.subscribe({ topics: [], groupId: '', handler: undefined as never }),
    (error: unknown) =>
      (error as { code: string; details: { problems: string[] } }).details.problems.length === 3,
  );
});

void test('json() on a non-JSON payload throws MSG_ERR_INVALID_JSON', async (t) => {
  const log = createEmbeddedLog({ path: freshPath(), pollIntervalMs: 10 });
  t.after(() => log.close());
  const seen: Message[] = [];
  await log.subscribe({ topics: ['t'], groupId: 'g', handler: async (m) => void seen.push(m) });
  await log.publish({ topic: 't', payload: 'not json' });
  await waitFor('the message', () => seen.length === 1);
  assert.throws(() => seen[0]?.json(), { code: 'MSG_ERR_INVALID_JSON' });
});
