import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import { createEurekaRegistry } from './registry.js';
import { createReadOnlyResponseCache } from './response-cache.js';
import { createRegistryServer } from './server.js';
import { sampleInstance } from './internal/fixtures.js';
import { instanceJson } from './wire/json.js';

async function start(t: TestContext, flags: string[]) {
  const app = await createRegistryServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      `--stratus.data-dir=${join(tmpdir(), 'stratus-registry-test-data')}`,
      ...flags,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  await app.start();
  t.after(() => app.close());
  return { app, base: `http://127.0.0.1:${app.port}` };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const batchBody = JSON.stringify({
  replicationList: [
    {
      appName: 'MYAPP',
      id: 'host:myapp:8080',
      action: 'Register',
      instanceInfo: instanceJson(sampleInstance()),
    },
  ],
});

const SECURE = [
  '--stratus.registry.security.enabled=true',
  '--spring.security.user.name=client',
  '--spring.security.user.password=client-pw',
  '--eureka.client.service-url.defaultZone=http://peer:peer-pw@127.0.0.1:1/eureka/',
  '--stratus.registry.replication.startup-sync=false',
];

test('with security on, /eureka and the dashboard need credentials (401 with a Basic challenge)', async (t) => {
  const { base } = await start(t, SECURE);
  const anonymous = await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } });
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="eureka"/);
  const wrong = await fetch(`${base}/eureka/apps`, {
    headers: { authorization: basic('client', 'nope') },
  });
  assert.equal(wrong.status, 401);
  assert.equal((await fetch(`${base}/`)).status, 401);
  const ok = await fetch(`${base}/eureka/apps`, {
    headers: { accept: 'application/json', authorization: basic('client', 'client-pw') },
  });
  assert.equal(ok.status, 200);
  assert.equal(
    (await fetch(`${base}/`, { headers: { authorization: basic('client', 'client-pw') } })).status,
    200,
  );
});

test('with security on, only a peer credential may send the replication header or a batch (else 403)', async (t) => {
  const { base } = await start(t, SECURE);
  const client = {
    authorization: basic('client', 'client-pw'),
    'content-type': 'application/json',
  };
  const register = JSON.stringify({ instance: instanceJson(sampleInstance()) });
  const forged = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { ...client, 'x-netflix-discovery-replication': 'true' },
    body: register,
  });
  assert.equal(forged.status, 403);
  const batch = await fetch(`${base}/eureka/peerreplication/batch/`, {
    method: 'POST',
    headers: client,
    body: batchBody,
  });
  assert.equal(batch.status, 403);
  const peer = await fetch(`${base}/eureka/peerreplication/batch/`, {
    method: 'POST',
    headers: {
      ...client,
      authorization: basic('peer', 'peer-pw'),
      'x-netflix-discovery-replication': 'true',
    },
    body: batchBody,
  });
  assert.equal(peer.status, 200);
  assert.deepEqual(await peer.json(), { responseList: [{ statusCode: 200 }] });
  const plain = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: client,
    body: register,
  });
  assert.equal(plain.status, 204);
});

function postFrom(localAddress: string, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

test('with security off, replication is accepted only from a peer address (403 otherwise)', async (t) => {
  const { base } = await start(t, [
    '--eureka.client.service-url.defaultZone=http://127.0.0.2:1/eureka/',
    '--stratus.registry.replication.startup-sync=false',
  ]);
  const url = `${base}/eureka/peerreplication/batch/`;
  assert.equal(await postFrom('127.0.0.1', url, batchBody), 403);
  assert.equal(await postFrom('127.0.0.2', url, batchBody), 200);
  const forged = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, {
    method: 'DELETE',
    headers: { 'x-netflix-discovery-replication': 'true' },
  });
  assert.equal(forged.status, 403);
  const oversized = await postFrom(
    '127.0.0.2',
    url,
    JSON.stringify({ replicationList: [], pad: 'x'.repeat(9 << 20) }),
  );
  assert.equal(oversized, 413);
});

test('the read-only response cache serves /apps from a snapshot until it refreshes', async (t) => {
  const { base, app } = await start(t, [
    '--eureka.server.use-read-only-response-cache=true',
    '--eureka.server.response-cache-update-interval-ms=600000',
  ]);
  const register = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instance: instanceJson(sampleInstance()) }),
  });
  assert.equal(register.status, 204);
  const apps = await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } });
  assert.deepEqual(
    ((await apps.json()) as { applications: { application: unknown[] } }).applications.application,
    [],
  );
  assert.notEqual(app.registry.getInstance('MYAPP', 'host:myapp:8080'), null);
  const dashboard = await (await fetch(`${base}/`)).text();
  assert.match(dashboard, /Read-only response cache<\/th><td>true/);
  assert.match(dashboard, /No peers \(standalone\)/);
});

test('the read-only cache refresh() takes new snapshots of the registry and the delta', async () => {
  const registry = createEurekaRegistry({ evictionIntervalMs: 0 });
  const cache = createReadOnlyResponseCache(registry, { updateIntervalMs: 600_000 });
  registry.register(sampleInstance());
  assert.equal(cache.getApplications().applications.length, 0);
  assert.equal(cache.getDelta().applications.length, 0);
  cache.refresh();
  assert.equal(cache.getApplications().applications.length, 1);
  assert.equal(cache.getDelta().applications.length, 1);
  await cache.close();
  await cache.close();
  await registry.close();
});

test('the dashboard lists the replicas and whether replication to them works', async (t) => {
  const { base } = await start(t, [
    '--eureka.client.service-url.defaultZone=http://user:secret@127.0.0.1:1/eureka/',
    '--eureka.server.peer-node-read-timeout-ms=500',
  ]);
  const html = await (await fetch(`${base}/`)).text();
  assert.match(html, /DS Replicas/);
  assert.match(html, /http:\/\/127\.0\.0\.1:1\/eureka\//);
  assert.match(html, /<b>FAILING<\/b>/);
  assert.doesNotMatch(html, /secret/);
  assert.match(html, /Renews threshold/);
  assert.match(html, /Uptime/);
});

test('with per-service client credentials a client cannot change another client’s instance; an admin can', async (t) => {
  const { base } = await start(t, [
    ...SECURE,
    '--stratus.registry.security.clients.orders=orders-pw',
    '--stratus.registry.security.clients.users=users-pw',
  ]);
  const body = JSON.stringify({ instance: instanceJson(sampleInstance()) });
  const as = (user: string, password: string, method: string, path: string, payload?: string) =>
    fetch(`${base}/eureka${path}`, {
      method,
      headers: { authorization: basic(user, password), 'content-type': 'application/json' },
      body: payload,
    });
  assert.equal((await as('orders', 'orders-pw', 'POST', '/apps/MYAPP', body)).status, 204);
  const id = encodeURIComponent('host:myapp:8080');
  // another service may not renew, override, re-register over or cancel it
  assert.equal((await as('users', 'users-pw', 'PUT', `/apps/MYAPP/${id}`)).status, 403);
  assert.equal(
    (await as('users', 'users-pw', 'PUT', `/apps/MYAPP/${id}/status?value=OUT_OF_SERVICE`)).status,
    403,
  );
  assert.equal((await as('users', 'users-pw', 'POST', '/apps/MYAPP', body)).status, 403);
  assert.equal((await as('users', 'users-pw', 'DELETE', `/apps/MYAPP/${id}`)).status, 403);
  // its owner and the administrator may
  assert.equal((await as('orders', 'orders-pw', 'PUT', `/apps/MYAPP/${id}`)).status, 200);
  assert.equal(
    (await as('client', 'client-pw', 'PUT', `/apps/MYAPP/${id}/status?value=OUT_OF_SERVICE`))
      .status,
    200,
  );
  assert.equal((await as('orders', 'orders-pw', 'DELETE', `/apps/MYAPP/${id}`)).status, 200);
  // once cancelled, the id is free for whoever registers next
  assert.equal((await as('users', 'users-pw', 'POST', '/apps/MYAPP', body)).status, 204);
});
