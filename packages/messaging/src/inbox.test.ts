import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createManualClock } from '@stratus/core';
import { createIdempotentHandler, ensureInboxSchema, pruneInbox } from './inbox.js';
import { createMessage } from './internal/message.js';
import type { Message } from './transport.js';

async function setup(t: TestContext): Promise<Kysely<any>> {
  const db = new Kysely<any>({
    dialect: new SqliteDialect({ database: new Database(':memory:') }),
  });
  t.after(() => db.destroy());
  await ensureInboxSchema(db);
  await sql`CREATE TABLE stock (item TEXT PRIMARY KEY, qty INTEGER NOT NULL)`.execute(db);
  await sql`INSERT INTO stock (item, qty) VALUES ('apple', 10)`.execute(db);
  return db;
}

function message(id: string): Message {
  return createMessage({
    id,
    topic: 'order.created',
    key: null,
    headers: {},
    payload: Buffer.from('{}'),
    offset: 0,
    timestamp: 0,
  });
}

async function qty(db: Kysely<any>): Promise<number | undefined> {
  return (await sql<{ qty: number }>`SELECT qty FROM stock`.execute(db)).rows[0]?.qty;
}

void test('applies each message id once per consumer, however often it is delivered', async (t) => {
  const db = await setup(t);
  let calls = 0;
  const decrement = async (trx: Kysely<any>): Promise<void> => {
    calls += 1;
    await sql`UPDATE stock SET qty = qty - 1`.execute(trx);
  };
  const inventory = createIdempotentHandler({ db, consumer: 'inventory', handle: decrement });
  const audit = createIdempotentHandler({ db, consumer: 'audit', handle: decrement });
  const deliveries = ['a', 'b', 'a', 'c', 'b', 'a'];
  for (const id of deliveries) await inventory(message(id));
  await audit(message('a'));
  assert.equal(calls, 4);
  assert.equal(await qty(db), 6);
  const rows = await sql<{ consumer: string; message_id: string }>`
    SELECT consumer, message_id FROM stratus_inbox ORDER BY consumer, message_id`.execute(db);
  assert.deepEqual(
    rows.rows.map((r) => `${r.consumer}/${r.message_id}`),
    ['audit/a', 'inventory/a', 'inventory/b', 'inventory/c'],
  );
});

void test('a failing business change rolls back the inbox row too, so the redelivery is applied', async (t) => {
  const db = await setup(t);
  let shouldFail = true;
  const handler = createIdempotentHandler({
    db,
    consumer: 'inventory',
    handle: async (trx) => {
      await sql`UPDATE stock SET qty = qty - 1`.execute(trx);
      if (shouldFail) throw new Error('downstream failure');
    },
  });
  await assert.rejects(handler(message('m1')), /downstream failure/);
  assert.equal(await qty(db), 10);
  assert.equal(
    (await sql<{ n: number }>`SELECT COUNT(*) AS n FROM stratus_inbox`.execute(db)).rows[0]?.n,
    0,
  );
  shouldFail = false;
  await handler(message('m1'));
  assert.equal(await qty(db), 9);
});

void test('rejects invalid options', () => {
  assert.throws(
    () => createIdempotentHandler({ db: {} as never, consumer: '', handle: undefined as never }),
    (error: unknown) => {
      const { code, details } = error as { code: string; details: { problems: string[] } };
      return code === 'MSG_ERR_INVALID_OPTIONS' && details.problems.length === 3;
    },
  );
});

void test('counts duplicates and prunes ids processed longer ago than the retention', async (t) => {
  const db = await setup(t);
  await ensureInboxSchema(db);
  const clock = createManualClock(1_000_000);
  const duplicates: string[] = [];
  const handler = createIdempotentHandler({
    db,
    consumer: 'inventory',
    clock,
    onDuplicate: (m) => duplicates.push(m.id),
    handle: async () => undefined,
  });
  await handler(message('m-1'));
  await handler(message('m-1'));
  assert.deepEqual(duplicates, ['m-1']);
  clock.advance(10_000);
  await handler(message('m-2'));
  assert.equal(await pruneInbox(db, { retentionMs: 5_000, clock }), 1, 'm-1 is older than 5 s');
  assert.equal(await pruneInbox(db, { retentionMs: 5_000, clock }), 0);
  await assert.rejects(pruneInbox(db, { retentionMs: 0 }), { code: 'MSG_ERR_INVALID_OPTIONS' });
  const left = await sql<{ id: string }>`SELECT message_id AS id FROM stratus_inbox`.execute(db);
  assert.deepEqual(
    left.rows.map((r) => r.id),
    ['m-2'],
  );
});
