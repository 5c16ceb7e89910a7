import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock, createSilentLogger } from '@stratus/core';
import { instanceJson } from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry } from './registry.js';
import { createReadOnlyResponseCache } from './internal/response-cache.js';
import { createRegistryServer } from './server.js';

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
  // What reached fastify's routes (a read served before fastify never shows here).
  const routed: string[] = [];
  app.server.addHook('onRequest', (request, _reply, done) => {
    routed.push(request.url);
    done();
  });
  await app.start();
  t.after(() => app.close());
  return { app, base: `http://127.0.0.1:${app.port}`, routed };
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

test('plain /apps and /apps/delta reads skip fastify but answer the same bytes and headers as its route, and are timed', async (t) => {
  const { base, routed: routedUrls } = await start(t, [
    '--management.tracing.sampling.probability=1.0',
  ]);
  for (let i = 0; i < 3; i += 1) {
    const registered = await fetch(`${base}/eureka/apps/MYAPP`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        instance: instanceJson(
          sampleInstance({ instanceId: `host-${i}:myapp:8080`, hostName: `host-${i}` }),
        ),
      }),
    });
    assert.equal(registered.status, 204);
  }
  const read = async (url: string, headers: Record<string, string>) => {
    const response = await fetch(url, { headers });
    const body = Buffer.from(await response.arrayBuffer());
    const kept = ['content-type', 'content-length', 'content-encoding', 'etag', 'vary'];
    return {
      status: response.status,
      headers: Object.fromEntries(kept.map((name) => [name, response.headers.get(name)])),
      hasRequestId: response.headers.get('x-request-id') !== null,
      body: body.toString('base64'),
    };
  };
  for (const path of [
    '/eureka/apps',
    '/eureka/apps/',
    '/eureka/apps/delta',
    '/eureka/v2/apps/delta/',
  ]) {
    const variants: Array<Record<string, string>> = [
      { accept: 'application/json' },
      { accept: 'application/xml' },
      { accept: 'application/json', 'accept-encoding': 'gzip' },
    ];
    for (const headers of variants) {
      // A query string leaves the request to fastify's route, which ignores it.
      const routed = await read(`${base}${path}?routed=1`, headers);
      const fast = await read(`${base}${path}`, headers);
      assert.equal(fast.status, 200);
      assert.deepEqual(fast, routed, `${path} ${JSON.stringify(headers)}`);
      const revalidated = await fetch(`${base}${path}`, {
        headers: { ...headers, 'if-none-match': fast.headers.etag! },
      });
      assert.equal(revalidated.status, 304, `${path} If-None-Match`);
    }
  }
  const scraped = await (await fetch(`${base}/actuator/prometheus`)).text();
  assert.ok(routedUrls.every((url) => !/^\/eureka\/(v2\/)?apps(\/delta)?\/?$/.test(url)));
  assert.equal(routedUrls.filter((url) => url.endsWith('?routed=1')).length, 12);
  // Summed over the status tags (200 and 304).
  const count = (uri: string) =>
    [...scraped.matchAll(/^http_server_requests_seconds_count\{(.*)\} (\d+)$/gm)]
      .filter((m) => m[1]!.includes(`uri="${uri}"`))
      .reduce((sum, m) => sum + Number(m[2]), 0);
  // Per format: a fast read, a routed one and a fast 304.
  assert.equal(count('/eureka/apps/delta'), 9);
  assert.equal(count('/eureka/v2/apps/delta/'), 9);
});

test('plain heartbeats skip fastify but answer as its route does: 200 empty, 404, 409 with the stored instance, and are timed', async (t) => {
  const { base, routed: routedUrls } = await start(t, []);
  const registered = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ instance: instanceJson(sampleInstance()) }),
  });
  assert.equal(registered.status, 204);
  const id = 'host:myapp:8080';
  const put = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { method: 'PUT', headers });
    const kept = ['content-type', 'content-length'];
    return {
      status: response.status,
      headers: Object.fromEntries(kept.map((name) => [name, response.headers.get(name)])),
      hasRequestId: response.headers.get('x-request-id') !== null,
      body: await response.text(),
    };
  };
  const cases: Array<[string, Record<string, string>]> = [
    [`/eureka/apps/MYAPP/${encodeURIComponent(id)}?status=UP&lastDirtyTimestamp=1`, {}],
    [`/eureka/v2/apps/MYAPP/${encodeURIComponent(id)}/?status=UP`, {}],
    ['/eureka/apps/MYAPP/nobody:myapp:1?status=UP&lastDirtyTimestamp=1', {}],
    // A heartbeat newer than what the registry holds: 409 with the stored instance.
    [
      `/eureka/apps/MYAPP/${encodeURIComponent(id)}?status=UP&lastDirtyTimestamp=99999999999999`,
      { accept: 'application/json' },
    ],
    [
      `/eureka/apps/MYAPP/${encodeURIComponent(id)}?status=UP&lastDirtyTimestamp=99999999999999`,
      {},
    ],
  ];
  for (const [path, headers] of cases) {
    // An extra query key leaves the heartbeat to fastify's route, which ignores it.
    const routed = await put(`${path}${path.includes('?') ? '&' : '?'}routed=1`, headers);
    const fast = await put(path, headers);
    assert.deepEqual(fast, routed, path);
  }
  assert.ok(
    routedUrls
      .filter((url) => url.startsWith('/eureka/') && url.includes('status=UP'))
      .every((url) => url.includes('routed=1')),
    'every plain heartbeat was served before fastify',
  );
  // What the route refuses still reaches it: 400s, not 200s.
  assert.equal((await put(`/eureka/apps/MYAPP/${encodeURIComponent(id)}?status=NOPE`)).status, 400);
  assert.equal(
    (await put(`/eureka/apps/MYAPP/${encodeURIComponent(id)}?lastDirtyTimestamp=x`)).status,
    400,
  );
  const scraped = await (await fetch(`${base}/actuator/prometheus`)).text();
  const renewals = [...scraped.matchAll(/^http_server_requests_seconds_count\{(.*)\} (\d+)$/gm)]
    .filter(
      (m) => m[1]!.includes('method="PUT"') && m[1]!.includes('uri="/eureka/apps/{app}/{id}"'),
    )
    .reduce((sum, m) => sum + Number(m[2]), 0);
  // Eight plain heartbeats on that template (four fast, four routed) and the two 400s.
  assert.equal(renewals, 10);
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

test('the read-only cache serves its snapshots until they are update-interval old, then takes new ones', async () => {
  const clock = createManualClock(1_700_000_000_000);
  const registry = createEurekaRegistry({ evictionIntervalMs: 0, clock });
  const cache = createReadOnlyResponseCache(registry, { updateIntervalMs: 30_000, clock });
  registry.register(sampleInstance());
  clock.advance(29_999);
  assert.equal(cache.getApplications().applications.length, 0);
  assert.equal(cache.getDelta().applications.length, 0);
  clock.advance(1);
  assert.equal(cache.getApplications().applications.length, 1, 'never later than the interval');
  assert.equal(cache.getDelta().applications.length, 1);
  assert.equal(cache.getApplications(), registry.getApplications(), 'the registry’s own object');
  registry.cancel('MYAPP', 'host:myapp:8080');
  cache.refresh();
  assert.equal(cache.getApplications().applications.length, 0, 'refresh() takes them now');
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

test('a standalone server answers fetches at once by default, as Spring standalone does', async (t) => {
  const { base } = await start(t, []);
  const response = await fetch(`${base}/eureka/apps`);
  assert.equal(response.status, 200);
  await response.text();
});

test('with default-open-for-traffic-count 0 an empty start refuses fetches for the wait, then serves them', async (t) => {
  const { app, base } = await start(t, [
    '--eureka.instance.registry.default-open-for-traffic-count=0',
    '--eureka.server.wait-time-in-ms-when-sync-empty=1500',
  ]);
  const refused = await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } });
  assert.equal(refused.status, 403);
  await refused.text();
  const health = (await (await fetch(`${base}/actuator/health`)).json()) as { status: string };
  assert.equal(health.status, 'UP', 'the registry is healthy while it waits');
  const deadline = Date.now() + 15_000;
  while (!app.registry.shouldAllowAccess() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const served = await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } });
  assert.equal(served.status, 200);
  await served.text();
});

test('a mistyped registry setting fails the start with REG_ERR_INVALID_CONFIG naming the key and its source', async () => {
  await assert.rejects(
    createRegistryServer({
      argv: [
        '--server.port=0',
        '--spring.config.import=',
        '--stratus.registry.replication.max-batch-sise=5',
        '--eureka.server.eviction-interval-timer-in-ms=often',
      ],
      env: {},
      logger: createSilentLogger(),
    }),
    (error: Error & { code?: string; details?: { problems?: string[] } }) => {
      const problems = error.details?.problems ?? [];
      return (
        error.code === 'REG_ERR_INVALID_CONFIG' &&
        problems.some((p) =>
          p.startsWith('stratus.registry.replication.max-batch-sise (commandLineArgs)'),
        ) &&
        problems.some((p) => p.startsWith('eureka.server.eviction-interval-timer-in-ms'))
      );
    },
  );
});
