import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import { createConfigServer } from './server.js';
import { tempDir } from '@stratus/testing';

const BASIC = `Basic ${Buffer.from('config:pw-123').toString('base64')}`;

async function start(t: TestContext, extra: string[]): Promise<string> {
  const repo = tempDir(t, 'stratus-cfg-sec-');
  writeFileSync(join(repo, 'application.yml'), 'greeting: hello\n');
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      '--eureka.client.enabled=false',
      '--encrypt.key=k',
      ...extra,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  return `http://127.0.0.1:${app.port}`;
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain', ...headers } });

test('/encrypt and /decrypt need the credentials once a password is configured; config stays open', async (t) => {
  const base = await start(t, [
    '--spring.security.user.name=config',
    '--spring.security.user.password=pw-123',
  ]);
  const denied = await post(`${base}/encrypt`, 'secret');
  assert.equal(denied.status, 401);
  assert.match(denied.headers.get('www-authenticate') ?? '', /^Basic/);
  assert.equal((await post(`${base}/decrypt`, 'abcd')).status, 401);
  assert.equal((await post(`${base}/encrypt/app/dev`, 'x')).status, 401);
  const cipher = await post(`${base}/encrypt`, 'secret', { authorization: BASIC });
  assert.equal(cipher.status, 200);
  const plain = await post(`${base}/decrypt`, await cipher.text(), { authorization: BASIC });
  assert.equal(await plain.text(), 'secret');
  assert.equal(
    (await fetch(`${base}/app/default`)).status,
    200,
    'configuration is open unless asked',
  );
  assert.equal((await fetch(`${base}/encrypt/status`)).status, 200);
});

test('with security enabled every configuration endpoint needs the credentials', async (t) => {
  const base = await start(t, [
    '--spring.security.user.name=config',
    '--spring.security.user.password=pw-123',
    '--stratus.config-server.security.enabled=true',
  ]);
  assert.equal((await fetch(`${base}/app/default`)).status, 401);
  assert.equal((await fetch(`${base}/app-default.yml`)).status, 401);
  const wrong = await fetch(`${base}/app/default`, {
    headers: { authorization: `Basic ${Buffer.from('config:nope').toString('base64')}` },
  });
  assert.equal(wrong.status, 401);
  const ok = await fetch(`${base}/app/default`, { headers: { authorization: BASIC } });
  assert.equal(ok.status, 200);
  assert.equal(
    ((await ok.json()) as { propertySources: Array<{ source: Record<string, unknown> }> })
      .propertySources[0]?.source.greeting,
    'hello',
  );
  assert.equal((await fetch(`${base}/actuator/health`)).status, 200, 'health stays open');
});

test('without a configured password /encrypt stays open, as in Spring without Spring Security', async (t) => {
  const base = await start(t, []);
  assert.equal((await post(`${base}/encrypt`, 'secret')).status, 200);
});

test('with security enabled the actuator keeps the fleet-wide rule: prometheus open, env behind the credentials', async (t) => {
  // Regression: the config server's Basic guard answered 401 on /actuator/prometheus while every
  // other Stratus process served it, so Prometheus saw this target down.
  const shipped = await start(t, [
    '--spring.security.user.name=config',
    '--spring.security.user.password=pw-123',
    '--stratus.config-server.security.enabled=true',
  ]);
  const scrape = await fetch(`${shipped}/actuator/prometheus`);
  assert.equal(scrape.status, 200, 'the shipped configuration exposes prometheus, open');
  assert.match(await scrape.text(), /http_server_requests_seconds|process_/);
  assert.equal((await fetch(`${shipped}/actuator/info`)).status, 200);
  const links = (await (await fetch(`${shipped}/actuator`)).json()) as { _links: object };
  assert.deepEqual(Object.keys(links._links).sort(), [
    'health',
    'health-path',
    'info',
    'metrics',
    'metrics-requiredMetricName',
    'prometheus',
    'self',
  ]);
  assert.equal(
    (await fetch(`${shipped}/app/default`)).status,
    401,
    'configuration stays protected',
  );

  const everything = await start(t, [
    '--spring.security.user.name=config',
    '--spring.security.user.password=pw-123',
    '--stratus.config-server.security.enabled=true',
    '--management.endpoints.web.exposure.include=*',
    '--management.endpoints.web.base-path=/manage',
  ]);
  assert.equal((await fetch(`${everything}/manage/prometheus`)).status, 200);
  const env = await fetch(`${everything}/manage/env`);
  assert.equal(env.status, 401);
  assert.match(env.headers.get('www-authenticate') ?? '', /realm="actuator"/);
  assert.equal(
    (await fetch(`${everything}/manage/env`, { headers: { authorization: BASIC } })).status,
    200,
  );
  assert.equal(
    (await fetch(`${everything}/manage`)).status,
    200,
    'the discovery page follows the base path',
  );
});
