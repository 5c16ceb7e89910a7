import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { add, commit } from 'isomorphic-git';
import { createManualClock, isStratusError } from '@stratus/core';
import { createNativeRepository } from '../native-repository.js';
import { createGitRepository, type GitRepositoryOptions } from './git-repository.js';
import { tempDir } from '@stratus/testing';
import { makeRepo } from '../testing/git-repo.js';
import type { TestContext } from 'node:test';

function gitRepository(t: TestContext, options: GitRepositoryOptions) {
  const repository = createGitRepository({
    basedir: tempDir(t, 'stratus-git-clones-'),
    ...options,
  });
  t.after(() => repository.close());
  return repository;
}

function values(env: { propertySources: Array<{ source: Record<string, unknown> }> }, key: string) {
  return env.propertySources.find((s) => key in s.source)?.source[key];
}

const FILES = {
  'application.yml': 'shared: app\nwho: application\n',
  'application-dev.yml': 'who: application-dev\n',
  'foo.yml': 'who: foo\nlist:\n  - a\n  - b\n',
  'foo.properties': 'who=foo-properties\n',
  'foo-dev.yml':
    'who: foo-dev\n---\nspring.config.activate.on-profile: mysql\nwho: foo-dev-mysql\n',
  'foo-mysql.yml': 'db: mysql\n',
};

test('serves the default branch with the commit id as version and <uri>/<path> source names', async (t) => {
  const remote = await makeRepo(t);
  const sha = await remote.commit(FILES);
  const repository = gitRepository(t, { uri: remote.dir });
  const env = await repository.findOne('foo', ['dev'], null);
  assert.equal(env.version, sha);
  assert.equal(env.label, 'main');
  assert.equal(env.name, 'foo');
  assert.deepEqual(env.profiles, ['dev']);
  assert.deepEqual(
    env.propertySources.map((s) => s.name),
    [
      `Config resource 'file [${remote.dir}/foo-dev.yml]' via location '${remote.dir}/' (document #0)`,
      `${remote.dir}/application-dev.yml`,
      `${remote.dir}/foo.properties`,
      `${remote.dir}/foo.yml`,
      `${remote.dir}/application.yml`,
    ],
  );
  assert.equal(values(env, 'who'), 'foo-dev');
  assert.equal(values(env, 'list[1]'), 'b');
});

test('orders sources exactly like the native backend over the same files', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit(FILES);
  const git = gitRepository(t, { uri: `file:${remote.dir}` });
  const native = createNativeRepository({ searchLocations: [`file:${remote.dir}`] });
  for (const profiles of [['default'], ['dev'], ['dev', 'mysql'], ['mysql', 'dev']]) {
    const fromGit = await git.findOne('foo', profiles, null);
    const fromNative = await native.findOne('foo', profiles, null);
    const strip = (name: string) =>
      name
        .replace(`file:${remote.dir}`, 'X')
        .replace(`file:${remote.dir}`, 'X')
        .replace(remote.dir, 'X');
    assert.deepEqual(
      fromGit.propertySources.map((s) => [strip(s.name).replace(/'file:X\//, "'X/"), s.source]),
      fromNative.propertySources.map((s) => [strip(s.name).replace(/'file:X\//, "'X/"), s.source]),
      profiles.join(','),
    );
  }
});

test('falls back to master when the default label main does not exist', async (t) => {
  const remote = await makeRepo(t, 'master');
  const sha = await remote.commit({ 'application.yml': 'branch: master\n' });
  const repository = gitRepository(t, { uri: remote.dir });
  const env = await repository.findOne('foo', ['default'], null);
  assert.equal(env.label, 'master');
  assert.equal(env.version, sha);
  assert.equal(values(env, 'branch'), 'master');
});

test('resolves labels as branches, tags (lightweight and annotated) and full or short commit ids', async (t) => {
  const remote = await makeRepo(t);
  const first = await remote.commit({ 'application.yml': 'v: one\n' });
  await remote.tag('v1');
  await remote.tag('v1-annotated', true);
  await remote.branch('feature/x');
  const second = await remote.commit({ 'application.yml': 'v: feature\n' });
  await remote.checkout('main');
  const third = await remote.commit({ 'application.yml': 'v: three\n' });
  const repository = gitRepository(t, { uri: remote.dir });

  const cases: Array<[string, string, string]> = [
    ['main', third, 'three'],
    ['feature/x', second, 'feature'],
    ['v1', first, 'one'],
    ['v1-annotated', first, 'one'],
    [first, first, 'one'],
    [second.slice(0, 7), second, 'feature'],
  ];
  for (const [label, version, value] of cases) {
    const env = await repository.findOne('foo', ['default'], label);
    assert.equal(env.version, version, label);
    assert.equal(env.label, label);
    assert.equal(values(env, 'v'), value, label);
  }
});

test('an unknown label is a 404 CFG_ERR_NO_SUCH_LABEL', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({ 'application.yml': 'a: 1\n' });
  const repository = gitRepository(t, { uri: remote.dir });
  for (const label of ['nope', 'deadbeef', 'feature/none']) {
    await assert.rejects(repository.findOne('foo', ['default'], label), (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'CFG_ERR_NO_SUCH_LABEL');
      assert.equal(error.httpStatus, 404);
      return true;
    });
  }
});

test('several comma-separated labels merge with the later label winning and joined versions', async (t) => {
  const remote = await makeRepo(t);
  const a = await remote.commit({ 'application.yml': 'x: main\ny: main\n' });
  await remote.branch('ops');
  const b = await remote.commit({ 'application.yml': 'x: ops\n' });
  const repository = gitRepository(t, { uri: remote.dir });
  const env = await repository.findOne('foo', ['default'], 'main,ops');
  assert.equal(env.version, `${a},${b}`);
  assert.equal(values(env, 'x'), 'ops');
  assert.equal(values(env, 'y'), 'main');
});

test('search-paths expand {application}, {profile} and * with later paths winning over the root', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({
    'application.yml': 'where: root\n',
    'foo/application.yml': 'where: foo-dir\n',
    'foo/dev/foo.yml': 'where: foo-dev-dir\n',
    'bar/application.yml': 'where: bar-dir\n',
    'shared-a/application.yml': 'a: 1\n',
    'shared-b/application.yml': 'b: 2\nwhere: shared-b\n',
    'other/application.yml': 'other: 1\n',
  });
  const repository = gitRepository(t, {
    uri: remote.dir,
    searchPaths: ['shared-*', '{application}', '{application}/{profile}'],
  });
  const env = await repository.findOne('foo', ['dev'], null);
  assert.deepEqual(
    env.propertySources.map((s) => s.name.slice(remote.dir.length + 1)),
    [
      'foo/dev/foo.yml',
      'foo/application.yml',
      'shared-b/application.yml',
      'shared-a/application.yml',
      'application.yml',
    ],
  );
  assert.equal(values(env, 'where'), 'foo-dev-dir');
  const bar = await repository.findOne('bar', ['default'], null);
  assert.equal(values(bar, 'where'), 'bar-dir');
  assert.equal(values(bar, 'other'), undefined);
});

test('a request value containing * is never used as a wildcard in a search path', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({ 'application.yml': 'a: 1\n', 'secret-dir/application.yml': 'b: 2\n' });
  const repository = gitRepository(t, { uri: remote.dir, searchPaths: ['{application}'] });
  const env = await repository.findOne('*', ['default'], null);
  assert.equal(values(env, 'b'), undefined);
});

test('a new commit is served once the refresh interval has passed, or at once after refresh()', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({ 'application.yml': 'v: 1\n' });
  const clock = createManualClock(1_000_000);
  const repository = gitRepository(t, { uri: remote.dir, refreshRateMs: 30_000, clock });
  assert.equal(values(await repository.findOne('foo', ['default'], null), 'v'), 1);

  const second = await remote.commit({ 'application.yml': 'v: 2\n' });
  clock.advance(29_999);
  assert.equal(values(await repository.findOne('foo', ['default'], null), 'v'), 1);
  clock.advance(1);
  const env = await repository.findOne('foo', ['default'], null);
  assert.equal(values(env, 'v'), 2);
  assert.equal(env.version, second);

  await remote.commit({ 'application.yml': 'v: 3\n' });
  assert.equal(values(await repository.findOne('foo', ['default'], null), 'v'), 2);
  repository.refresh();
  assert.equal(values(await repository.findOne('foo', ['default'], null), 'v'), 3);
});

test('refresh-rate 0 fetches on every request, and deleted branches and tags disappear', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({ 'application.yml': 'v: 1\n' });
  await remote.tag('gone');
  const repository = gitRepository(t, { uri: remote.dir });
  assert.equal(values(await repository.findOne('foo', ['default'], 'gone'), 'v'), 1);
  await remote.commit({ 'application.yml': 'v: 2\n' });
  assert.equal(values(await repository.findOne('foo', ['default'], null), 'v'), 2);
  fs.rmSync(join(remote.dir, '.git', 'refs', 'tags', 'gone'));
  await assert.rejects(repository.findOne('foo', ['default'], 'gone'), {
    code: 'CFG_ERR_NO_SUCH_LABEL',
  });
});

test('a broken remote keeps serving the last good clone with health DOWN, then recovers', async (t) => {
  const remote = await makeRepo(t);
  const good = await remote.commit({ 'application.yml': 'v: good\n' });
  const repository = gitRepository(t, { uri: remote.dir });
  assert.equal(repository.health().status, 'UNKNOWN');
  await repository.findOne('foo', ['default'], null);
  assert.equal(repository.health().status, 'UP');

  const moved = `${remote.dir}-moved`;
  renameSync(remote.dir, moved);
  t.after(() => fs.rmSync(moved, { recursive: true, force: true }));
  const env = await repository.findOne('foo', ['default'], null);
  assert.equal(env.version, good);
  assert.equal(values(env, 'v'), 'good');
  const health = repository.health();
  assert.equal(health.status, 'DOWN');
  assert.equal(health.details.repositories[0]?.status, 'DOWN');
  assert.match(health.details.repositories[0]?.reason ?? '', /^fetch failed \(/);

  renameSync(moved, remote.dir);
  const next = await remote.commit({ 'application.yml': 'v: recovered\n' });
  const after = await repository.findOne('foo', ['default'], null);
  assert.equal(after.version, next);
  assert.equal(repository.health().status, 'UP');
});

test('a repository that was never cloned fails with CFG_ERR_REPOSITORY_UNAVAILABLE, also at start with clone-on-start', async (t) => {
  const missing = join(tempDir(t), 'missing');
  const repository = gitRepository(t, { uri: missing });
  await assert.rejects(repository.findOne('foo', ['default'], null), {
    code: 'CFG_ERR_REPOSITORY_UNAVAILABLE',
  });
  assert.equal(repository.health().status, 'DOWN');
  const eager = gitRepository(t, { uri: missing, cloneOnStart: true });
  await assert.rejects(eager.start(), { code: 'CFG_ERR_REPOSITORY_UNAVAILABLE' });
});

test('clone-on-start clones before the first request', async (t) => {
  const remote = await makeRepo(t);
  await remote.commit({ 'application.yml': 'v: 1\n' });
  const repository = gitRepository(t, {
    uri: remote.dir,
    cloneOnStart: true,
    refreshRateMs: 60_000,
    clock: createManualClock(0),
  });
  await repository.start();
  assert.equal(repository.health().status, 'UP');
});

test('routes app/profile patterns to other repositories, first match first, default otherwise', async (t) => {
  const main = await makeRepo(t);
  await main.commit({ 'application.yml': 'repo: default\n' });
  const team = await makeRepo(t);
  await team.commit({ 'application.yml': 'repo: team\n' });
  const ops = await makeRepo(t);
  await ops.commit({ 'application.yml': 'repo: ops\n' });
  const repository = gitRepository(t, {
    uri: main.dir,
    repos: [
      { name: 'team', pattern: ['team-*'], uri: team.dir },
      { name: 'ops', pattern: ['*/prod', 'monitor*/*'], uri: ops.dir },
      { name: 'billing', uri: team.dir },
    ],
  });
  const repoOf = async (app: string, profiles: string[]) =>
    values(await repository.findOne(app, profiles, null), 'repo');
  assert.equal(await repoOf('team-orders', ['dev']), 'team');
  assert.equal(await repoOf('orders', ['prod']), 'ops');
  assert.equal(await repoOf('orders', ['prod', 'eu']), 'ops');
  assert.equal(await repoOf('monitoring', ['default']), 'ops');
  assert.equal(await repoOf('billing', ['default']), 'team');
  assert.equal(await repoOf('orders', ['dev']), 'default');
  const env = await repository.findOne('team-orders', ['dev'], null);
  assert.equal(env.propertySources[0]?.name, `${team.dir}/application.yml`);
});

test('symlinks committed in the repository are never followed', async (t) => {
  const remote = await makeRepo(t);
  const outside = join(tempDir(t), 'canary.yml');
  fs.writeFileSync(outside, 'canary: leaked\n');
  fs.writeFileSync(join(remote.dir, 'application.yml'), 'a: 1\n');
  symlinkSync(outside, join(remote.dir, 'foo.yml'));
  symlinkSync(join(outside, '..'), join(remote.dir, 'linked'));
  for (const filepath of ['application.yml', 'foo.yml', 'linked'])
    await add({ fs, dir: remote.dir, filepath });
  await commit({
    fs,
    dir: remote.dir,
    message: 'links',
    author: { name: 't', email: 't@t.invalid' },
  });
  const repository = gitRepository(t, { uri: remote.dir, searchPaths: ['linked', '*'] });
  const env = await repository.findOne('foo', ['default'], null);
  assert.doesNotMatch(JSON.stringify(env), /leaked/);
  assert.equal(values(env, 'a'), 1);
});

test('rejects unsupported URIs and unsafe search paths at creation, listing every problem', () => {
  assert.throws(
    () =>
      createGitRepository({
        uri: 'git@github.com:org/repo.git',
        searchPaths: ['../up'],
        repos: [{ name: 'x', uri: 'https://h/{application}.git' }],
      }),
    (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'CFG_ERR_INVALID_OPTIONS');
      assert.equal((error.details.problems as string[]).length, 3);
      return true;
    },
  );
});

test('userinfo in an http uri never appears in health or source names', () => {
  const repository = createGitRepository({
    uri: 'https://user:s3cret@git.example.invalid/org/config.git',
    basedir: '/nonexistent-stratus-test',
  });
  assert.doesNotMatch(JSON.stringify(repository.health()), /s3cret|user/);
  assert.equal(
    repository.health().details.repositories[0]?.uri,
    'https://git.example.invalid/org/config.git',
  );
});
