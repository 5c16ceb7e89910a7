import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Registry, Summary } from 'prom-client';
import { createEmbeddedLog } from './embedded-log.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-meters-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

void test('records publish and handler timers, dead letters and consumer lag in the registry', async (t) => {
  const registry = new Registry();
  const log = createEmbeddedLog({ path: join(dir, 'a.db'), pollIntervalMs: 10, registry });
  t.after(() => log.close());
  let handled = 0;
  let deadLettered = 0;
  await log.subscribe({
    topics: ['orders.DLT'],
    groupId: 'ops',
    handler: async () => void (deadLettered += 1),
  });
  const subscription = await log.subscribe({
    topics: ['orders'],
    groupId: 'billing',
    retry: { maxAttempts: 2, initialIntervalMs: 1 },
    handler: async (m) => {
      if (m.text() === 'bad') throw new TypeError('no');
      handled += 1;
    },
  });
  await log.publish([
    { topic: 'orders', payload: 'ok' },
    { topic: 'orders', payload: 'bad' },
  ]);
  await waitFor(() => handled === 1 && deadLettered === 1);
  subscription.pause();
  await log.publish([
    { topic: 'orders', payload: 'ok' },
    { topic: 'orders', payload: 'ok' },
  ]);
  const text = await registry.metrics();
  assert.match(
    text,
    /stratus_messaging_template_seconds_count\{name="embedded-log",result="success",exception="none"\} [1-9]/,
  );
  assert.match(
    text,
    /stratus_messaging_listener_seconds_count\{name="billing",result="failure",exception="TypeError"\} 2/,
  );
  assert.match(
    text,
    /stratus_messaging_listener_seconds_count\{name="billing",result="success",exception="none"\} 1/,
  );
  assert.match(text, /stratus_messaging_dead_letter_total\{topic="orders",group="billing"\} 1/);
  assert.match(
    text,
    /stratus_messaging_consumer_lag_records\{topic="orders",partition="0",group="billing"\} 2/,
  );
});

void test('leaves a metric name another component registered to it instead of failing', async (t) => {
  const registry = new Registry();
  new Summary({
    name: 'stratus_messaging_template_seconds',
    help: 'theirs',
    labelNames: ['other'],
    registers: [registry],
  });
  const log = createEmbeddedLog({ path: join(dir, 'b.db'), registry });
  t.after(() => log.close());
  await log.publish({ topic: 't', payload: 'x' });
  assert.doesNotMatch(await registry.metrics(), /name="embedded-log"/);
});
