import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isStratusError } from '@stratus/core';
import { createNativeRepository } from './native-repository.js';
import { tempTree } from '@stratus/testing';

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
  const root = tempTree(t, {
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
  const root = tempTree(t, {
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
  const root = tempTree(t, {
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
  const root = tempTree(t, {
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
  const root = tempTree(t, { 'orders/dev/application.yml': 'x: placeholder\n' });
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
  const root = tempTree(t, { 'other.yml': 'x: 1\n' });
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
  const outside = tempTree(t, { 'secret.yml': 'canary: OUTSIDE-CANARY\n' });
  const root = tempTree(t, { 'real.yml': 'inside: true\n' });
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
  const root = tempTree(t, {});
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
  const root = tempTree(t, { 'app.yml': 'a: [unclosed\n' });
  await assert.rejects(
    createNativeRepository({ searchLocations: [root] }).findOne('app', ['default'], null),
    (error: unknown) =>
      isStratusError(error) && error.code === 'CFG_ERR_REPOSITORY' && error.httpStatus === 500,
  );
});

test('unsupported, unresolved and empty search locations are rejected at creation, all at once', () => {
  assert.throws(
    () =>
      createNativeRepository({
        searchLocations: ['http://example.com/repo', '', 'file://${user.home}/repo'],
      }),
    (error: unknown) =>
      isStratusError(error) &&
      error.code === 'CFG_ERR_INVALID_OPTIONS' &&
      (error.details['problems'] as string[]).length === 3,
  );
});

test('classpath: locations resolve under the classpath folder, file:// forms under their absolute path', async (t) => {
  const classpath = tempTree(t, { 'config/shop.yml': 'from: classpath-config\n' });
  const home = tempTree(t, { 'native-file-repo/shop.yml': 'from: home-repo\n' });
  for (const [location, expected] of [
    ['classpath:/config', 'classpath-config'],
    ['classpath:config/', 'classpath-config'],
    [`file://${home}/native-file-repo`, 'home-repo'],
    [`file:///${home.replace(/^\//, '')}/native-file-repo`, 'home-repo'],
    [`optional:file:${home}/native-file-repo/`, 'home-repo'],
  ] as const) {
    const repository = createNativeRepository({ searchLocations: [location], classpath });
    const env = await repository.findOne('shop', ['default'], null);
    assert.equal(env.propertySources[0]?.source['from'], expected, location);
  }
  const windows = createNativeRepository({
    searchLocations: ['file:///C:/Users/me/native-file-repo', 'file://C:\\Users\\me/repo'],
    classpath,
  });
  assert.equal(windows.locations.length, 2, 'Windows-style locations are accepted, not a crash');
  assert.deepEqual((await windows.findOne('shop', ['default'], null)).propertySources, []);
});

test('a classpath: location with a {profile} placeholder still cannot leave the classpath folder', async (t) => {
  const classpath = tempTree(t, { 'config/dev/shop.yml': 'from: dev\n', 'secret.yml': 'x: 1\n' });
  const repository = createNativeRepository({
    searchLocations: ['classpath:/config/{profile}'],
    classpath,
  });
  assert.equal(
    (await repository.findOne('shop', ['dev'], null)).propertySources[0]?.source['from'],
    'dev',
  );
  await assert.rejects(repository.findOne('shop', ['..'], null), isStratusError);
});
