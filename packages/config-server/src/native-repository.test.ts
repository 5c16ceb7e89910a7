import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isStratusError } from '@stratus/core';
import { createNativeRepository } from './native-repository.js';
import { makeTree } from './internal/test-support.js';

const APPLICATION_YML = `shared: application
level: application
---
spring:
  config:
    activate:
      on-profile: dev
level: application-doc-dev
---
spring.profiles: prod
level: application-doc-prod
`;

test('orders sources for foo with dev,mysql: mysql files, dev files, foo, then application with its dev document', async (t) => {
  const root = makeTree(t, {
    'application.yml': APPLICATION_YML,
    'application-dev.yml': 'level: application-dev\n',
    'application-mysql.yml': 'level: application-mysql\n',
    'foo.yml': 'level: foo\nlist:\n  - a\n  - b\nport: 8080\nflag: true\n',
    'foo-dev.yml': 'level: foo-dev\n',
    'foo-mysql.properties': 'level=foo-mysql\n',
    'bar.yml': 'level: bar\n',
  });
  const repository = createNativeRepository({ searchLocations: [`file:${root}`] });
  const env = await repository.findOne('foo', ['dev', 'mysql'], null);
  assert.equal(env.name, 'foo');
  assert.deepEqual(env.profiles, ['dev', 'mysql']);
  assert.equal(env.label, null);
  assert.equal(env.version, null);
  assert.equal(env.state, null);
  assert.deepEqual(
    env.propertySources.map((s) => s.source['level']),
    [
      'foo-mysql',
      'application-mysql',
      'foo-dev',
      'application-dev',
      'foo',
      'application-doc-dev',
      'application',
    ],
  );
  assert.deepEqual(env.propertySources.map((s) => s.name).slice(0, 5), [
    `file:${join(root, 'foo-mysql.properties')}`,
    `file:${join(root, 'application-mysql.yml')}`,
    `file:${join(root, 'foo-dev.yml')}`,
    `file:${join(root, 'application-dev.yml')}`,
    `file:${join(root, 'foo.yml')}`,
  ]);
  assert.equal(
    env.propertySources[5]!.name,
    `Config resource 'file [${join(root, 'application.yml')}]' via location 'file:${root}/' (document #1)`,
  );
  assert.equal(
    env.propertySources[6]!.name,
    `Config resource 'file [${join(root, 'application.yml')}]' via location 'file:${root}/' (document #0)`,
  );
  const foo = env.propertySources[4]!.source;
  assert.deepEqual(foo, { level: 'foo', 'list[0]': 'a', 'list[1]': 'b', port: 8080, flag: true });
  assert.equal(env.propertySources[5]!.source['spring.config.activate.on-profile'], undefined);
});

test('.properties wins over .yml and .yml over .yaml for the same name', async (t) => {
  const root = makeTree(t, {
    'app.yaml': 'from: yaml\n',
    'app.yml': 'from: yml\n',
    'app.properties': 'from=properties\n',
  });
  const env = await createNativeRepository({ searchLocations: [root] }).findOne(
    'app',
    ['default'],
    null,
  );
  assert.deepEqual(
    env.propertySources.map((s) => s.source['from']),
    ['properties', 'yml', 'yaml'],
  );
});

test('the label folder is searched with higher precedence than its location', async (t) => {
  const root = makeTree(t, {
    'app.yml': 'where: root\n',
    'app-dev.yml': 'where: root-dev\n',
    'v2/app.yml': 'where: label\n',
    'feature/x/app.yml': 'where: nested-label\n',
  });
  const repository = createNativeRepository({ searchLocations: [`file:${root}`] });
  const env = await repository.findOne('app', ['dev'], 'v2');
  assert.equal(env.label, 'v2');
  assert.deepEqual(
    env.propertySources.map((s) => s.source['where']),
    ['label', 'root-dev', 'root'],
  );
  const nested = await repository.findOne('app', ['dev'], 'feature/x');
  assert.equal(nested.propertySources[0]!.source['where'], 'nested-label');
  const none = await repository.findOne('app', ['dev'], 'missing');
  assert.deepEqual(
    none.propertySources.map((s) => s.source['where']),
    ['root-dev', 'root'],
  );
  const off = createNativeRepository({ searchLocations: [root], addLabelLocations: false });
  assert.deepEqual((await off.findOne('app', ['dev'], 'v2')).propertySources.length, 2);
});

test('comma-separated applications: later names win, application is lowest', async (t) => {
  const root = makeTree(t, {
    'application.yml': 'x: application\n',
    'a.yml': 'x: a\n',
    'b.yml': 'x: b\n',
  });
  const env = await createNativeRepository({ searchLocations: [root] }).findOne(
    'a,b',
    ['default'],
    null,
  );
  assert.deepEqual(
    env.propertySources.map((s) => s.source['x']),
    ['b', 'a', 'application'],
  );
});

test('locations with {application} and {profile} placeholders are expanded', async (t) => {
  const root = makeTree(t, { 'orders/dev/application.yml': 'x: placeholder\n' });
  const repository = createNativeRepository({
    searchLocations: [join(root, '{application}', '{profile}')],
  });
  const env = await repository.findOne('orders', ['dev'], null);
  assert.deepEqual(
    env.propertySources.map((s) => s.source['x']),
    ['placeholder'],
  );
});

test('an unknown application with no shared files gives no property sources', async (t) => {
  const root = makeTree(t, { 'other.yml': 'x: 1\n' });
  const env = await createNativeRepository({ searchLocations: [root] }).findOne(
    'nope',
    ['default'],
    null,
  );
  assert.deepEqual(env.propertySources, []);
  const missing = createNativeRepository({ searchLocations: [join(root, 'does-not-exist')] });
  assert.deepEqual((await missing.findOne('nope', ['default'], null)).propertySources, []);
});

test('a symlink pointing outside the search location is refused; one inside is followed', async (t) => {
  const outside = makeTree(t, { 'secret.yml': 'canary: OUTSIDE-CANARY\n' });
  const root = makeTree(t, { 'real.yml': 'inside: true\n' });
  symlinkSync(join(outside, 'secret.yml'), join(root, 'app.yml'));
  symlinkSync(join(root, 'real.yml'), join(root, 'app-dev.yml'));
  const env = await createNativeRepository({ searchLocations: [root] }).findOne(
    'app',
    ['dev'],
    null,
  );
  assert.ok(!JSON.stringify(env).includes('OUTSIDE-CANARY'));
  assert.deepEqual(
    env.propertySources.map((s) => s.source),
    [{ inside: true }],
  );
});

test('findOne itself rejects traversal in name, label and profiles', async (t) => {
  const root = makeTree(t, {});
  const repository = createNativeRepository({ searchLocations: [root] });
  for (const [name, profiles, label] of [
    ['../x', ['dev'], null],
    ['/etc/passwd', ['dev'], null],
    ['app', ['../dev'], null],
    ['app', ['dev'], '../..'],
    ['app', ['dev'], '/abs'],
  ] as const) {
    await assert.rejects(repository.findOne(name, profiles, label), (error: unknown) => {
      return (
        isStratusError(error) &&
        error.code === 'CFG_ERR_INVALID_REQUEST' &&
        error.httpStatus === 400
      );
    });
  }
});

test('a broken YAML file is a 500 repository error, not a parse detail', async (t) => {
  const root = makeTree(t, { 'app.yml': 'a: [unclosed\n' });
  await assert.rejects(
    createNativeRepository({ searchLocations: [root] }).findOne('app', ['default'], null),
    (error: unknown) =>
      isStratusError(error) && error.code === 'CFG_ERR_REPOSITORY' && error.httpStatus === 500,
  );
});

test('unsupported and empty search locations are rejected at creation, all at once', () => {
  assert.throws(
    () => createNativeRepository({ searchLocations: ['classpath:/config', ''] }),
    (error: unknown) =>
      isStratusError(error) &&
      error.code === 'CFG_ERR_INVALID_OPTIONS' &&
      (error.details['problems'] as string[]).length === 2,
  );
});
