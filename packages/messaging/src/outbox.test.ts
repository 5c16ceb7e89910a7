import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createManualClock } from '@stratus/core';
import { createEmbeddedLog, type EmbeddedLog } from './embedded-log.js';
import { createIdempotentHandler, ensureInboxSchema } from './inbox.js';
import { createOutbox, ensureOutboxSchema } from './outbox.js';
import type { Message, OutgoingMessage, Transport } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-outbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

async function setup(t: TestContext): Promise<{ db: Kysely<any>; log: EmbeddedLog }> {
  counter += 1;
  const database = new Database(join(dir, `business-${counter}.db`));
  database.pragma('journal_mode = WAL');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  Object.assign(db, { __file: join(dir, `business-${counter}.db`) });
  await ensureOutboxSchema(db);
  await ensureOutboxSchema(db);
  await ensureInboxSchema(db);
  await ensureInboxSchema(db);
  await sql`CREATE TABLE orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)`.execute(db);
  await sql`CREATE TABLE stock (item TEXT PRIMARY KEY, qty INTEGER NOT NULL)`.execute(db);
  await sql`INSERT INTO stock (item, qty) VALUES ('apple', 100)`.execute(db);
  const log = createEmbeddedLog({ path: join(dir, `events-${counter}.db`), pollIntervalMs: 10 });
  t.after(async () => {
    await log.close();
    await db.destroy();
  });
  return { db, log };
}

async function count(db: Kysely<any>, table: string, where = sql`1 = 1`): Promise<number> {
  const result = await sql<{
    n: number;
  }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(db);
  return result.rows[0]?.n ?? -1;
}

async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function placeOrder(
  db: Kysely<any>,
  outbox: ReturnType<typeof createOutbox>,
  id: string,
  fail = false,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('orders').values({ id, total: 10 }).execute();
    await outbox.add(trx, {
      topic: 'order.created',
      key: id,
      id: `evt-${id}`,
      payload: JSON.stringify({ orderId: id }),
    });
    if (fail) throw new Error('business rule failed after the outbox insert');
  });
}

void test('writes the business row and the outbox row in one transaction; a rollback leaves neither', async (t) => {
  const { db, log } = await setup(t);
  const outbox = createOutbox({ db, transport: log });
  t.after(() => outbox.close());
  await placeOrder(db, outbox, 'o1');
  await assert.rejects(placeOrder(db, outbox, 'o2', true), /business rule failed/);
  assert.equal(await count(db, 'orders'), 1);
  assert.equal(await count(db, 'stratus_outbox'), 1);
  assert.equal(await count(db, 'stratus_outbox', sql`id = 'evt-o1' AND published_at IS NULL`), 1);
});

void test('the relay publishes committed rows in created order and marks them published', async (t) => {
  const { db, log } = await setup(t);
  const outbox = createOutbox({ db, transport: log, pollIntervalMs: 10, batchSize: 3 });
  t.after(() => outbox.close());
  const received: Message[] = [];
  await log.subscribe({
    topics: ['order.created'],
    groupId: 'g',
    handler: async (m) => void received.push(m),
  });
  for (let i = 0; i < 8; i += 1) await placeOrder(db, outbox, `o${i}`);
  await db.transaction().execute((trx) =>
    outbox
      .add(trx, {
        topic: 'order.created',
        id: 'bin',
        headers: { h: 'v' },
        payload: Buffer.from([0, 255]),
      })
      .then(() => undefined),
  );
  outbox.start();
  outbox.start();
  await waitFor('nine deliveries', () => received.length === 9);
  assert.deepEqual(
    received.map((m) => m.id),
    [...Array.from({ length: 8 }, (_, i) => `evt-o${i}`), 'bin'],
  );
  assert.equal(received[0]?.key, 'o0');
  assert.deepEqual(
    { ...received[8]?.headers },
    { h: 'v' },
    'the internal encoding marker is not published',
  );
  assert.ok(received[8]?.payload.equals(Buffer.from([0, 255])));
  await waitFor(
    'rows marked',
    async () => (await count(db, 'stratus_outbox', sql`published_at IS NULL`)) === 0,
  );
  assert.equal(await outbox.flush(), 0);
});

void test('a relay crash between publish and mark republishes the same id, which the idempotent consumer absorbs', async (t) => {
  const { db, log } = await setup(t);
  const clock = createManualClock(1_000);
  let crashesLeft = 1;
  // Publishes for real, then "crashes" before the relay can mark the rows.
  const crashingTransport: Transport = {
    kind: 'test',
    health: () => log.health(),
    publish: async (messages: OutgoingMessage | OutgoingMessage[]) => {
      await log.publish(messages);
      if (crashesLeft > 0) {
        crashesLeft -= 1;
        throw new Error('relay crashed after publish');
      }
    },
    subscribe: (options) => log.subscribe(options),
    close: async () => undefined,
  };
  const outbox = createOutbox({ db, transport: crashingTransport, clock });
  t.after(() => outbox.close());
  const deliveries: string[] = [];
  const handle = createIdempotentHandler({
    db,
    consumer: 'inventory',
    handle: async (trx) => {
      await sql`UPDATE stock SET qty = qty - 1 WHERE item = 'apple'`.execute(trx);
    },
  });
  await log.subscribe({
    topics: ['order.created'],
    groupId: 'inventory',
    handler: async (m) => {
      deliveries.push(m.id);
      await handle(m);
    },
  });
  await placeOrder(db, outbox, 'o1');
  assert.equal(await outbox.flush(), 0, 'the failed batch is not counted');
  assert.equal(await count(db, 'stratus_outbox', sql`published_at IS NULL`), 1);
  assert.equal(await outbox.flush(), 0, 'backs off instead of hammering the transport');
  clock.advance(60_000);
  assert.equal(await outbox.flush(), 1);
  await waitFor('both deliveries', () => deliveries.length === 2);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(deliveries, ['evt-o1', 'evt-o1']);
  const stock = await sql<{ qty: number }>`SELECT qty FROM stock WHERE item = 'apple'`.execute(db);
  assert.equal(stock.rows[0]?.qty, 99, 'decremented exactly once');
  assert.equal(await count(db, 'stratus_inbox'), 1);
});

/** A transport that takes messages and never confirms them until `release()` (a relay stuck or dead mid-publish). */
function stuckTransport(log: EmbeddedLog) {
  let release: (error?: Error) => void = () => undefined;
  const stuck = new Promise<void>((resolve, reject) => {
    release = (error) => (error ? reject(error) : resolve());
  });
  const taken: string[] = [];
  const transport: Transport = {
    kind: 'test',
    health: () => log.health(),
    publish: async (messages) => {
      taken.push(...[messages].flat().map((m) => m.id ?? ''));
      await stuck;
    },
    subscribe: (options) => log.subscribe(options),
    close: async () => undefined,
  };
  return { transport, taken, release: (error?: Error) => release(error) };
}

/** A second connection to the same file, as another instance of the service would open. */
function sameFile(t: TestContext, db: Kysely<any>): Kysely<any> {
  const file = (db as unknown as { __file?: string }).__file!;
  const database = new Database(file);
  database.pragma('busy_timeout = 5000');
  const other = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  t.after(() => other.destroy());
  return other;
}

void test('two relays on one database never publish a row twice', async (t) => {
  const { db, log } = await setup(t);
  // In one process a second connection must not wait for the lock: it would block the event
  // loop the first connection needs to finish (two processes each have their own).
  const other = sameFile(t, db);
  await sql`PRAGMA busy_timeout = 0`.execute(other);
  const first = createOutbox({ db, transport: log, batchSize: 7 });
  const second = createOutbox({ db: other, transport: log, batchSize: 7 });
  t.after(() => Promise.all([first.close(), second.close()]).then(() => undefined));
  const received: string[] = [];
  await log.subscribe({
    topics: ['order.created'],
    groupId: 'g',
    handler: async (m) => void received.push(m.id),
  });
  let published = 0;
  for (let round = 0; round < 20; round += 1) {
    for (let i = 0; i < 3; i += 1) await placeOrder(db, first, `o${round}-${i}`);
    const counts = await Promise.all([first.flush(), second.flush()]);
    published += counts[0] + counts[1];
  }
  while (published < 60) published += (await first.flush()) + (await second.flush());
  assert.equal(published, 60, 'each row published by exactly one relay');
  await waitFor('60 deliveries', () => received.length === 60);
  assert.equal(new Set(received).size, 60);
  assert.equal(await count(db, 'stratus_outbox', sql`published_at IS NULL`), 0);
});

void test('rows a relay claimed and never marked go to another relay once the lease expires', async (t) => {
  const { db, log } = await setup(t);
  const clock = createManualClock(10_000);
  const dead = stuckTransport(log);
  const first = createOutbox({ db, transport: dead.transport, clock, leaseMs: 5_000 });
  const second = createOutbox({ db: sameFile(t, db), transport: log, clock, leaseMs: 5_000 });
  t.after(async () => {
    dead.release(new Error('test over'));
    await Promise.all([first.close(), second.close()]);
  });
  for (let i = 0; i < 3; i += 1) await placeOrder(db, first, `o${i}`);
  void first.flush();
  await waitFor('the first relay to claim', () => dead.taken.length === 3);
  assert.equal(await second.flush(), 0, 'claimed rows are left to their holder');
  clock.advance(4_999);
  assert.equal(await second.flush(), 0, 'still within the lease');
  clock.advance(2);
  assert.equal(await second.flush(), 3, 'the lease expired: the rows are published');
  assert.equal(await count(db, 'stratus_outbox', sql`published_at IS NULL`), 0);
});

void test('a key whose earlier row another relay holds waits; other keys go on', async (t) => {
  const { db, log } = await setup(t);
  const dead = stuckTransport(log);
  const first = createOutbox({ db, transport: dead.transport, batchSize: 1 });
  const second = createOutbox({ db: sameFile(t, db), transport: log });
  t.after(async () => {
    dead.release(new Error('test over'));
    await Promise.all([first.close(), second.close()]);
  });
  const add = (id: string, key: string) =>
    db.transaction().execute((trx) => first.add(trx, { topic: 't', key, id, payload: id }));
  await add('k1-a', 'k1');
  void first.flush();
  await waitFor('k1-a claimed', () => dead.taken.length === 1);
  await add('k1-b', 'k1');
  await add('k2-a', 'k2');
  const received: string[] = [];
  await log.subscribe({
    topics: ['t'],
    groupId: 'g',
    handler: async (m) => void received.push(m.id),
  });
  assert.equal(await second.flush(), 1);
  await waitFor('k2-a delivered', () => received.length === 1);
  assert.deepEqual(received, ['k2-a'], 'k1-b stays behind k1-a');
});

void test('published rows older than the retention are deleted by the relay', async (t) => {
  const { db, log } = await setup(t);
  const clock = createManualClock(1_000_000);
  const outbox = createOutbox({ db, transport: log, clock, retentionMs: 60_000 });
  t.after(() => outbox.close());
  await placeOrder(db, outbox, 'old');
  assert.equal(await outbox.flush(), 1);
  clock.advance(61_000);
  await placeOrder(db, outbox, 'new');
  assert.equal(await outbox.flush(), 1);
  const ids = await db.selectFrom('stratus_outbox').select('id').execute();
  assert.deepEqual(
    ids.map((r: { id: string }) => r.id),
    ['evt-new'],
    'the old row is pruned, the new one kept',
  );
});

void test('flush never rejects while the transport is down and publishes once it is back', async (t) => {
  const { db, log } = await setup(t);
  const clock = createManualClock(0);
  let isDown = true;
  const flaky: Transport = {
    kind: 'test',
    health: () => log.health(),
    publish: async (messages) => {
      if (isDown) throw new Error('broker unavailable');
      await log.publish(messages);
    },
    subscribe: (options) => log.subscribe(options),
    close: async () => undefined,
  };
  const outbox = createOutbox({
    db,
    transport: flaky,
    clock,
    pollIntervalMs: 100,
    maxBackoffMs: 1_000,
  });
  t.after(() => outbox.close());
  for (let i = 0; i < 5; i += 1) await placeOrder(db, outbox, `o${i}`);
  assert.equal(await outbox.flush(), 0);
  clock.advance(1_000);
  assert.equal(await outbox.flush(), 0);
  isDown = false;
  clock.advance(1_000);
  assert.equal(await outbox.flush(), 5);
  assert.equal(await count(db, 'stratus_outbox', sql`published_at IS NULL`), 0);
});

void test('rejects invalid options and a reserved header', async (t) => {
  const { db, log } = await setup(t);
  assert.throws(
    () => createOutbox({ db, transport: log, batchSize: 0, pollIntervalMs: -5 }),
    (error: unknown) => {
      const { code, details } = error as { code: string; details: { problems: string[] } };
      return code === 'MSG_ERR_INVALID_OPTIONS' && details.problems.length === 2;
    },
  );
  const outbox = createOutbox({ db, transport: log });
  t.after(() => outbox.close());
  await assert.rejects(
    db.transaction().execute((trx) =>
      outbox.add(trx, {
        topic: 't',
        headers: { 'stratus-outbox-payload-encoding': 'x' },
        payload: 'p',
      }),
    ),
    { code: 'MSG_ERR_INVALID_MESSAGE' },
  );
  await outbox.close();
  assert.throws(() => outbox.start(), { code: 'MSG_ERR_CLOSED' });
});
