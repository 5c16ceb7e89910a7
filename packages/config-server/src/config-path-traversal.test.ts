import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createTextEncryptor } from '@stratus/config';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes } from './routes.js';
import { tempTree, rawRequest } from '@stratus/testing';

// Hostile-input suite for spring-wire.md §2.7 and reliability.md §1.1 / scenario C.13.
// The canary sits next to the repository, where any traversal out of it would land.
const CANARY = 'CANARY-7f3a9c-OUTSIDE-THE-REPO';
const canaryFiles = {
  'canary.yml': `canary: ${CANARY}\n`,
  'canary.properties': `canary=${CANARY}\n`,
  'application.yml': `canary: ${CANARY}\n`,
  'app.yml': `canary: ${CANARY}\n`,
  'app-default.yml': `canary: ${CANARY}\n`,
  'passwd.yml': `canary: ${CANARY}\n`,
  'etc/passwd.yml': `canary: ${CANARY}\n`,
  'repo/app.yml': 'inside: true\n',
  'repo/dev/application.yml': 'inside: profile-folder\n',
};

async function start(
  t: TestContext,
  searchLocation: (base: string) => string,
): Promise<{ port: number; base: string }> {
  const base = tempTree(t, canaryFiles);
  const app = Fastify();
  t.after(() => app.close());
  await registerConfigServerRoutes(app, {
    repository: createNativeRepository({ searchLocations: [searchLocation(base)] }),
    encryptor: createTextEncryptor({ key: 'traversal' }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (app.server.address() as { port: number }).port, base };
}

const ENV_PAYLOADS = [
  // {application}
  '/..%2Fcanary/default',
  '/..%252Fcanary/default',
  '/..%252F..%252F..%252Fcanary/default',
  '/..%252F..%252F..%252F..%252Fetc%252Fpasswd%23foo/development', // CVE-2020-5410
  '/%2e%2e%2Fcanary/default',
  '/%2E%2E%2fcanary/default',
  '/%252e%252e%252fcanary/default',
  '/..%5Ccanary/default',
  '/..%255Ccanary/default',
  '/..\\canary/default',
  '/canary%00/default',
  '/canary%2500/default',
  '/canary%23x/default',
  '/canary%3Fx/default',
  '/%2Fetc%2Fpasswd/default',
  '/(_)etc(_)passwd/default',
  '/%28_%29etc%28_%29passwd/default',
  '/..(_)canary/default',
  '/app(_)..(_)..(_)canary/default',
  '/%c0%ae%c0%ae%2Fcanary/default', // overlong UTF-8 dot
  '/file:%2Fetc%2Fpasswd/default',
  // {profiles}
  '/app/..',
  '/app/..%2F..%2Fcanary',
  '/app/..%252F..%252Fcanary',
  '/app/%2e%2e',
  '/app/dev%2F..%2F..',
  '/app/dev,..',
  '/app/%7Bx%7D',
  '/app/a:b',
  '/app/dev%00',
  // {label}
  '/app/default/..',
  '/app/default/%2e%2e',
  '/app/default/..%2F',
  '/app/default/..%252F..%252F',
  '/app/default/..%28_%29..%28_%29etc%28_%29passwd', // CVE-2020-5405 style
  '/app/default/..(_)..(_)etc(_)passwd',
  '/app/default/(_)etc',
  '/app/default/%2Fetc',
  '/app/default/x%2F..%2F..',
  '/app/default/x%5C..%5C..',
  '/app/default/master%23',
  '/app/default/master%00',
  // more segments than any route: never matched
  '/foo/default/master/..%252F..%252F..%252F..%252Fetc%252Fpasswd', // CVE-2019-3799
  '/test/pathtraversal/master/..%252f..%252f..%252f..%252f../etc/passwd',
  '/a/b/%252f..%252f..%252f..%252fetc/passwd',
  // .yml / .properties / .json resources
  '/..%2Fcanary-default.yml',
  '/..%252Fcanary-default.properties',
  '/..%2F..%2Fcanary-default.json',
  '/(_)etc(_)passwd-default.yml',
  '/..%2F/app-default.yml',
  '/%2e%2e/app-default.yml',
  '/..%252F/app-default.json',
  '/..(_)/app-default.properties',
  '/app-..%2Fcanary.yml',
  '/app-%2e%2e.yml',
  // crypto endpoints validate name and profiles too
];

function assertNoLeak(path: string, res: { status: number; body: string }): void {
  assert.ok(res.status < 500, `${path} gave ${res.status}: ${res.body}`);
  assert.ok(!res.body.includes(CANARY), `${path} leaked the canary`);
  assert.ok(!res.body.includes('root:'), `${path} leaked /etc/passwd`);
}

test('every traversal payload in name, profiles and label gets 400 or 404 and never the canary', async (t) => {
  const { port } = await start(t, (base) => `file:${join(base, 'repo')}`);
  for (const path of ENV_PAYLOADS) {
    for (const accept of [
      'application/json',
      'application/vnd.spring-cloud.config-server.v2+json',
    ]) {
      const res = await rawRequest(port, 'GET', path, { headers: { accept } });
      assertNoLeak(path, res);
      assert.ok(res.status === 400 || res.status === 404, `${path} gave ${res.status}`);
    }
  }
  // The sane request still works.
  const ok = await rawRequest(port, 'GET', '/app/default');
  assert.equal(ok.status, 200);
  assert.ok(ok.body.includes('"inside":true'));
});

test('rejected requests are 400 problem+json "Invalid Request" with code CFG_ERR_INVALID_REQUEST', async (t) => {
  const { port } = await start(t, (base) => join(base, 'repo'));
  for (const path of [
    '/..%252Fcanary/default',
    '/app/..%2F..',
    '/app/default/..(_)..',
    '/(_)etc-default.yml',
  ]) {
    const res = await rawRequest(port, 'GET', path);
    assert.equal(res.status, 400, path);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const problem = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(problem['title'], 'Invalid Request');
    assert.equal(problem['code'], 'CFG_ERR_INVALID_REQUEST');
    assert.ok(!res.body.includes('..'), 'the rejected value is not echoed');
  }
});

test('a {profile} placeholder location cannot be steered outside the repo (CVE-2026-22739)', async (t) => {
  const { port } = await start(t, (base) => `file:${join(base, 'repo', '{profile}')}`);
  for (const path of [
    '/application/..',
    '/application/..%2F..',
    '/application/%2e%2e',
    '/app/..%252F',
    '/app/dev,..',
  ]) {
    const res = await rawRequest(port, 'GET', path);
    assertNoLeak(path, res);
    assert.ok(res.status === 400 || res.status === 404, `${path} gave ${res.status}`);
  }
  const ok = await rawRequest(port, 'GET', '/application/dev');
  assert.equal(ok.status, 200);
  assert.ok(ok.body.includes('profile-folder'));
});

test('symlinks inside the repo that point outside it are never followed', async (t) => {
  const { port, base } = await start(t, (b) => join(b, 'repo'));
  const repo = join(base, 'repo');
  symlinkSync(join(base, 'canary.yml'), join(repo, 'linked.yml')); // file link out
  symlinkSync(base, join(repo, 'up')); // directory link out, used as a label
  symlinkSync('..', join(repo, 'rel')); // relative directory link out
  mkdirSync(join(repo, 'org'));
  symlinkSync(join(base, 'canary.yml'), join(repo, 'org', 'canary.yml'));
  writeFileSync(join(repo, 'ok.yml'), 'fine: yes\n');
  for (const path of [
    '/linked/default',
    '/linked-default.yml',
    '/app/default/up',
    '/app/default/rel',
    '/canary/default/up',
    '/canary/default/rel',
    '/up/app-default.yml',
    '/rel/canary-default.properties',
    '/org(_)canary/default',
    '/up(_)canary/default',
    '/rel(_)canary-default.json',
  ]) {
    const res = await rawRequest(port, 'GET', path);
    assertNoLeak(path, res);
  }
  const ok = await rawRequest(port, 'GET', '/ok/default');
  assert.ok(ok.body.includes('"fine":"yes"') || ok.body.includes('"fine":true'));
});

test('crypto endpoints reject traversal in name and profiles', async (t) => {
  const { port } = await start(t, (base) => join(base, 'repo'));
  for (const path of [
    '/encrypt/..%2F..%2Fcanary/default',
    '/decrypt/app/..%252F',
    '/encrypt/(_)etc/default',
  ]) {
    const res = await rawRequest(port, 'POST', path, {
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 400, path);
  }
});
