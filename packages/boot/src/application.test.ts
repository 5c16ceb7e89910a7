import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@stratus/core';
import { createApplication, type Application } from './index.js';

const ADMIN = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;

async function startApp(
  t: TestContext,
  yaml = '',
  extraArgs: string[] = [],
): Promise<{ app: Application; base: string; dir: string; logs: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-boot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'application.yml'),
    `spring:\n  security:\n    user:\n      name: admin\n      password: s3cret-pw\n${yaml}`,
  );
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const app = await createApplication({
    name: 'demo-service',
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--stratus.data-dir=${dir}/data`,
      '--management.endpoints.web.exposure.include=*',
      ...extraArgs,
    ],
    env: {},
    logger: createLogger({ name: 'demo', level: 'debug', destination }),
  });
  t.after(() => app.close());
  return { app, base: '', dir, logs };
}

async function listen(app: Application): Promise<string> {
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

test('health, info and prometheus are open; env, metrics and refresh need the management credentials', async (t) => {
  const { app } = await startApp(t);
  const base = await listen(app);
  assert.equal((await fetch(`${base}/actuator/health`)).status, 200);
  assert.equal((await fetch(`${base}/actuator/info`)).status, 200);
  assert.equal((await fetch(`${base}/actuator/prometheus`)).status, 200);
  for (const path of ['/actuator/env', '/actuator/metrics']) {
    const denied = await fetch(`${base}${path}`);
    assert.equal(denied.status, 401, path);
    assert.equal(denied.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.match(denied.headers.get('www-authenticate') ?? '', /^Basic/);
    const wrong = await fetch(`${base}${path}`, {
      headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` },
    });
    assert.equal(wrong.status, 401);
    assert.equal(
      (await fetch(`${base}${path}`, { headers: { authorization: ADMIN } })).status,
      200,
      path,
    );
  }
  assert.equal((await fetch(`${base}/actuator/refresh`, { method: 'POST' })).status, 401);
});

test('health aggregates components, shows them only to the authorised, and maps DOWN to 503', async (t) => {
  const { app } = await startApp(t);
  let dbUp = true;
  app.health.register('db', () => ({ status: dbUp ? 'UP' : 'DOWN' }));
  const base = await listen(app);
  const anonymous = (await (await fetch(`${base}/actuator/health`)).json()) as Record<
    string,
    unknown
  >;
  assert.deepEqual(anonymous, { status: 'UP', groups: ['liveness', 'readiness'] });
  const detailed = (await (
    await fetch(`${base}/actuator/health`, { headers: { authorization: ADMIN } })
  ).json()) as { components: Record<string, { status: string }> };
  assert.equal(detailed.components.db?.status, 'UP');
  assert.equal(detailed.components.diskSpace?.status, 'UP');
  dbUp = false;
  assert.equal((await fetch(`${base}/actuator/health`)).status, 503);
  assert.equal((await fetch(`${base}/actuator/health/db`)).status, 503);
  assert.equal((await fetch(`${base}/actuator/health/liveness`)).status, 200);
  assert.equal((await fetch(`${base}/actuator/health/nothing`)).status, 404);
});

test('refresh re-reads application.yml, returns the changed keys and notifies subscribers', async (t) => {
  const { app, dir } = await startApp(t, 'greeting: hello\ntimeout: 5\n');
  const seen: string[][] = [];
  app.config.onChange((changed) => {
    seen.push(changed);
  });
  const base = await listen(app);
  await writeFile(
    join(dir, 'application.yml'),
    'spring.security.user.name: admin\nspring.security.user.password: s3cret-pw\ngreeting: bonjour\ntimeout: 5\n',
  );
  const response = await fetch(`${base}/actuator/refresh`, {
    method: 'POST',
    headers: { authorization: ADMIN },
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), ['greeting']);
  assert.equal(app.config.get('greeting'), 'bonjour');
  assert.deepEqual(seen, [['greeting']]);
});

test('a refresh that fails validation is rejected and the old configuration stays', async (t) => {
  const { app, dir } = await startApp(t, 'timeout: 5\n');
  app.config.addValidator((candidate) =>
    Number(candidate.get('timeout')) > 0 ? [] : ['timeout: must be positive'],
  );
  const base = await listen(app);
  await writeFile(
    join(dir, 'application.yml'),
    'spring.security.user.name: admin\nspring.security.user.password: s3cret-pw\ntimeout: -1\n',
  );
  const response = await fetch(`${base}/actuator/refresh`, {
    method: 'POST',
    headers: { authorization: ADMIN },
  });
  assert.equal(response.status, 400);
  const problem = (await response.json()) as { code: string; problems: string[] };
  assert.equal(problem.code, 'BOOT_ERR_REFRESH_REJECTED');
  assert.deepEqual(problem.problems, ['timeout: must be positive']);
  assert.equal(app.config.get('timeout'), 5);
});

test('env masks values and never shows the password', async (t) => {
  const { app } = await startApp(t);
  const base = await listen(app);
  const text = await (
    await fetch(`${base}/actuator/env`, { headers: { authorization: ADMIN } })
  ).text();
  assert.doesNotMatch(text, /s3cret-pw/);
  assert.match(text, /\*\*\*\*\*\*/);
});

test('bad requests become problem+json: malformed JSON 400, oversized body 413, unknown route 404', async (t) => {
  const { app } = await startApp(t, '', ['--server.max-http-request-body-bytes=1024']);
  app.server.post('/echo', async (request) => request.body);
  const base = await listen(app);
  const malformed = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"a":',
  });
  assert.equal(malformed.status, 400);
  const problem = (await malformed.json()) as { code: string; detail: string };
  assert.equal(problem.code, 'BOOT_ERR_BAD_REQUEST');
  assert.doesNotMatch(problem.detail, /at |\.js/);
  const big = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ x: 'y'.repeat(4096) }),
  });
  assert.equal(big.status, 413);
  const poisoned = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"__proto__":{"x":1}}',
  });
  assert.equal(poisoned.status, 400);
  const missing = await fetch(`${base}/nowhere`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});

test('http.server.requests is tagged with the route template', async (t) => {
  const { app } = await startApp(t);
  app.server.get('/users/:userId', async () => ({ ok: true }));
  const base = await listen(app);
  await (await fetch(`${base}/users/42`)).text();
  const text = await (
    await fetch(`${base}/actuator/prometheus`, { headers: { authorization: ADMIN } })
  ).text();
  assert.match(text, /http_server_requests_seconds_count\{[^}]*uri="\/users\/\{userId\}"/);
  assert.doesNotMatch(text, /uri="\/users\/42"/);
});

test('close drains an in-flight request, refuses new ones and reports not ready', async (t) => {
  const { app } = await startApp(t);
  let release: () => void = () => {};
  app.server.get('/slow', async () => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { done: true };
  });
  const base = await listen(app);
  const inFlight = fetch(`${base}/slow`);
  await new Promise((r) => setTimeout(r, 50));
  const closing = app.close();
  assert.equal(app.health.readiness().status, 'OUT_OF_SERVICE');
  release();
  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { done: true });
  await closing;
  await assert.rejects(fetch(`${base}/actuator/health`));
});
