import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { Kysely, Migration } from 'kysely';
import { testApp } from './internal/testing.js';

interface ItemsDatabase {
  items: { id: string };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_items': {
    up: (db: Kysely<any>) =>
      db.schema
        .createTable('items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute(),
  },
};

test('a Stratus app mounted into an existing fastify server serves its routes and actuator under the prefix', async (t) => {
  let db: Kysely<ItemsDatabase> | undefined;
  const { app } = await testApp(t, {
    argv: ['--server.max-http-request-body-bytes=1024'],
    configure: (app) => {
      db = app.database<ItemsDatabase>({ migrations: MIGRATIONS });
      app.server.post<{ Body: { id: string } }>(
        '/items',
        {
          schema: {
            body: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          },
        },
        async (request, reply) => {
          await db!.insertInto('items').values({ id: request.body.id }).execute();
          return reply.code(201).send({ id: request.body.id });
        },
      );
    },
  });
  const host = Fastify();
  host.get('/legacy', async () => ({ legacy: true }));
  await host.register(app.plugin, { prefix: '/shop' });
  t.after(() => host.close());
  await host.listen({ host: '127.0.0.1', port: 0 });
  const address = host.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  assert.deepEqual(await (await fetch(`${base}/legacy`)).json(), { legacy: true });
  const created = await fetch(`${base}/shop/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'a-1' }),
  });
  assert.equal(created.status, 201, 'migrated by the host ready(), body read by the app');
  assert.deepEqual(await db!.selectFrom('items').selectAll().execute(), [{ id: 'a-1' }]);

  const health = await fetch(`${base}/shop/actuator/health`);
  assert.equal(health.status, 200, 'ready once the host listens');
  assert.equal(app.port, Number(new URL(base).port));

  for (const [path, init, status] of [
    [
      '/shop/items',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":' },
      400,
    ],
    [
      '/shop/items',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'x'.repeat(2048) }),
      },
      413,
    ],
    ['/shop/nowhere', {}, 404],
  ] as const) {
    const res = await fetch(`${base}${path}`, init);
    assert.equal(res.status, status, path);
    assert.match(
      res.headers.get('content-type') ?? '',
      /^application\/problem\+json/,
      'the app answers its own errors',
    );
  }

  await host.close();
  assert.equal(app.health.isReady, false, 'the host close closes the app');
  await assert.rejects(db!.selectFrom('items').selectAll().execute());
});

test('an application either listens on its own or is mounted, not both', async (t) => {
  const { app } = await testApp(t);
  await app.start();
  const host = Fastify();
  t.after(() => host.close());
  await assert.rejects(async () => {
    await host.register(app.plugin);
  }, /cannot both listen on its own and be mounted/);

  const { app: mounted } = await testApp(t);
  const other = Fastify();
  t.after(() => other.close());
  await other.register(mounted.plugin);
  await assert.rejects(mounted.start(), /cannot both listen on its own and be mounted/);
});
