import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, isStratusError } from '@stratus/core';
import { tempTree } from '@stratus/testing';
import { loadConfiguration } from './loader.js';

/** A config server stand-in that answers every request with one source and records the paths. */
async function configServer(t: TestContext, source: Record<string, unknown>) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'x',
        profiles: ['default'],
        label: null,
        version: 'v1',
        state: null,
        propertySources: [{ name: 'file:/repo/ecommerce.yml', source }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

const code =
  (expected: string, ...parts: RegExp[]) =>
  (error: unknown) =>
    isStratusError(error) && error.code === expected && parts.every((p) => p.test(error.message));

test("bootstrap.yml's spring.cloud.config.uri and name alone fetch ecommerce from the config server", async (t) => {
  const server = await configServer(t, { 'token.expiration_time': 864000, greeting: 'server' });
  const dir = tempTree(t, {
    'bootstrap.yml': `spring:\n  cloud:\n    config:\n      uri: ${server.uri}\n      name: ecommerce\n`,
    'application.yml': 'spring:\n  application:\n    name: user-service\ngreeting: local\n',
  });
  const { environment, configServer: used } = await loadConfiguration({ baseDir: dir });
  assert.deepEqual(server.paths, ['/ecommerce/default']);
  assert.equal(used?.ok, true);
  assert.equal(environment.get('token.expiration_time'), 864000);
  assert.equal(environment.get('greeting'), 'server', 'the config server beats application.yml');
  assert.equal(environment.get('spring.application.name'), 'user-service');
});

test('precedence: flags and env > config server > application files > bootstrap-{profile} > bootstrap.yml > defaults', async (t) => {
  const server = await configServer(t, { 'from.server': 'server', shared: 'server' });
  const dir = tempTree(t, {
    'bootstrap.yml': `spring.cloud.config.uri: ${server.uri}\nspring.profiles.active: dev\nshared: bootstrap\nb: bootstrap\nbd: bootstrap\nlow: bootstrap\n`,
    'bootstrap-dev.yml': 'bd: bootstrap-dev\nb2: bootstrap-dev\n',
    'application.yml': 'b: application\nshared: application\n',
  });
  const { environment } = await loadConfiguration({
    baseDir: dir,
    env: { LOW: 'env' },
    defaults: { low: 'default', only: 'default' },
  });
  assert.deepEqual(server.paths, ['/application/dev'], 'bootstrap.yml activated the dev profile');
  assert.equal(environment.get('shared'), 'server');
  assert.equal(environment.get('b'), 'application', 'application.yml beats bootstrap.yml');
  assert.equal(environment.get('bd'), 'bootstrap-dev', 'bootstrap-dev.yml beats bootstrap.yml');
  assert.equal(environment.get('low'), 'env');
  assert.equal(environment.get('only'), 'default');
  const names = environment.sources.map((s) => s.name);
  assert.ok(names.indexOf('defaults') === names.length - 1);
  assert.ok(
    names.findIndex((n) => n.includes('bootstrap.yml')) >
      names.findIndex((n) => n.includes('application.yml')),
  );
});

test('spring.cloud.bootstrap.enabled=false ignores bootstrap.yml; spring.cloud.bootstrap.name reads another file', async (t) => {
  const server = await configServer(t, {});
  const dir = tempTree(t, {
    'bootstrap.yml': `spring.cloud.config.uri: ${server.uri}\nfrom.bootstrap: yes\n`,
    'custom.yml': `spring.cloud.config.uri: ${server.uri}\nspring.cloud.config.name: from-custom\n`,
  });
  const off = await loadConfiguration({
    baseDir: dir,
    env: { SPRING_CLOUD_BOOTSTRAP_ENABLED: 'false' },
  });
  assert.equal(off.configServer, null);
  assert.equal(off.environment.get('from.bootstrap'), undefined);
  const renamed = await loadConfiguration({
    baseDir: dir,
    argv: ['--spring.cloud.bootstrap.name=custom'],
  });
  assert.equal(renamed.configServer?.ok, true);
  assert.deepEqual(server.paths, ['/from-custom/default']);
  await assert.rejects(
    loadConfiguration({ baseDir: dir, argv: ['--spring.cloud.bootstrap.name=../etc/passwd'] }),
    code('CFG_ERR_INVALID_SETTING', /spring\.cloud\.bootstrap\.name/, /commandLineArgs/),
  );
  await assert.rejects(
    loadConfiguration({ baseDir: dir, argv: ['--spring.cloud.bootstrap.enabled=maybe'] }),
    code('CFG_ERR_INVALID_SETTING', /true or false/),
  );
});

test('spring.cloud.bootstrap.enabled=true without a file asks http://localhost:8888, optionally', async (t) => {
  const dir = tempTree(t, { 'application.yml': 'x: 1\n' });
  const { configServer: used, environment } = await loadConfiguration({
    baseDir: dir,
    argv: [
      '--spring.cloud.bootstrap.enabled=true',
      '--spring.cloud.config.request-connect-timeout=2000',
      '--spring.cloud.config.request-read-timeout=2000',
    ],
  });
  assert.equal(used?.uri, 'http://localhost:8888');
  assert.equal(used?.optional, true);
  assert.equal(environment.get('x'), 1);
});

test('spring.cloud.config.uri alone as a flag or env variable is used, with a note about spring.config.import', async (t) => {
  const server = await configServer(t, { 'from.server': 'yes' });
  const dir = tempTree(t, { 'application.yml': 'spring.application.name: shop\n' });
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const logger = createLogger({ name: 'test', level: 'info', destination });
  for (const env of [
    { 'spring.cloud.config.uri': server.uri },
    { SPRING_CLOUD_CONFIG_URI: server.uri },
  ]) {
    const { environment } = await loadConfiguration({ baseDir: dir, env, logger });
    assert.equal(environment.get('from.server'), 'yes');
  }
  assert.deepEqual(server.paths, ['/shop/default', '/shop/default']);
  assert.ok(
    lines.some((l) => /spring\.config\.import/.test(l)),
    'an info line explains the Boot 2.4+ rule',
  );
  const quiet = await loadConfiguration({
    baseDir: dir,
    env: { SPRING_CLOUD_CONFIG_URI: server.uri, SPRING_CLOUD_CONFIG_ENABLED: 'false' },
  });
  assert.equal(quiet.configServer, null, 'spring.cloud.config.enabled=false turns it off');
});

test('a URL in spring.config.import wins over spring.cloud.config.uri; an empty configserver: takes the uri', async (t) => {
  const chosen = await configServer(t, {});
  const ignored = await configServer(t, {});
  const dir = tempTree(t, {
    'application.yml': `spring.config.import: optional:configserver:${chosen.uri}\n`,
  });
  await loadConfiguration({ baseDir: dir, env: { 'spring.cloud.config.uri': ignored.uri } });
  assert.equal(chosen.paths.length, 1);
  assert.equal(ignored.paths.length, 0);
  await loadConfiguration({
    baseDir: dir,
    env: {
      'spring.config.import': 'optional:configserver:',
      'spring.cloud.config.uri': ignored.uri,
    },
  });
  assert.equal(ignored.paths.length, 1);
});

test('a malformed bootstrap.yml stops the load naming the file, the line, what was expected and the key', async (t) => {
  const dir = tempTree(t, {
    'bootstrap.yml':
      'spring:\n  cloud:\n    config:\n      uri: "http://127.0.0.1:8888\n      name: ecommerce\n',
  });
  await assert.rejects(
    loadConfiguration({ baseDir: dir }),
    code(
      'CFG_ERR_INVALID_YAML',
      /bootstrap\.yml/,
      /line \d+/,
      /quote/i,
      /spring\.cloud\.config\.(uri|name)/,
    ),
  );
  const list = tempTree(t, { 'bootstrap.yml': '- spring.cloud.config.uri: http://x\n' });
  await assert.rejects(
    loadConfiguration({ baseDir: list }),
    code('CFG_ERR_INVALID_YAML', /bootstrap\.yml/, /must be a mapping of keys/),
  );
  const tabs = tempTree(t, { 'bootstrap.yml': 'spring:\n\tcloud: x\n' });
  await assert.rejects(
    loadConfiguration({ baseDir: tabs }),
    code('CFG_ERR_INVALID_YAML', /[Tt]ab/),
  );
});

test('a config client placeholder nothing resolves stops the load naming key, file and placeholder, never the value', async (t) => {
  const dir = tempTree(t, {
    'bootstrap.yml':
      'spring.cloud.config:\n  uri: http://admin:s3cret-pw@${CONFIG_HOST}:8888\n  name: ecommerce\n',
  });
  await assert.rejects(loadConfiguration({ baseDir: dir }), (error: unknown) => {
    assert.ok(
      code(
        'CFG_ERR_UNRESOLVED_PLACEHOLDER',
        /'CONFIG_HOST'/,
        /spring\.cloud\.config\.uri/,
        /bootstrap\.yml/,
      )(error),
    );
    assert.doesNotMatch((error as Error).message, /s3cret/);
    return true;
  });
  const resolved = await loadConfiguration({
    baseDir: dir,
    env: { CONFIG_HOST: '127.0.0.1', SPRING_CLOUD_CONFIG_ENABLED: 'false' },
  });
  assert.equal(
    resolved.environment.get('spring.cloud.config.uri'),
    'http://admin:s3cret-pw@127.0.0.1:8888',
  );
  const notHttp = tempTree(t, {
    'bootstrap.yml': 'spring.cloud.config.uri: config-server:8888\n',
  });
  await assert.rejects(
    loadConfiguration({ baseDir: notHttp }),
    code('CFG_ERR_INVALID_SETTING', /spring\.cloud\.config\.uri/, /http:\/\//),
  );
});

test('Java system properties resolve in placeholders, between flags and environment variables', async (t) => {
  const dir = tempTree(t, {
    'application.yml':
      'repo: file://${user.home}/native-file-repo\ntmp: ${java.io.tmpdir}${file.separator}x\n',
  });
  const { environment } = await loadConfiguration({
    baseDir: dir,
    systemProperties: {
      'user.home': '/home/course',
      'java.io.tmpdir': '/tmp',
      'file.separator': '/',
    },
    env: { USER_HOME: '/from-env' },
  });
  assert.equal(environment.get('repo'), 'file:///home/course/native-file-repo');
  assert.equal(environment.get('tmp'), '/tmp/x');
  assert.equal(environment.lookupRaw('user.home')?.source, 'systemProperties');
  assert.equal(
    environment.get('stratus.classpath'),
    dir,
    'classpath: defaults to the service folder',
  );
});
