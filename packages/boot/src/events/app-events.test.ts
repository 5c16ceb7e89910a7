import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely, Migration } from 'kysely';
import type { Message, Outbox } from '@stratus/messaging';
import type { Application } from '../application.js';
import { BootErrors } from '../errors.js';
import { eventually, testApp } from '../internal/testing.js';

interface CounterDatabase {
  counters: { name: string; hits: number };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_counters': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};

/** A relay that never polls on its own within a test: only explicit flushes publish. */
const NO_POLLING = ['--stratus.outbox.poll-interval-ms=600000'];

/** Counts `demo.in` messages by key in the app's database and answers each on `demo.out`. */
function countingService(hold?: Promise<void>) {
  const state: { db?: Kysely<CounterDatabase>; outbox?: Outbox; entered: number } = { entered: 0 };
  const configure = (app: Application) => {
    state.db = app.database<CounterDatabase>({ migrations: MIGRATIONS });
    const outbox = (state.outbox = app.outbox());
    app.subscribe<CounterDatabase>({
      topic: 'demo.in',
      idempotent: true,
      handle: async (message, trx) => {
        state.entered += 1;
        await hold;
        const name = message.key ?? 'none';
        await trx
          .insertInto('counters')
          .values({ name, hits: 1 })
          .onConflict((c) =>
            c.column('name').doUpdateSet((eb) => ({ hits: eb('counters.hits', '+', 1) })),
          )
          .execute();
        await outbox.add(trx, {
          topic: 'demo.out',
          key: name,
          id: `reply-${message.id}`,
          payload: name,
        });
      },
    });
  };
  return { state, configure };
}

async function observe(app: Application, topic: string): Promise<Message[]> {
  const seen: Message[] = [];
  const subscription = await app.messaging.subscribe({
    topics: [topic],
    groupId: `observer-${topic}`,
    handler: async (message) => {
      seen.push(message);
    },
  });
  app.onClose(() => subscription.close());
  return seen;
}

test('an idempotent consumer applies a redelivered message once and its reply leaves at once', async (t) => {
  const service = countingService();
  const { app } = await testApp(t, { argv: NO_POLLING, configure: service.configure });
  await app.start();
  const replies = await observe(app, 'demo.out');
  const message = { topic: 'demo.in', key: 'k1', id: 'm-1', payload: 'x' };
  await app.messaging.publish([message, message]);
  await app.messaging.publish({ ...message, id: 'm-2' });
  await eventually(() => (replies.length >= 2 ? true : undefined));
  await eventually(() => (service.state.entered >= 2 ? true : undefined));
  const row = await service.state.db!.selectFrom('counters').selectAll().executeTakeFirstOrThrow();
  assert.deepEqual(row, { name: 'k1', hits: 2 }, 'm-1 counted once, m-2 once');
  assert.deepEqual(replies.map((m) => m.id).sort(), ['reply-m-1', 'reply-m-2']);
});

test('shutdown stops consuming and lets the handler in flight commit before the database closes', async (t) => {
  let release: () => void = () => undefined;
  const hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  const service = countingService(hold);
  const { app, dir } = await testApp(t, { argv: NO_POLLING, configure: service.configure });
  await app.start();
  await app.messaging.publish({ topic: 'demo.in', key: 'k1', id: 'm-1', payload: 'x' });
  await eventually(() => (service.state.entered === 1 ? true : undefined));

  const closing = app.close();
  assert.equal(app.health.readiness().status, 'OUT_OF_SERVICE');
  release();
  await closing;

  const file = new Database(join(dir, 'data', 'demo-service.db'), { readonly: true });
  t.after(() => file.close());
  assert.deepEqual(file.prepare('select name, hits from counters').all(), [
    { name: 'k1', hits: 1 },
  ]);
  assert.equal(
    (file.prepare('select count(*) as n from stratus_inbox').get() as { n: number }).n,
    1,
    'the message is recorded as processed: it will not be applied again',
  );
});

test('shutdown publishes what the outbox still holds before the relay stops', async (t) => {
  const service = countingService();
  const { app, dir } = await testApp(t, { argv: NO_POLLING, configure: service.configure });
  app.server.post('/note', async () => {
    // Written without a flush: only the relay (or the last flush on shutdown) publishes it.
    await service.state
      .db!.transaction()
      .execute((trx) =>
        service.state.outbox!.add(trx, { topic: 'demo.note', id: 'note-1', payload: 'n' }),
      );
    return { ok: true };
  });
  await app.start();
  assert.equal((await fetch(`http://127.0.0.1:${app.port}/note`, { method: 'POST' })).status, 200);
  await app.close();
  const file = new Database(join(dir, 'data', 'demo-service.db'), { readonly: true });
  t.after(() => file.close());
  const rows = file.prepare('select id, published_at from stratus_outbox').all() as Array<{
    id: string;
    published_at: number | null;
  }>;
  assert.equal(rows.length, 1);
  assert.notEqual(rows[0]!.published_at, null, 'published on shutdown');
});

test('subscribe and outbox refuse bad options and a missing database with a clear error', async (t) => {
  const { app } = await testApp(t);
  const handle = async () => undefined;
  assert.throws(() => app.subscribe({ topic: [], handle }), { code: 'BOOT_ERR_INVALID_CONFIG' });
  assert.throws(() => app.subscribe({ topic: ' ', handle }), { code: 'BOOT_ERR_INVALID_CONFIG' });
  assert.throws(() => app.subscribe({ topic: 'demo.in', idempotent: true, handle }), {
    code: 'BOOT_ERR_DATASOURCE',
  });
  assert.throws(() => app.outbox(), { code: 'BOOT_ERR_DATASOURCE' });
});

test('a plain consumer sees every delivery from start() on and stops with the application', async (t) => {
  const seen: string[] = [];
  const { app } = await testApp(t, {
    configure: (app) => {
      app.subscribe({
        topic: ['demo.a', 'demo.b'],
        group: 'plain',
        handle: async (message) => {
          seen.push(`${message.topic}:${message.id}`);
        },
      });
    },
  });
  await app.messaging.publish({ topic: 'demo.a', id: 'early', payload: 'x' });
  await app.start();
  const message = { topic: 'demo.b', id: 'twice', payload: 'y' };
  await app.messaging.publish([message, message]);
  await eventually(() => (seen.length === 3 ? true : undefined));
  assert.deepEqual(seen, ['demo.a:early', 'demo.b:twice', 'demo.b:twice']);
});

test('subscribe passes deserializer, retry and dead-letter options on to the transport', async (t) => {
  const values: unknown[] = [];
  const { app } = await testApp(t, {
    configure: (app) => {
      app.subscribe<unknown, { n: number }>({
        topic: 'demo.typed',
        deserializer: {
          deserialize: (payload) => {
            const value = JSON.parse(payload.toString()) as { n?: unknown };
            if (typeof value.n !== 'number') throw new Error('not a count');
            return { n: value.n };
          },
        },
        retry: { maxAttempts: 1 },
        concurrency: 2,
        handle: async (message) => {
          values.push(message.value);
        },
      });
    },
  });
  await app.start();
  const dead = await observe(app, 'demo.typed.DLT');
  await app.messaging.publish([
    { topic: 'demo.typed', key: 'a', id: 'good', payload: '{"n":1}' },
    { topic: 'demo.typed', key: 'b', id: 'poison', payload: '{"n":"x"}' },
  ]);
  await eventually(() => (values.length === 1 && dead.length === 1 ? true : undefined));
  assert.deepEqual(values, [{ n: 1 }]);
  assert.equal(dead[0]!.id, 'poison');
});

test('an idempotent consumer cannot be a broadcast one', async (t) => {
  const { app } = await testApp(t, {
    configure: (app) => {
      app.database({ migrations: MIGRATIONS });
    },
  });
  assert.throws(
    () =>
      app.subscribe({
        topic: 'demo.in',
        idempotent: true,
        broadcast: true,
        handle: async () => undefined,
      } as never),
    { code: 'BOOT_ERR_INVALID_CONFIG', message: /broadcast consumer runs in every instance/ },
  );
});

test('while the database does not answer, a message is held, not retried into the dead letter', async (t) => {
  let outages = 2;
  const attempts: number[] = [];
  const { app } = await testApp(t, {
    configure: (app) => {
      app.database({ migrations: MIGRATIONS });
      app.subscribe<CounterDatabase>({
        topic: 'demo.held',
        idempotent: true,
        retry: { maxAttempts: 1 },
        handle: async (message, trx) => {
          attempts.push(message.deliveryAttempt);
          if (outages > 0) {
            outages -= 1;
            throw BootErrors.DATABASE_UNAVAILABLE();
          }
          await trx.insertInto('counters').values({ name: message.id, hits: 1 }).execute();
        },
      });
    },
  });
  await app.start();
  const dead = await observe(app, 'demo.held.DLT');
  await app.messaging.publish({ topic: 'demo.held', id: 'm-1', payload: 'x' });
  await eventually(() => (attempts.length === 3 ? true : undefined));
  assert.deepEqual(
    attempts,
    [1, 1, 1],
    'one delivery, held and tried again, never a transport retry',
  );
  assert.equal(dead.length, 0, 'a dead letter would have ended the attempts after the first');
});
