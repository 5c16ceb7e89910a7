// Migrations and credentials on the three databases (docs/datasources.md): Flyway's history
// table, checksums that refuse an edited migration, one migration for instances that start
// together, a refused user named clearly, and `{cipher}` passwords that never show.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { createApplication, createDataSource, type Application } from '@stratus/boot';
import { createTextEncryptor } from '@stratus/config';
import { captureLogger, standaloneArgs } from '@stratus/testing';
import { tempDir } from './support.js';
import {
  adminDataSource,
  createTestDatabase,
  requireServer,
  type ServerKind,
} from './datasource-support.js';

const KINDS = ['sqlite', 'postgresql', 'mariadb'] as const;
type Kind = (typeof KINDS)[number];

const V1 = `CREATE TABLE notes (
  id   VARCHAR(36)  NOT NULL PRIMARY KEY,
  body VARCHAR(200) NOT NULL,
  hits BIGINT       NOT NULL
);
CREATE INDEX notes_body ON notes (body);
`;

interface Database {
  flags: string[];
  db: Kysely<any>;
}

/** A database of `kind` for this test (SQLite: a file in `dir`), or null when skipped. */
async function databaseFor(t: TestContext, kind: Kind, dir: string): Promise<Database | null> {
  if (kind === 'sqlite') {
    const url = `jdbc:sqlite:${join(dir, 'notes.db')}`;
    const pool = createDataSource({ url });
    t.after(() => pool.close());
    return { flags: [`--spring.datasource.url=${url}`], db: pool.db };
  }
  if (!(await requireServer(t, kind))) return null;
  return createTestDatabase(t, kind);
}

/** An application in `dir` (its `db/migration` beside it) on `database`. */
async function notesApp(
  t: TestContext,
  dir: string,
  flags: string[],
  options: { env?: Record<string, string>; logs?: ReturnType<typeof captureLogger> } = {},
): Promise<Application> {
  const logs = options.logs ?? captureLogger('notes');
  const app = await createApplication(
    {
      name: 'notes-service',
      baseDir: dir,
      argv: standaloneArgs(join(dir, 'data'), flags),
      env: options.env ?? {},
      logger: logs.logger,
    },
    (app) => {
      app.database({
        migrations: {
          V2__seed: {
            async up(db, { dialect }) {
              await db
                .insertInto('notes')
                .values({ id: 'n-1', body: dialect, hits: 2 ** 40 })
                .execute();
            },
          },
        },
      });
    },
  );
  t.after(() => app.close());
  return app;
}

function writeMigrations(dir: string, v1 = V1): void {
  mkdirSync(join(dir, 'db', 'migration'), { recursive: true });
  writeFileSync(join(dir, 'application.yml'), '');
  writeFileSync(join(dir, 'db', 'migration', 'V1__notes.sql'), v1);
}

for (const kind of KINDS) {
  test(`${kind}: SQL and typed migrations apply once, recorded in flyway_schema_history`, async (t) => {
    const dir = await tempDir(t, 'stratus-migrate-');
    const database = await databaseFor(t, kind, dir);
    if (database === null) return;
    writeMigrations(dir);
    const app = await notesApp(t, dir, database.flags);
    await app.start();
    const notes = await sql<{ body: string; hits: number }>`select body, hits from notes`.execute(
      database.db,
    );
    const family = kind === 'mariadb' ? 'mysql' : kind;
    assert.deepEqual(
      notes.rows,
      [{ body: family, hits: 2 ** 40 }],
      'typed migration saw its dialect; BIGINT reads as a number',
    );
    const history = await sql<
      Record<string, unknown>
    >`select installed_rank, version, description, type, script, checksum, success, execution_time, installed_on from flyway_schema_history order by installed_rank`.execute(
      database.db,
    );
    assert.deepEqual(
      history.rows.map((r) => [
        Number(r.installed_rank),
        r.version,
        r.description,
        r.type,
        r.script,
        Boolean(Number(r.success) || r.success === true),
      ]),
      [
        [1, '1', 'notes', 'SQL', 'V1__notes.sql', true],
        [2, '2', 'seed', 'JDBC', 'V2__seed', true],
      ],
    );
    assert.equal(typeof Number(history.rows[0]!.checksum), 'number');
    assert.notEqual(history.rows[0]!.installed_on, null);
    await app.close();

    const again = await notesApp(t, dir, database.flags);
    await again.start();
    const count = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    assert.equal(Number(count.rows[0]!.n), 1, 'a second start applies nothing');
    await again.close();

    writeMigrations(dir, V1.replace('VARCHAR(200)', 'VARCHAR(300)'));
    const edited = await notesApp(t, dir, database.flags);
    await assert.rejects(edited.start(), {
      code: 'BOOT_ERR_DATASOURCE',
      message: /V1__notes.sql was edited after it was applied/,
    });
    assert.equal(edited.health.isReady, false);
  });

  test(`${kind}: two instances starting together migrate once, under the lock`, async (t) => {
    const dir = await tempDir(t, 'stratus-migrate-');
    const database = await databaseFor(t, kind, dir);
    if (database === null) return;
    writeMigrations(dir);
    const [first, second] = await Promise.all([
      notesApp(t, dir, database.flags),
      notesApp(t, dir, database.flags),
    ]);
    await Promise.all([first.start(), second.start()]);
    const history = await sql<{
      n: number;
    }>`select count(*) as n from flyway_schema_history`.execute(database.db);
    assert.equal(Number(history.rows[0]!.n), 2);
    const notes = await sql<{ n: number }>`select count(*) as n from notes`.execute(database.db);
    assert.equal(Number(notes.rows[0]!.n), 1, 'the seed ran once');
    assert.ok(first.health.isReady && second.health.isReady);
  });
}

for (const kind of ['postgresql', 'mariadb'] as const satisfies readonly ServerKind[]) {
  test(`${kind}: a refused user or password is one clear error that shows no password`, async (t) => {
    if (!(await requireServer(t, kind))) return;
    const database = await createTestDatabase(t, kind);
    const dir = await tempDir(t, 'stratus-creds-');
    writeMigrations(dir);
    const logs = captureLogger('notes');
    // PostgreSQL here trusts loopback: an unknown role is what it refuses.
    const user = kind === 'postgresql' ? 'stratus_nobody' : 'root';
    const app = await notesApp(
      t,
      dir,
      [
        `--spring.datasource.url=${database.url}`,
        `--spring.datasource.username=${user}`,
        '--spring.datasource.password=Wr0ng-Passw0rd!',
      ],
      { logs },
    );
    await assert.rejects(app.start(), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
      assert.match(error.message, /the user name or password was refused/);
      assert.match(error.message, new RegExp(`as ${user}`));
      assert.doesNotMatch(error.message, /Wr0ng/);
      return true;
    });
    assert.doesNotMatch(logs.text(), /Wr0ng-Passw0rd/);
  });
}

test('mariadb: a {cipher} password connects and never appears in logs or /actuator/env', async (t) => {
  if (!(await requireServer(t, 'mariadb'))) return;
  const database = await createTestDatabase(t, 'mariadb');
  const user = `u${database.name.slice(-10)}`;
  const password = `Pw-${database.name.slice(-8)}-secret`;
  await sql`create user ${sql.lit(user)}@'127.0.0.1' identified by ${sql.lit(password)}`.execute(
    database.db,
  );
  await sql`grant all on ${sql.id(database.name)}.* to ${sql.lit(user)}@'127.0.0.1'`.execute(
    database.db,
  );
  // Own connection: the database's handle is closed by its own after-hook, which runs first.
  t.after(async () => {
    const admin = adminDataSource('mariadb');
    try {
      await sql`drop user if exists ${sql.lit(user)}@'127.0.0.1'`.execute(admin.db);
    } finally {
      await admin.close();
    }
  });
  const key = 'datasource-test-encrypt-key-0123456789';
  const cipher = `{cipher}${createTextEncryptor({ key }).encrypt(password)}`;
  const dir = await tempDir(t, 'stratus-cipher-');
  writeMigrations(dir);
  writeFileSync(
    join(dir, 'application.yml'),
    `encrypt:\n  key: ${key}\nspring:\n  datasource:\n    url: ${database.url}?useSSL=false\n    username: ${user}\n    password: '${cipher}'\n  security:\n    user:\n      password: admin-pw\nmanagement:\n  endpoints:\n    web:\n      exposure:\n        include: env, health\n`,
  );
  const logs = captureLogger('notes');
  const app = await notesApp(t, dir, [], { logs });
  await app.start();
  assert.equal((await app.health.check('db'))?.status, 'UP');
  const env = await fetch(`http://127.0.0.1:${app.port}/actuator/env`, {
    headers: { authorization: `Basic ${Buffer.from('user:admin-pw').toString('base64')}` },
  });
  assert.equal(env.status, 200);
  const body = await env.text();
  assert.ok(!body.includes(password), 'the password is masked in /actuator/env');
  await app.close();
  assert.ok(!logs.text().includes(password), 'never logged');
});
