import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createSilentLogger } from '@stratus/core';
import { tempDir } from '../../internal/testing.js';
import type { FlywaySettings, PoolSettings } from '../datasource-settings.js';
import { openDataSource, type Migrations } from '../datasource.js';
import { flywayChecksum } from './checksum.js';
import { compareVersions, parseMigrationName } from './migration-names.js';
import { splitStatements } from './sql-script.js';

const FLYWAY: FlywaySettings = {
  enabled: true,
  locations: [],
  table: 'flyway_schema_history',
  baselineOnMigrate: false,
  baselineVersion: '1',
  validateOnMigrate: true,
  lockRetryCount: 2,
  placeholderReplacement: true,
  placeholders: {},
};
const POOL: PoolSettings = {
  maximumPoolSize: 1,
  minimumIdle: 0,
  connectionTimeoutMs: 1_000,
  idleTimeoutMs: 0,
  maxLifetimeMs: 0,
  initializationFailTimeoutMs: 0,
  poolName: 'test',
};

test("checksums are Flyway's: CRC-32 of the lines without line breaks, signed", () => {
  // CRC-32 of "123456789" is 0xCBF43926.
  assert.equal(flywayChecksum('1234\n56789'), 0xcbf43926 | 0);
  assert.equal(flywayChecksum('1234\r\n56789\n'), flywayChecksum('\uFEFF1234\n56789'));
  assert.notEqual(flywayChecksum('select 1;'), flywayChecksum('select 2;'));
});

test('migration names and versions read as Flyway reads them', () => {
  assert.deepEqual(parseMigrationName('V1__init.sql'), { version: '1', description: 'init' });
  assert.deepEqual(parseMigrationName('V1_1__add_order_index.sql'), { version: '1.1', description: 'add order index' });
  assert.deepEqual(parseMigrationName('V2.0.3__x'), { version: '2.0.3', description: 'x' });
  assert.deepEqual(parseMigrationName('0001_notes'), { version: '1', description: 'notes' });
  assert.equal(parseMigrationName('init.sql'), null);
  assert.equal(compareVersions('1.10', '1.9'), 1);
  assert.equal(compareVersions('1', '1.0'), 0);
  assert.equal(compareVersions('2', '10'), -1);
});

test('scripts split at semicolons outside quotes, comments and dollar-quoted bodies', () => {
  const script = `-- a comment; not a statement
CREATE TABLE t (a VARCHAR(10) DEFAULT 'x;y', "b;c" INT); /* ; */
INSERT INTO t (a) VALUES ('it''s; fine');
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
-- trailing comment only`;
  const statements = splitStatements(script);
  assert.equal(statements.length, 3);
  assert.match(statements[1]!, /it''s; fine/);
  assert.match(statements[2]!, /\$body\$ SELECT 1; \$body\$/);
});

interface Fixture {
  folder: string;
  open(migrations?: Migrations, flyway?: Partial<FlywaySettings>): ReturnType<typeof openDataSource>;
}

async function fixture(t: TestContext): Promise<Fixture> {
  const dir = await tempDir(t, 'stratus-migrations-');
  const folder = join(dir, 'db', 'migration');
  mkdirSync(folder, { recursive: true });
  return {
    folder,
    open(migrations, flyway = {}) {
      const dataSource = openDataSource({
        url: `jdbc:sqlite:${join(dir, 'app.db')}`,
        pool: POOL,
        flyway: { ...FLYWAY, ...flyway },
        migrationFolders: [folder],
        migrations,
        validationTimeoutMs: 1_000,
        logger: createSilentLogger(),
        lockRetryDelayMs: 10,
      });
      t.after(() => dataSource.close());
      return dataSource;
    },
  };
}

const SEED: Migrations = {
  V2__seed: {
    async up(db, { dialect }) {
      assert.equal(dialect, 'sqlite');
      await db.insertInto('notes').values({ id: 1, text: 'hello' }).execute();
    },
  },
};

test('SQL files and typed migrations apply in version order and are recorded as Flyway records them', async (t) => {
  const { folder, open } = await fixture(t);
  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text VARCHAR(100) NOT NULL);\n');
  writeFileSync(join(folder, 'V3__index.sql'), 'CREATE INDEX notes_text ON notes (text);');
  const first = open(SEED);
  assert.equal(await first.start().first, true);
  const history = await sql<Record<string, unknown>>`select * from flyway_schema_history order by installed_rank`.execute(first.db);
  assert.deepEqual(
    history.rows.map((r) => [r.installed_rank, r.version, r.description, r.type, r.script, r.checksum, r.success]),
    [
      [1, '1', 'notes', 'SQL', 'V1__notes.sql', flywayChecksum('CREATE TABLE notes (id INTEGER PRIMARY KEY, text VARCHAR(100) NOT NULL);\n'), 1],
      [2, '2', 'seed', 'JDBC', 'V2__seed', null, 1],
      [3, '3', 'index', 'SQL', 'V3__index.sql', flywayChecksum('CREATE INDEX notes_text ON notes (text);'), 1],
    ],
  );
  assert.deepEqual(Object.keys(history.rows[0]!).sort(), [
    'checksum', 'description', 'execution_time', 'installed_by', 'installed_on', 'installed_rank', 'script', 'success', 'type', 'version',
  ]);
  await first.close();
  const again = open(SEED);
  await again.start().first;
  const count = await sql<{ n: number }>`select count(*) as n from notes`.execute(again.db);
  assert.equal(count.rows[0]?.n, 1, 'nothing applied twice');
});

test('an applied migration that was edited, removed or overtaken stops the start, naming it', async (t) => {
  const { folder, open } = await fixture(t);
  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text VARCHAR(100));');
  writeFileSync(join(folder, 'V3__more.sql'), 'CREATE TABLE more (id INTEGER);');
  const first = open();
  await first.start().first;
  await first.close();

  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);');
  await assert.rejects(open().start().first, { code: 'BOOT_ERR_DATASOURCE', message: /V1__notes.sql was edited after it was applied/ });

  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text VARCHAR(100));');
  writeFileSync(join(folder, 'V2__late.sql'), 'CREATE TABLE late (id INTEGER);');
  await assert.rejects(open().start().first, { message: /V2__late.sql is not applied but the schema is already at version 3/ });
  rmSync(join(folder, 'V2__late.sql'));
  rmSync(join(folder, 'V3__more.sql'));
  await assert.rejects(open().start().first, { message: /V3__more.sql \(version 3\) was applied to the database but is not found locally/ });
});

test('a failed migration leaves the schema as it was and names the migration', async (t) => {
  const { folder, open } = await fixture(t);
  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER);');
  writeFileSync(join(folder, 'V2__broken.sql'), 'CREATE TABLE ok (id INTEGER);\nCREATE TABEL broken (id INTEGER);');
  const dataSource = open();
  await assert.rejects(dataSource.start().first, (error: { code?: string; details?: { migration?: string } }) => {
    assert.equal(error.code, 'BOOT_ERR_DATASOURCE');
    assert.equal(error.details?.migration, 'V2__broken.sql');
    return true;
  });
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(dataSource.db);
  assert.deepEqual(tables.rows.map((r) => r.name), [], 'rolled back, history table included');
});

test('a non-empty schema without history is refused unless baseline-on-migrate takes it as a version', async (t) => {
  const { folder, open } = await fixture(t);
  const legacy = open({}, { enabled: false });
  await sql`create table notes (id integer)`.execute(legacy.db);
  await legacy.close();
  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER);');
  writeFileSync(join(folder, 'V2__more.sql'), 'CREATE TABLE more (id INTEGER);');
  await assert.rejects(open().start().first, /non-empty schema without flyway_schema_history: set spring.flyway.baseline-on-migrate=true/);
  const baselined = open({}, { baselineOnMigrate: true });
  await baselined.start().first;
  const history = await sql<{ version: string; type: string }>`select version, type from flyway_schema_history order by installed_rank`.execute(baselined.db);
  assert.deepEqual(history.rows, [
    { version: '1', type: 'BASELINE' },
    { version: '2', type: 'SQL' },
  ]);
});

test('placeholders are replaced from spring.flyway.placeholders; an unknown one is an error', async (t) => {
  const { folder, open } = await fixture(t);
  writeFileSync(join(folder, 'V1__t.sql'), 'CREATE TABLE ${prefix}notes (id INTEGER); -- in ${flyway:table}');
  const dataSource = open({}, { placeholders: { prefix: 'app_' } });
  await dataSource.start().first;
  await sql`select * from app_notes`.execute(dataSource.db);
  const { folder: other, open: openOther } = await fixture(t);
  writeFileSync(join(other, 'V1__t.sql'), 'CREATE TABLE ${nope} (id INTEGER);');
  await assert.rejects(openOther().start().first, /no value for placeholder \$\{nope\}/);
});

test('spring.flyway.enabled=false runs no migration and keeps no history', async (t) => {
  const { folder, open } = await fixture(t);
  writeFileSync(join(folder, 'V1__notes.sql'), 'CREATE TABLE notes (id INTEGER);');
  const dataSource = open({}, { enabled: false });
  await dataSource.start().first;
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(dataSource.db);
  assert.deepEqual(tables.rows, []);
});
