import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigEnvironment } from '@stratus/config';
import { createSilentLogger, isStratusError } from '@stratus/core';
import { createApplication, type Application } from './index.js';
import { readLevelSettings, readOutputSettings } from './logging-setup.js';

const ADMIN = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;
const SECURITY = 'spring.security.user.name: admin\nspring.security.user.password: s3cret-pw\n';

interface Started {
  app: Application;
  dir: string;
  base: string;
}

/**
 * An app with its own logging system: nothing on the console (an empty console pattern turns it
 * off, as in Spring Boot), root at WARN from the flags, and whatever the test reads in files.
 */
async function startWithOwnLogging(
  t: TestContext,
  yaml: (dir: string) => string,
  flags: string[] = [],
): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-logging-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'application.yml'), SECURITY + yaml(dir));
  const app = await createApplication({
    name: 'demo-service',
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--stratus.data-dir=${join(dir, 'data')}`,
      '--management.endpoints.web.exposure.include=health,refresh,loggers',
      '--logging.pattern.console=',
      '--logging.level.root=warn',
      ...flags,
    ],
    env: {},
  });
  t.after(() => app.close());
  await app.start();
  return { app, dir, base: `http://127.0.0.1:${app.port}` };
}

async function refresh(base: string): Promise<Response> {
  return fetch(`${base}/actuator/refresh`, { method: 'POST', headers: { authorization: ADMIN } });
}

async function jsonLines(file: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('an unknown logging level stops start-up with one message naming the key and what was expected', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-logging-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'application.yml'), 'logging:\n  level:\n    com.example: verbose\n');
  await assert.rejects(
    createApplication({
      name: 'demo-service',
      baseDir: dir,
      argv: ['--server.port=0', '--eureka.client.enabled=false', `--stratus.data-dir=${dir}/data`],
      env: {},
      logger: createSilentLogger(),
    }),
    (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.equal(
        error.message,
        "logging.level.com.example: 'verbose' is not a log level; expected one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF",
      );
      assert.deepEqual(error.details.problems, [error.message]);
      return true;
    },
  );
});

test('levels by name change live on refresh; a refresh with a bad level is rejected and the old levels stay', async (t) => {
  const yaml = (dir: string, level: string) =>
    `logging:\n  file.name: ${join(dir, 'app.log')}\n  structured.format.file: json\n` +
    `  level:\n    com.example: ${level}\n`;
  const { app, dir, base } = await startWithOwnLogging(t, (d) => yaml(d, 'info'));
  const orders = app.logger.child({ component: 'com.example.orders' });
  const other = app.logger.child({ component: 'org.other' });
  orders.debug('debug before');
  orders.info('info before');
  await writeFile(join(dir, 'application.yml'), SECURITY + yaml(dir, 'debug'));
  const refreshed = await refresh(base);
  assert.equal(refreshed.status, 200);
  assert.deepEqual(await refreshed.json(), ['logging.level.com.example']);
  orders.debug('debug after');
  other.info('other info after');
  await writeFile(join(dir, 'application.yml'), SECURITY + yaml(dir, 'chatty'));
  const rejected = await refresh(base);
  assert.equal(rejected.status, 400);
  const problem = (await rejected.json()) as { code: string; problems: string[] };
  assert.equal(problem.code, 'BOOT_ERR_REFRESH_REJECTED');
  assert.match(problem.problems[0]!, /logging\.level\.com\.example: 'chatty' is not a log level/);
  orders.debug('debug after rejection');
  await app.close();
  const messages = (await jsonLines(join(dir, 'app.log'))).map((line) => String(line.msg));
  assert.deepEqual(
    messages.filter((m) => /before|after/.test(m)),
    ['info before', 'debug after', 'debug after rejection'],
  );
});

test("logging.file.path writes spring.log there with Spring's file pattern and the seed's level pattern", async (t) => {
  const { app, dir } = await startWithOwnLogging(
    t,
    (d) =>
      `logging:\n  file.path: ${join(d, 'logs')}\n  pattern:\n` +
      `    level: "%5p [%X{traceId:-},%X{spanId:-}]"\n    dateformat: HH:mm\n`,
  );
  app.logger
    .child({ component: 'web', traceId: '4bf92f3577b34da6', spanId: '00f067aa0ba902b7' })
    .warn({ orderId: 7 }, 'order slow');
  app.logger.child({ component: 'web' }).error('no trace');
  await app.close();
  const lines = (await readFile(join(dir, 'logs', 'spring.log'), 'utf8')).split('\n');
  assert.ok(
    lines.some((line) =>
      /^\d\d:\d\d  WARN \[4bf92f3577b34da6,00f067aa0ba902b7\] \d+ --- \[demo-service\] \[main\] web {38}: order slow orderId=7$/.test(
        line,
      ),
    ),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) =>
      /^\d\d:\d\d ERROR \[,\] \d+ --- \[demo-service\] \[main\] web +: no trace$/.test(line),
    ),
  );
});

test('the rolling policy keys rotate the file by size and keep max-history archives', async (t) => {
  const { app, dir } = await startWithOwnLogging(
    t,
    (d) =>
      `logging:\n  file.name: ${join(d, 'out', 'demo.log')}\n` +
      '  logback.rollingpolicy:\n    max-file-size: 2KB\n    max-history: 2\n',
  );
  const log = app.logger.child({ component: 'load' });
  for (let i = 0; i < 300; i++) {
    log.warn({ i, padding: 'x'.repeat(60) }, 'line');
    if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
  }
  await app.close();
  const names = (await readdir(join(dir, 'out'))).filter((name) => name.endsWith('.gz')).sort();
  assert.equal(names.length, 2, names.join(', '));
  for (const name of names) assert.match(name, /^demo\.log\.\d{4}-\d{2}-\d{2}\.\d+\.gz$/);
  const active = await readFile(join(dir, 'out', 'demo.log'), 'utf8');
  assert.ok(active.length <= 2048 + 200, `active file holds ${active.length} bytes`);
});

test('the loggers endpoint lists loggers and sets a level at run time until reset', async (t) => {
  const { app, dir, base } = await startWithOwnLogging(
    t,
    (d) => `logging:\n  file.name: ${join(d, 'app.log')}\n  structured.format.file: json\n`,
  );
  const orders = app.logger.child({ component: 'orders' });
  const listing = (await (
    await fetch(`${base}/actuator/loggers`, { headers: { authorization: ADMIN } })
  ).json()) as {
    levels: string[];
    loggers: Record<string, { configuredLevel: string | null; effectiveLevel: string }>;
  };
  assert.deepEqual(listing.levels, ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']);
  assert.deepEqual(listing.loggers.ROOT, { configuredLevel: 'WARN', effectiveLevel: 'WARN' });
  assert.deepEqual(listing.loggers.orders, { configuredLevel: null, effectiveLevel: 'WARN' });
  const post = (name: string, body: string, authorization = ADMIN) =>
    fetch(`${base}/actuator/loggers/${name}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body,
    });
  assert.equal((await post('orders', '{"configuredLevel":"DEBUG"}', 'Basic eDp5')).status, 401);
  assert.equal((await post('orders', '{"configuredLevel":"LOUD"}')).status, 400);
  assert.equal((await post('orders', '{"level":"DEBUG"}')).status, 400);
  assert.equal((await post('a%20b', '{"configuredLevel":"DEBUG"}')).status, 400);
  assert.equal((await post('orders', '{"configuredLevel":"DEBUG"}')).status, 204);
  orders.debug('debug while set');
  const one = await (
    await fetch(`${base}/actuator/loggers/orders`, { headers: { authorization: ADMIN } })
  ).json();
  assert.deepEqual(one, { configuredLevel: 'DEBUG', effectiveLevel: 'DEBUG' });
  assert.equal((await post('orders', '{"configuredLevel":null}')).status, 204);
  orders.debug('debug after reset');
  assert.equal(
    (await fetch(`${base}/actuator/loggers/nobody`, { headers: { authorization: ADMIN } })).status,
    404,
  );
  await app.close();
  const messages = (await jsonLines(join(dir, 'app.log'))).map((line) => line.msg);
  assert.ok(messages.includes('debug while set'));
  assert.ok(!messages.includes('debug after reset'));
});

function env(properties: Record<string, unknown>): ConfigEnvironment {
  return new ConfigEnvironment([{ name: 'test', properties }]);
}

test('the console format: text on a terminal, JSON lines otherwise, as configured or forced', () => {
  const format = (properties: Record<string, unknown>, isTty: boolean, formatOverride?: string) => {
    const { output, problems } = readOutputSettings(env(properties), {
      name: 'demo',
      isTty,
      formatOverride,
    });
    assert.deepEqual(problems, []);
    return output.console === null ? 'off' : output.console?.format;
  };
  assert.equal(format({}, true), 'text');
  assert.equal(format({}, false), 'json');
  assert.equal(format({ 'logging.pattern.console': '%p %m%n' }, false), 'text');
  assert.equal(
    format({ 'logging.pattern.console': '%p %m%n' }, true, 'json'),
    'json',
    'stratus up forces JSON',
  );
  assert.equal(format({}, false, 'text'), 'text');
  assert.equal(format({ 'logging.structured.format.console': 'json' }, true), 'json');
  assert.equal(format({ 'logging.pattern.console': '' }, true), 'off');
  const colour = (ansi: string | undefined, isTty: boolean) =>
    (
      readOutputSettings(env(ansi ? { 'spring.output.ansi.enabled': ansi } : {}), {
        name: 'demo',
        isTty,
      }).output.console as { colour?: boolean }
    ).colour;
  assert.equal(colour(undefined, true), true);
  assert.equal(colour('never', true), false);
  assert.equal(colour('ALWAYS', true), true);
});

test('bad logging settings are all reported with their keys', () => {
  const { problems } = readOutputSettings(
    env({
      'logging.pattern.console': '%d %nonsense',
      'logging.pattern.level': '%5p [%X{traceId:-}] %oops',
      'logging.structured.format.console': 'ecs',
      'spring.output.ansi.enabled': 'sometimes',
      'logging.file.name': '/tmp/never-opened.log',
      'logging.logback.rollingpolicy.max-file-size': 'huge',
      'logging.logback.rollingpolicy.max-history': '-1',
      'logging.threshold.file': 'loud',
    }),
    { name: 'demo', isTty: true, formatOverride: 'yaml' },
  );
  const keys = problems.map((problem) => problem.slice(0, problem.indexOf(':')));
  assert.deepEqual(
    keys.sort(),
    [
      'STRATUS_LOG_FORMAT',
      'logging.logback.rollingpolicy.max-file-size',
      'logging.logback.rollingpolicy.max-history',
      'logging.pattern.console',
      'logging.pattern.level',
      'logging.structured.format.console',
      'logging.threshold.file',
      'spring.output.ansi.enabled',
    ].sort(),
  );
});

test('logging.level keys: root, names from YAML or environment, groups, and false as OFF', () => {
  const levels = readLevelSettings(
    env({
      'logging.level.root': 'WARN',
      'logging.level.com.example': 'debug',
      'logging.level.http-client': false,
      'logging.group.persistence': 'kysely, db-pool',
      'logging.level.persistence': 'TRACE',
    }),
  );
  assert.deepEqual(levels.problems, []);
  assert.equal(levels.root, 'WARN');
  assert.deepEqual(levels.named, {
    'com.example': 'debug',
    'http-client': 'off',
    kysely: 'TRACE',
    'db-pool': 'TRACE',
  });
});
