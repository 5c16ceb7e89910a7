import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Migration,
} from 'kysely';
import { testApp } from '../internal/testing.js';
import { validateDatabase } from './datasource.js';

const ADMIN = ['--spring.security.user.password=pw', '--management.endpoint.health.show-details=always'];
const AUTH = { authorization: `Basic ${Buffer.from('user:pw').toString('base64')}` };

interface NotesDatabase {
  notes: { id: number; text: string };
}

const MIGRATIONS: Record<string, Migration> = {
  '0001_notes': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('notes')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** A loopback port nothing listens on (a database that is down). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('app.database() migrates db/migration at start, reports db health and closes last', async (t) => {
  let db: Kysely<NotesDatabase> | undefined;
  const { app, dir } = await testApp(t, {
    argv: ADMIN,
    configure: (app) => {
      // classpath:db/migration is in the service's folder (its baseDir).
      const folder = join(String(app.config.get('stratus.classpath')), 'db', 'migration');
      mkdirSync(folder, { recursive: true });
      writeFileSync(
        join(folder, 'V2__seed.sql'),
        "INSERT INTO notes (id, text) VALUES (1, 'from V2__seed.sql');",
      );
      db = app.database<NotesDatabase>({ migrations: MIGRATIONS });
    },
  });
  assert.ok(existsSync(join(dir, 'data', 'demo-service.db')), 'opened at the default path');
  await assert.rejects(db!.selectFrom('notes').selectAll().execute(), /no such table/);
  await app.start();
  assert.deepEqual(await db!.selectFrom('notes').selectAll().execute(), [
    { id: 1, text: 'from V2__seed.sql' },
  ]);
  const health = (await (
    await fetch(`http://127.0.0.1:${app.port}/actuator/health/db`)
  ).json()) as { status: string; details: Record<string, unknown> };
  assert.deepEqual(health, {
    status: 'UP',
    details: { database: 'SQLite', validationQuery: 'select 1' },
  });
  await app.close();
  await assert.rejects(sql`select 1`.execute(db!), 'closed with the application');
});

test("the pool's meters carry HikariCP's Micrometer names", async (t) => {
  const { app } = await testApp(t, {
    argv: [...ADMIN, '--management.endpoints.web.exposure.include=prometheus'],
    configure: (app) => {
      app.database();
    },
  });
  await app.start();
  const text = await (await fetch(`http://127.0.0.1:${app.port}/actuator/prometheus`, { headers: AUTH })).text();
  for (const name of [
    'hikaricp_connections',
    'hikaricp_connections_active',
    'hikaricp_connections_idle',
    'hikaricp_connections_pending',
    'hikaricp_connections_max',
    'hikaricp_connections_min',
    'hikaricp_connections_timeout_total',
    'hikaricp_connections_acquire_seconds_count',
  ])
    assert.match(text, new RegExp(`^${name}\\{`, 'm'), name);
  assert.match(text, /^hikaricp_connections_max\{[^}]*\} 10$/m, "HikariCP's default maximum-pool-size");
});

test('spring.datasource.url moves the database; a second database() call is refused', async (t) => {
  const { app, dir } = await testApp(t, {
    configure: (app) => {
      app.database({ migrations: MIGRATIONS });
    },
    argv: ['--spring.datasource.url=jdbc:sqlite:${stratus.data-dir}/elsewhere/notes.db'],
  });
  assert.ok(existsSync(join(dir, 'data', 'elsewhere', 'notes.db')));
  assert.throws(() => app.database(), { code: 'BOOT_ERR_DATASOURCE' });
});

test('bad pool and migration settings stop the app with every problem listed', async (t) => {
  await assert.rejects(
    testApp(t, {
      argv: [
        '--spring.datasource.hikari.maximum-pool-size=0',
        '--spring.datasource.hikari.connection-timeout=soon',
        '--spring.flyway.table=drop table x',
      ],
      configure: (app) => {
        app.database();
      },
    }),
    (error: { code?: string; details?: { problems?: string[] } }) => {
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.equal(error.details?.problems?.length, 3);
      return true;
    },
  );
});

test('a failed migration stops the start with BOOT_ERR_DATASOURCE naming it', async (t) => {
  const { app } = await testApp(t, {
    configure: (app) => {
      app.database({
        migrations: {
          ...MIGRATIONS,
          '0002_broken': { up: (db: Kysely<any>) => sql`create tabel nope`.execute(db).then(() => undefined) },
        },
      });
    },
  });
  await assert.rejects(app.start(), (error: { code?: string; details?: { migration?: string } }) => {
    assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
    assert.equal(error.details?.migration, '0002_broken');
    return true;
  });
  assert.equal(app.health.isReady, false);
});

test('a database that is down at boot leaves the app running, not ready, its routes 503', async (t) => {
  const port = await closedPort();
  const { app, logs } = await testApp(t, {
    argv: [
      ...ADMIN,
      `--spring.datasource.url=jdbc:postgresql://127.0.0.1:${port}/orders`,
      '--spring.datasource.username=app',
      '--spring.datasource.password=hunter2-secret',
    ],
    configure: (app) => {
      app.database();
      app.server.get('/orders', async () => []);
    },
  });
  await app.start();
  assert.equal(app.health.readiness().status, 'OUT_OF_SERVICE');
  const response = await fetch(`http://127.0.0.1:${app.port}/orders`);
  assert.equal(response.status, 503);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await response.json()) as { code: string }).code, 'BOOT_ERR_DATABASE_UNAVAILABLE');
  const health = await fetch(`http://127.0.0.1:${app.port}/actuator/health`, { headers: AUTH });
  assert.equal(health.status, 503);
  const body = (await health.json()) as { components: { db: { status: string } } };
  assert.equal(body.components.db.status, 'DOWN');
  const closing = Date.now();
  await app.close();
  assert.ok(Date.now() - closing < 5_000, 'close stops the retries at once');
  assert.match(logs(), /database not available; starting not ready and retrying/);
  assert.doesNotMatch(logs(), /hunter2-secret/);
});

test('initialization-fail-timeout=0 fails the start at once, naming the setting and not the password', async (t) => {
  const port = await closedPort();
  const { app, logs } = await testApp(t, {
    argv: [
      `--spring.datasource.url=jdbc:mariadb://127.0.0.1:${port}/shop?user=root&password=hunter2-secret`,
      '--spring.datasource.hikari.initialization-fail-timeout=0',
    ],
    configure: (app) => {
      app.database();
    },
  });
  await assert.rejects(app.start(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
    assert.match(error.message, /initialization-fail-timeout/);
    assert.doesNotMatch(error.message, /hunter2/);
    return true;
  });
  assert.doesNotMatch(logs(), /hunter2-secret/);
});

test('the db health component goes DOWN when the database fails, naming only the error class', async (t) => {
  let db: Kysely<NotesDatabase> | undefined;
  const { app } = await testApp(t, {
    configure: (app) => {
      db = app.database<NotesDatabase>({ migrations: MIGRATIONS });
    },
  });
  await app.start();
  assert.equal((await app.health.check('db'))?.status, 'UP');
  await db!.destroy();
  const down = await app.health.check('db');
  assert.equal(down?.status, 'DOWN');
  assert.deepEqual(Object.keys(down?.details ?? {}).sort(), ['database', 'error', 'validationQuery']);
  assert.doesNotMatch(String(down?.details?.error), /\s/, 'a class name, not a message');

  const { app: quiet } = await testApp(t, {
    argv: ['--management.health.db.enabled=false'],
    configure: (app) => {
      app.database();
    },
  });
  assert.equal(await quiet.health.check('db'), null);
});

test('a validation query that does not answer in time is DOWN after the timeout', async () => {
  // A server that accepts the connection and never answers (what a stalled PostgreSQL does).
  const stalled = new Kysely<NotesDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => ({
        init: async () => undefined,
        acquireConnection: async () => ({
          executeQuery: () => new Promise<never>(() => undefined),
          streamQuery: () => {
            throw new Error('not used');
          },
        }),
        beginTransaction: async () => undefined,
        commitTransaction: async () => undefined,
        rollbackTransaction: async () => undefined,
        releaseConnection: async () => undefined,
        destroy: async () => undefined,
      }),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const started = Date.now();
  // The check's timer is unref'ed (it must not hold a process open); a server would keep the loop alive.
  const keepAlive = setInterval(() => undefined, 1_000);
  const result = await validateDatabase(stalled, 'PostgreSQL', 150).finally(() =>
    clearInterval(keepAlive),
  );
  assert.equal(result.status, 'DOWN');
  assert.equal(result.details?.error, 'validation timed out');
  assert.ok(Date.now() - started < 2_000);
});
