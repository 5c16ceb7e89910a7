import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createTextEncryptor, type TextEncryptor } from '@stratus/config';
import { createManualClock } from '@stratus/core';
import { tempDir, tempTree } from '@stratus/testing';
import type { Environment, EnvironmentRepository } from './environment.js';
import { createGitRepository } from './git/git-repository.js';
import { EnvironmentCache } from './internal/environment-cache.js';
import { RACY_MS, stampNow } from './internal/file-stamps.js';
import { registerMonitorRoute } from './monitor.js';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes } from './routes.js';
import { makeRepo } from './testing/git-repo.js';

/** A clock well past every file's change time, so nothing counts as just changed. */
const settledClock = () => createManualClock(Date.now() + 60_000);
/** File systems keep time in ticks of a few ms: a later write then gets a later time. */
const nextTick = () => new Promise((resolve) => setTimeout(resolve, 50));
const valueOf = (env: Environment, key: string) =>
  env.propertySources.find((s) => key in s.source)?.source[key];

function native(t: TestContext, files: Record<string, string>, searchLocation = '') {
  const root = tempTree(t, files);
  const repository = createNativeRepository({
    searchLocations: [`file:${join(root, searchLocation)}`],
    clock: settledClock(),
  });
  return { root, repository };
}

test('an unchanged environment is answered again as the same frozen object', async (t) => {
  const { repository } = native(t, { 'application.yml': 'a: 1\n', 'foo.yml': 'b: 2\n' });
  const first = await repository.findOne('foo', ['default'], null);
  assert.equal(await repository.findOne('foo', ['default'], null), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.propertySources[0]!.source));
  assert.notEqual(await repository.findOne('foo', ['dev'], null), first, 'another request');
});

test('an edited file is served at once, even one of the same size', async (t) => {
  const { root, repository } = native(t, { 'foo.yml': 'v: 1\n' });
  assert.equal(valueOf(await repository.findOne('foo', ['default'], null), 'v'), 1);
  await nextTick();
  writeFileSync(join(root, 'foo.yml'), 'v: 2\n');
  assert.equal(valueOf(await repository.findOne('foo', ['default'], null), 'v'), 2);
  await nextTick();
  writeFileSync(join(root, 'foo.yml'), 'v: 33\n');
  assert.equal(valueOf(await repository.findOne('foo', ['default'], null), 'v'), 33);
});

test('a profile file created after the first read is found; a deleted file is gone', async (t) => {
  const { root, repository } = native(t, { 'foo.yml': 'v: base\n' });
  assert.equal(valueOf(await repository.findOne('foo', ['dev'], null), 'v'), 'base');
  await nextTick();
  writeFileSync(join(root, 'foo-dev.properties'), 'v=dev\n');
  assert.equal(valueOf(await repository.findOne('foo', ['dev'], null), 'v'), 'dev');
  await nextTick();
  rmSync(join(root, 'foo-dev.properties'));
  assert.equal(valueOf(await repository.findOne('foo', ['dev'], null), 'v'), 'base');
});

test('a label folder or a {application} folder created after the first read is searched', async (t) => {
  const { root, repository } = native(t, { 'config/application.yml': 'v: root\n' }, 'config');
  assert.equal(valueOf(await repository.findOne('foo', ['default'], 'v1'), 'v'), 'root');
  await nextTick();
  mkdirSync(join(root, 'config', 'v1'));
  writeFileSync(join(root, 'config', 'v1', 'foo.yml'), 'v: labelled\n');
  assert.equal(valueOf(await repository.findOne('foo', ['default'], 'v1'), 'v'), 'labelled');

  const perApp = createNativeRepository({
    searchLocations: [`file:${root}/apps/{application}`],
    clock: settledClock(),
  });
  assert.deepEqual((await perApp.findOne('foo', ['default'], null)).propertySources, []);
  await nextTick();
  mkdirSync(join(root, 'apps', 'foo'), { recursive: true });
  writeFileSync(join(root, 'apps', 'foo', 'foo.yml'), 'v: per-app\n');
  assert.equal(valueOf(await perApp.findOne('foo', ['default'], null), 'v'), 'per-app');
});

test('a file changed just now is read again at every request: its time proves nothing yet', async (t) => {
  const root = tempTree(t, { 'foo.yml': 'v: 1\n' });
  const clock = createManualClock(Date.now());
  const repository = createNativeRepository({ searchLocations: [`file:${root}`], clock });
  const first = await repository.findOne('foo', ['default'], null);
  assert.notEqual(await repository.findOne('foo', ['default'], null), first);
  clock.advance(RACY_MS + 60_000);
  const settled = await repository.findOne('foo', ['default'], null);
  assert.equal(await repository.findOne('foo', ['default'], null), settled);
});

test('the cache keeps no entry whose stamps are racy, and drops one whose file changed', (t) => {
  const root = tempTree(t, { 'a.yml': 'a: 1\n' });
  const stamp = stampNow(join(root, 'a.yml'));
  const env: Environment = {
    name: 'a',
    profiles: [],
    label: null,
    version: null,
    state: null,
    propertySources: [],
  };
  const cache = new EnvironmentCache(2);
  cache.set('racy', env, [stamp], stamp.changedAtMs + RACY_MS - 1);
  assert.equal(cache.get('racy'), undefined);
  cache.set('settled', env, [stamp], stamp.changedAtMs + RACY_MS);
  assert.equal(cache.get('settled'), env);
  cache.set('changed', env, [{ ...stamp, stamp: 'other' }], stamp.changedAtMs + RACY_MS);
  assert.equal(cache.get('changed'), undefined);
  cache.set('b', env, [], 0);
  cache.set('c', env, [], 0);
  assert.equal(cache.get('settled'), undefined, 'least recently used beyond maxEntries');
});

test('POST /monitor makes the native backend read its files again', async (t) => {
  const { repository } = native(t, { 'foo.yml': 'v: 1\n' });
  const app = Fastify();
  t.after(() => app.close());
  await registerMonitorRoute(app, { refresh: () => repository.refresh() });
  const first = await repository.findOne('foo', ['default'], null);
  const response = await app.inject({
    method: 'POST',
    url: '/monitor',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'path=foo.yml',
  });
  assert.deepEqual(response.json(), ['foo']);
  assert.notEqual(await repository.findOne('foo', ['default'], null), first);
});

/** Counts repository calls and decryptions behind the routes. */
function counted(repository: EnvironmentRepository, encryptor: TextEncryptor) {
  const counts = { decryptions: 0 };
  const counting: TextEncryptor = {
    encrypt: (plain) => encryptor.encrypt(plain),
    decrypt: (cipher) => {
      counts.decryptions += 1;
      return encryptor.decrypt(cipher);
    },
  };
  return { repository, encryptor: counting, counts };
}

test('renderings and decryptions are made once per environment; an edit or a new commit shows at once', async (t) => {
  const encryptor = createTextEncryptor({ key: 'cache-test-key' });
  const secret = `{cipher}${encryptor.encrypt('s3cret')}`;
  const remote = await makeRepo(t);
  await remote.commit({ 'foo.yml': `v: 1\npassword: '${secret}'\n` });
  const git = createGitRepository({ uri: remote.dir, basedir: tempDir(t, 'stratus-git-clones-') });
  t.after(() => git.close());
  const { counts, ...options } = counted(git, encryptor);
  const app = Fastify();
  t.after(() => app.close());
  await registerConfigServerRoutes(app, options);
  const get = async (url: string) => (await app.inject({ method: 'GET', url })).body;

  const json = await get('/foo/default');
  assert.match(json, /"password":"s3cret"/);
  assert.equal(await get('/foo/default'), json);
  assert.equal(await get('/foo-default.yml'), await get('/foo-default.yml'));
  assert.equal(counts.decryptions, 1, 'one decryption for every rendering of one commit');

  await remote.commit({ 'foo.yml': `v: 2\npassword: '${secret}'\n` });
  assert.match(await get('/foo/default'), /"v":2/);
  assert.match(await get('/foo-default.properties'), /^v: 2$/m);
  assert.equal(counts.decryptions, 1, 'the same cipher text is not decrypted again');
});
