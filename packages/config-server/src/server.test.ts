import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync } from 'node:fs';
import { createSilentLogger } from '@stratus/core';
import { createConfigServer } from './server.js';
import { tempDir } from '@stratus/testing';
import { makeRepo } from './testing/git-repo.js';
import type { ConfigChangeEvent } from './monitor.js';

test('createConfigServer serves a git repository given by --spring.cloud.config.server.git.uri', async (t) => {
  const remote = await makeRepo(t);
  const first = await remote.commit({
    'application.yml': 'shared: yes\n',
    'orders-dev.yml': 'token.expiration_time: 100\n',
  });
  await remote.tag('v1');
  const dataDir = tempDir(t, 'stratus-cfg-data-');
  const changes: ConfigChangeEvent[] = [];
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      `--stratus.data-dir=${dataDir}`,
      `--spring.cloud.config.server.git.uri=${remote.dir}`,
      '--spring.cloud.config.server.git.refresh-rate=3600',
      '--eureka.client.enabled=false',
      '--management.endpoint.health.show-details=always',
    ],
    env: {},
    logger: createSilentLogger(),
    onChange: (event) => changes.push(event),
  });
  t.after(() => app.close());
  await app.start();
  const base = `http://127.0.0.1:${app.port}`;

  const env = (await (await fetch(`${base}/orders/dev`)).json()) as {
    version: string;
    label: string;
    propertySources: Array<{ name: string; source: Record<string, unknown> }>;
  };
  assert.equal(env.version, first);
  assert.equal(env.label, 'main');
  assert.deepEqual(
    env.propertySources.map((s) => s.name),
    [`${remote.dir}/orders-dev.yml`, `${remote.dir}/application.yml`],
  );

  const second = await remote.commit({ 'orders-dev.yml': 'token.expiration_time: 200\n' });
  const cached = (await (await fetch(`${base}/orders/dev`)).json()) as { version: string };
  assert.equal(cached.version, first, 'refresh-rate keeps the clone until it expires');

  const hook = await fetch(`${base}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
    body: JSON.stringify({ commits: [{ added: [], modified: ['orders-dev.yml'], removed: [] }] }),
  });
  assert.deepEqual(await hook.json(), ['orders:dev', 'orders-dev']);
  assert.equal(changes.length, 1);
  const fresh = await fetch(`${base}/orders-dev.properties`);
  assert.match(await fresh.text(), /^token\.expiration_time: 200$/m);
  const byLabel = (await (await fetch(`${base}/orders/dev/v1`)).json()) as { version: string };
  assert.equal(byLabel.version, first);
  const latest = (await (await fetch(`${base}/orders/dev`)).json()) as { version: string };
  assert.equal(latest.version, second);

  const unknown = await fetch(`${base}/orders/dev/no-such-branch`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await unknown.json()) as { code: string }).code, 'CFG_ERR_NO_SUCH_LABEL');

  const healthUp = (await (await fetch(`${base}/actuator/health`)).json()) as {
    components?: Record<string, { status: string }>;
  };
  assert.equal(healthUp.components?.['configServer']?.status, 'UP');

  // The remote breaks: the last good clone keeps serving and health reports DOWN.
  renameSync(remote.dir, `${remote.dir}-gone`);
  t.after(() => rmSync(`${remote.dir}-gone`, { recursive: true, force: true }));
  await fetch(`${base}/monitor`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'path=orders-dev.yml',
  });
  const stillServed = await fetch(`${base}/orders/dev`);
  assert.equal(stillServed.status, 200);
  assert.equal(((await stillServed.json()) as { version: string }).version, second);
  const health = await fetch(`${base}/actuator/health`);
  const body = (await health.json()) as {
    components?: Record<string, { status: string; details?: unknown }>;
  };
  assert.equal(body.components?.['configServer']?.status, 'DOWN');
});
