import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test, type TestContext } from 'node:test';
import { createLogger } from '@stratus/core';
import { createEmbeddedLog } from '../embedded-log.js';
import type { Transport } from '../transport.js';
import { createBus, type Bus } from './bus.js';
import type { BusActivity, BusHandlers, BusOptions } from './bus-options.js';
import type { AckRemoteApplicationEvent, RemoteApplicationEvent } from './bus-event.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-bus-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One bus on its own transport over a shared log file, with everything it did recorded. */
interface Node {
  bus: Bus;
  transport: Transport;
  activity: BusActivity[];
  refreshes: RemoteApplicationEvent[];
  logs: Array<Record<string, unknown>>;
}

function logFile(): string {
  return join(dir, `${randomUUID()}.db`);
}

async function node(
  t: TestContext,
  path: string,
  id: string,
  options: Partial<BusOptions> & { handlers?: BusHandlers } = {},
): Promise<Node> {
  const transport = createEmbeddedLog({ path, pollIntervalMs: 20 });
  const refreshes: RemoteApplicationEvent[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      callback();
    },
  });
  const logger = createLogger({ level: 'info', name: id, destination });
  const bus = createBus({
    transport,
    id,
    logger,
    handlers: {
      refresh: async (event) => {
        refreshes.push(event);
        return ['message'];
      },
    },
    ...options,
  });
  const activity: BusActivity[] = [];
  bus.observe((entry) => activity.push(entry));
  await bus.start();
  t.after(async () => {
    await bus.close();
    await transport.close();
  });
  return { bus, transport, activity, refreshes, logs };
}

function acksOf(n: Node, eventId: string): AckRemoteApplicationEvent[] {
  return n.activity.flatMap((a) =>
    a.kind === 'received' &&
    a.event.type === 'AckRemoteApplicationEvent' &&
    a.event.ackId === eventId
      ? [a.event]
      : [],
  );
}

test('a refresh reaches every instance once, and every instance acks it to everyone', async (t) => {
  const path = logFile();
  const a = await node(t, path, 'customers:9000:aaaa');
  const b = await node(t, path, 'customers:9001:bbbb');
  const c = await node(t, path, 'stores:9002:cccc');
  const event = await a.bus.publishRefresh();
  assert.equal(event.destinationService, '**');
  assert.equal(event.originService, 'customers:9000:aaaa');
  // The sender applies its own event at once; the others when it arrives.
  assert.equal(a.refreshes.length, 1);
  await waitFor('three acks at the sender', () => acksOf(a, event.id).length === 3);
  assert.deepEqual(
    acksOf(a, event.id)
      .map((ack) => ack.originService)
      .sort(),
    ['customers:9000:aaaa', 'customers:9001:bbbb', 'stores:9002:cccc'],
  );
  for (const ack of acksOf(a, event.id)) {
    assert.equal(ack.destinationService, '**');
    assert.equal(ack.ackDestinationService, '**');
    assert.equal(ack.event, 'org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent');
  }
  await waitFor('acks everywhere', () => acksOf(c, event.id).length === 3);
  // Not applied twice at the sender when its own event comes back from the bus.
  assert.equal(a.refreshes.length, 1);
  assert.equal(b.refreshes.length, 1);
  assert.equal(c.refreshes.length, 1);
  const applied = b.activity.find((entry) => entry.kind === 'applied');
  assert.deepEqual(applied?.kind === 'applied' ? applied.changed : null, ['message']);
});

test('an event for another destination is neither applied nor acked', async (t) => {
  const path = logFile();
  const a = await node(t, path, 'config-server:8888:aaaa');
  const customers = await node(t, path, 'customers:9000:bbbb');
  const stores = await node(t, path, 'stores:9001:cccc');
  const event = await a.bus.publishRefresh('customers');
  assert.equal(event.destinationService, 'customers:**');
  assert.equal(a.refreshes.length, 0, 'the sender is not a customers instance');
  await waitFor('the customers ack', () => acksOf(a, event.id).length === 1);
  assert.equal(acksOf(a, event.id)[0]!.originService, 'customers:9000:bbbb');
  assert.equal(customers.refreshes.length, 1);
  await waitFor('stores saw the event', () =>
    stores.activity.some((entry) => entry.kind === 'received' && entry.event.id === event.id),
  );
  const seen = stores.activity.find(
    (entry) => entry.kind === 'received' && entry.event.id === event.id,
  );
  assert.equal(seen?.kind === 'received' && seen.isForSelf, false);
  assert.equal(stores.refreshes.length, 0);
});

test('malformed, unknown and non-JSON messages are logged once with their position and skipped; the consumer goes on', async (t) => {
  const path = logFile();
  const receiver = await node(t, path, 'customers:9000:bbbb');
  const raw = createEmbeddedLog({ path, pollIntervalMs: 20 });
  t.after(() => raw.close());
  const bad = [
    { payload: '{"type":' },
    {
      payload:
        '{"type":"MyCustomRemoteEvent","id":"x","originService":"a","destinationService":"**"}',
    },
    { payload: '{"type":"RefreshRemoteApplicationEvent","originService":"a"}' },
    { payload: 'not json at all', headers: { contentType: 'text/plain' } },
  ];
  for (const message of bad) await raw.publish({ topic: 'springCloudBus', ...message });
  const good = {
    type: 'RefreshRemoteApplicationEvent',
    id: randomUUID(),
    originService: 'other:1:x',
    destinationService: '**',
    timestamp: 1,
  };
  await raw.publish({ topic: 'springCloudBus', payload: JSON.stringify(good) });
  await waitFor('the valid refresh after the bad ones', () => receiver.refreshes.length === 1);
  const skipped = receiver.logs.filter((line) => String(line.msg).includes('skipped'));
  assert.equal(skipped.length, 4);
  for (const line of skipped) {
    assert.equal(line.topic, 'springCloudBus');
    assert.equal(typeof line.offset, 'string');
  }
  assert.ok(skipped.some((line) => line.type === 'MyCustomRemoteEvent'));
});

test('a redelivered event is applied and acked once', async (t) => {
  const path = logFile();
  const receiver = await node(t, path, 'customers:9000:bbbb');
  const raw = createEmbeddedLog({ path, pollIntervalMs: 20 });
  t.after(() => raw.close());
  const event = {
    type: 'RefreshRemoteApplicationEvent',
    id: randomUUID(),
    originService: 'other:1:x',
    destinationService: '**',
    timestamp: 1,
  };
  await raw.publish({ topic: 'springCloudBus', payload: JSON.stringify(event) });
  await raw.publish({ topic: 'springCloudBus', payload: JSON.stringify(event) });
  await raw.publish({
    topic: 'springCloudBus',
    payload: JSON.stringify({ ...event, id: randomUUID() }),
  });
  await waitFor('two distinct refreshes', () => receiver.refreshes.length === 2);
  await waitFor(
    'its own acks',
    () => receiver.activity.filter((a) => a.kind === 'sent').length === 2,
  );
  assert.deepEqual(
    receiver.refreshes.map((e) => e.id).filter((id) => id === event.id),
    [event.id],
  );
});

test('an event that fails to apply is not acked, and the next one still is', async (t) => {
  const path = logFile();
  const sender = await node(t, path, 'config-server:8888:aaaa', { handlers: {} });
  let calls = 0;
  await node(t, path, 'customers:9000:bbbb', {
    handlers: {
      refresh: async () => {
        calls += 1;
        if (calls === 1) throw new Error('invalid configuration');
        return [];
      },
    },
  });
  const first = await sender.bus.publishRefresh('customers');
  const second = await sender.bus.publishRefresh('customers');
  await waitFor('the second ack', () => acksOf(sender, second.id).length === 1);
  assert.equal(acksOf(sender, first.id).length, 0);
  assert.equal(calls, 2);
});

test('acks go to ack.destination-service, and none are sent with ack.enabled=false', async (t) => {
  const path = logFile();
  const sender = await node(t, path, 'config-server:8888:aaaa', { handlers: {} });
  const quiet = await node(t, path, 'customers:9000:bbbb', { ack: { enabled: false } });
  await node(t, path, 'customers:9001:cccc', { ack: { destinationService: 'config-server' } });
  const event = await sender.bus.publishRefresh('customers');
  await waitFor('one ack', () => acksOf(sender, event.id).length === 1);
  const ack = acksOf(sender, event.id)[0]!;
  assert.equal(ack.originService, 'customers:9001:cccc');
  assert.equal(ack.destinationService, 'config-server:**');
  assert.equal(ack.ackDestinationService, 'customers:**');
  await waitFor('the quiet one applied it', () => quiet.refreshes.length === 1);
  assert.equal(quiet.activity.filter((a) => a.kind === 'sent').length, 0);
});

test('an environment change reaches the handler with its values; shutdown runs only with a handler, after the ack', async (t) => {
  const path = logFile();
  const sender = await node(t, path, 'config-server:8888:aaaa', { handlers: {} });
  const changes: Array<Record<string, string>> = [];
  const order: string[] = [];
  const target = await node(t, path, 'customers:9000:bbbb', {
    handlers: {
      environmentChange: async (event) => {
        changes.push({ ...event.values });
        return Object.keys(event.values);
      },
      shutdown: () => void order.push('shutdown'),
    },
  });
  target.bus.observe((entry) => {
    if (entry.kind === 'sent' && entry.event.type === 'AckRemoteApplicationEvent')
      order.push(`ack ${entry.event.event?.split('.').pop()}`);
  });
  const withoutShutdown = await node(t, path, 'customers:9001:cccc');
  const env = await sender.bus.publishEnvironmentChange(
    { 'greeting.message': 'hello' },
    'customers',
  );
  await waitFor('the environment change applied', () => changes.length === 1);
  assert.deepEqual(changes[0], { 'greeting.message': 'hello' });
  await waitFor('two acks of the change', () => acksOf(sender, env.id).length === 2);
  const shutdown = await sender.bus.publishShutdown('customers');
  await waitFor('the shutdown handler', () => order.includes('shutdown'));
  assert.deepEqual(order.slice(-2), ['ack ShutdownRemoteApplicationEvent', 'shutdown']);
  await waitFor('both acked the shutdown', () => acksOf(sender, shutdown.id).length === 2);
  assert.ok(withoutShutdown.activity.every((entry) => entry.kind !== 'applied'));
  await assert.rejects(sender.bus.publishEnvironmentChange({}), {
    code: 'MSG_ERR_INVALID_MESSAGE',
  });
});

test('publishing after close fails with MSG_ERR_CLOSED, and close is idempotent', async (t) => {
  const a = await node(t, logFile(), 'customers:9000:aaaa');
  await a.bus.close();
  await a.bus.close();
  await assert.rejects(a.bus.publishRefresh(), { code: 'MSG_ERR_CLOSED' });
  assert.throws(() => createBus({ transport: a.transport, id: '', destination: 'bad topic!' }), {
    code: 'MSG_ERR_INVALID_OPTIONS',
  });
});
