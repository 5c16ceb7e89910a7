import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigEnvironment } from '@stratus/config';
import { BOOT_DEFAULTS, bindBootSettings } from './index.js';
import { tempDir, testApp } from './internal/testing.js';
import { createApplication } from './application.js';

const FILE = "Config resource 'file [/srv/app/application.yml]' (document #0)";

function envOf(properties: Record<string, unknown>): ConfigEnvironment {
  return new ConfigEnvironment([
    { name: FILE, properties },
    { name: 'defaults', properties: { 'spring.application.name': 'demo' } },
  ]);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: string; details?: { problems?: string[] } };
    assert.equal(e.code, 'BOOT_ERR_INVALID_CONFIG');
    return e.details?.problems ?? [];
  }
  assert.fail('expected BOOT_ERR_INVALID_CONFIG');
}

test("binds Spring's defaults when nothing is configured, frozen", () => {
  const settings = bindBootSettings(envOf({}));
  assert.equal(settings.server.port, 8080);
  assert.equal(settings.server.address, '0.0.0.0');
  assert.equal(settings.management.userName, 'user');
  assert.equal(settings.management.password, undefined);
  assert.equal(settings.httpTimeoutMs, BOOT_DEFAULTS.httpTimeoutMs);
  assert.equal(settings.datasource.validationTimeoutMs, 2_000);
  assert.equal(settings.outbox.pollIntervalMs, 200);
  assert.deepEqual(settings.jwt.audiences, []);
  assert.ok(Object.isFrozen(settings) && Object.isFrozen(settings.server));
});

test('binds Spring keys in their relaxed forms and keeps passwords out of sight', () => {
  const settings = bindBootSettings(
    envOf({
      'server.port': '0',
      'spring.security.user.password': 's3cret-pw',
      'spring.datasource.hikari.validationTimeout': '500ms',
      'stratus.security.jwt.audience[0]': 'shop',
      'stratus.security.jwt.audience[1]': 'admin',
      'spring.security.oauth2.resourceserver.jwt.issuer-uri': 'https://issuer.example',
    }),
  );
  assert.equal(settings.server.port, 0);
  assert.equal(settings.datasource.validationTimeoutMs, 500);
  assert.deepEqual(settings.jwt.audiences, ['shop', 'admin']);
  assert.equal(settings.jwt.issuer, 'https://issuer.example');
  assert.equal(settings.management.password?.reveal(), 's3cret-pw');
  assert.doesNotMatch(JSON.stringify(settings), /s3cret-pw/);
});

test('reports every bad value and every unknown stratus.* key boot owns, with its file', () => {
  const problems = problemsOf(() =>
    bindBootSettings(
      envOf({
        'server.port': 'eighty',
        'stratus.http.timeout-msec': 100,
        'stratus.outbox.poll-interval-ms': -1,
        'stratus.discovery.mode': 'zookeeper',
      }),
    ),
  );
  const text = problems.join('\n');
  assert.match(text, /server\.port .*'eighty'/);
  assert.match(
    text,
    /stratus\.http\.timeout-msec \(Config resource 'file \[\/srv\/app\/application\.yml\]'.*did you mean stratus\.http\.timeout-ms/,
  );
  assert.match(text, /stratus\.outbox\.poll-interval-ms .*at least 1/);
  assert.match(text, /stratus\.discovery\.mode .*zookeeper/);
  assert.equal(problems.length, 4);
});

test('leaves keys of other Stratus components and of Spring alone', () => {
  const settings = bindBootSettings(
    envOf({
      'stratus.messaging.transport': 'embedded',
      'stratus.messaging.kafka.topic-prefix': 'shop.',
      'stratus.registry.self-url': 'http://127.0.0.1:8761',
      'stratus.discovery.kubernetes.ports.http': 8080,
      'server.tomcat.connection-timeout': '5s',
      'spring.datasource.driver-class-name': 'org.mariadb.jdbc.Driver',
    }),
  );
  assert.equal(settings.server.port, 8080);
});

test('an application with an unknown key under a prefix boot owns does not start', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'application.yml'), 'stratus:\n  outbox:\n    pol-interval-ms: 50\n');
  await assert.rejects(
    createApplication({
      name: 'demo',
      baseDir: dir,
      argv: ['--spring.config.import=', `--stratus.data-dir=${join(dir, 'data')}`],
      env: {},
    }),
    (error: { code?: string; details?: { problems?: string[] } }) => {
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.match(
        error.details?.problems?.[0] ?? '',
        /stratus\.outbox\.pol-interval-ms .*application\.yml/,
      );
      return true;
    },
  );
});

test('a refresh binds the settings again and swaps them; one that does not bind is rejected', async (t) => {
  const { app, dir } = await testApp(t, { yaml: 'stratus:\n  http:\n    timeout-ms: 1000\n' });
  const before = app.settings;
  assert.equal(before.httpTimeoutMs, 1000);
  await writeFile(join(dir, 'application.yml'), 'stratus:\n  http:\n    timeout-ms: 2500\n');
  assert.deepEqual(await app.config.refresh(), ['stratus.http.timeout-ms']);
  assert.equal(app.settings.httpTimeoutMs, 2500);
  assert.equal(before.httpTimeoutMs, 1000, 'a bound object never changes');
  await writeFile(join(dir, 'application.yml'), 'stratus:\n  http:\n    timeout-ms: soon\n');
  await assert.rejects(
    app.config.refresh(),
    (error: { code?: string; details?: { problems?: string[] } }) => {
      assert.equal(error.code, 'BOOT_ERR_REFRESH_REJECTED');
      assert.match(error.details?.problems?.join('\n') ?? '', /stratus\.http\.timeout-ms/);
      return true;
    },
  );
  assert.equal(app.settings.httpTimeoutMs, 2500);
});

test('a stratus.* key no component reads is logged with its source', async (t) => {
  const { logs } = await testApp(t, { yaml: 'stratus:\n  mesaging:\n    transport: kafka\n' });
  const line = logs()
    .split('\n')
    .find((l) => l.includes('no Stratus component reads'));
  assert.ok(line, 'a warning');
  assert.match(line, /"key":"stratus\.mesaging\.transport"/);
  assert.match(line, /application\.yml/);
});
