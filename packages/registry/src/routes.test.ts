import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { createManualClock } from '@stratus/core';
import { startEurekaApi } from './testing.js';

async function start(t: TestContext) {
  const clock = createManualClock(1_700_000_000_000);
  const { base, registry, close } = await startEurekaApi({ clock });
  t.after(close);
  return { base, registry, clock };
}

const body = (overrides: Record<string, unknown> = {}) => ({
  instance: {
    instanceId: 'host:myapp:8080',
    app: 'MYAPP',
    ipAddr: '10.0.0.5',
    hostName: 'host',
    status: 'UP',
    overriddenStatus: 'UNKNOWN',
    vipAddress: 'myapp',
    secureVipAddress: 'myapp',
    dataCenterInfo: {
      '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
      name: 'MyOwn',
    },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
    port: { $: 8080, '@enabled': 'true' },
    securePort: { $: 443, '@enabled': 'false' },
    lastDirtyTimestamp: 1_700_000_000_000,
    metadata: {},
    ...overrides,
  },
});

const json = { accept: 'application/json', 'content-type': 'application/json' };

async function register(base: string, payload: unknown = body(), path = '/eureka/apps/MYAPP') {
  return fetch(`${base}${path}`, { method: 'POST', headers: json, body: JSON.stringify(payload) });
}

test('register, fetch, renew and cancel answer 204, 200 JSON, 200 empty and 200', async (t) => {
  const { base } = await start(t);
  const created = await register(base);
  assert.equal(created.status, 204);
  assert.equal(await created.text(), '');

  const apps = await fetch(`${base}/eureka/apps/`, { headers: { accept: 'application/json' } });
  assert.equal(apps.status, 200);
  assert.match(apps.headers.get('content-type') ?? '', /^application\/json/);
  const registry = (await apps.json()) as {
    applications: { apps__hashcode: string; application: { instance: { status: string }[] }[] };
  };
  assert.equal(registry.applications.apps__hashcode, 'UP_1_');
  assert.equal(registry.applications.application[0]?.instance[0]?.status, 'UP');

  const renewed = await fetch(
    `${base}/eureka/apps/MYAPP/host:myapp:8080?status=UP&lastDirtyTimestamp=1700000000000`,
    {
      method: 'PUT',
      headers: json,
    },
  );
  assert.equal(renewed.status, 200);
  assert.equal(await renewed.text(), '');

  const cancelled = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, { method: 'DELETE' });
  assert.equal(cancelled.status, 200);
  const again = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, { method: 'DELETE' });
  assert.equal(again.status, 404);
  await again.text();
});

test('a heartbeat for an unknown lease, or with a newer lastDirtyTimestamp, answers 404', async (t) => {
  const { base } = await start(t);
  const unknown = await fetch(`${base}/eureka/apps/MYAPP/nobody`, { method: 'PUT' });
  assert.equal(unknown.status, 404);
  await unknown.text();
  await register(base);
  const newer = await fetch(
    `${base}/eureka/apps/MYAPP/host:myapp:8080?lastDirtyTimestamp=1700000000001`,
    { method: 'PUT' },
  );
  assert.equal(newer.status, 404);
  await newer.text();
});

test('/eureka/v2, trailing slashes, lower-case app paths and percent-encoded ids are all served', async (t) => {
  const { base } = await start(t);
  assert.equal((await register(base, body(), '/eureka/v2/apps/myapp/')).status, 204);
  for (const path of [
    '/eureka/v2/apps',
    '/eureka/apps',
    '/eureka/v2/apps/MYAPP/',
    '/eureka/apps/myapp/host%3Amyapp%3A8080',
  ]) {
    const response = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
    assert.equal(response.status, 200, path);
    await response.text();
  }
  const renewed = await fetch(`${base}/eureka/v2/apps/myapp/host:myapp:8080/`, { method: 'PUT' });
  assert.equal(renewed.status, 200);
  await renewed.text();
});

test('registry reads are XML unless Accept contains json', async (t) => {
  const { base } = await start(t);
  await register(base);
  for (const accept of [undefined, '*/*', 'application/xml']) {
    const response = await fetch(`${base}/eureka/apps`, {
      headers: accept === undefined ? {} : { accept },
    });
    assert.match(response.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(await response.text(), /^<applications><versions__delta>1<\/versions__delta>/);
  }
  const single = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`);
  assert.match(await single.text(), /^<instance><instanceId>host:myapp:8080<\/instanceId>/);
  const mixed = await fetch(`${base}/eureka/instances/host:myapp:8080`, {
    headers: { accept: 'text/html, application/json;q=0.5' },
  });
  assert.equal(((await mixed.json()) as { instance: { app: string } }).instance.app, 'MYAPP');
});

test('/apps and /apps/delta are gzipped when the client accepts gzip', async (t) => {
  const { base } = await start(t);
  await register(base);
  for (const path of ['/eureka/apps/', '/eureka/apps/delta']) {
    const raw = await new Promise<{ headers: Record<string, unknown>; data: Buffer }>(
      (resolve, reject) => {
        const req = httpRequest(
          `${base}${path}`,
          { headers: { accept: 'application/json', 'accept-encoding': 'gzip, deflate' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, data: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    assert.equal(raw.headers['content-encoding'], 'gzip');
    assert.match(String(raw.headers['content-type']), /^application\/json/);
    const decoded = JSON.parse(gunzipSync(raw.data).toString()) as {
      applications: { apps__hashcode: string };
    };
    assert.equal(decoded.applications.apps__hashcode, 'UP_1_');
  }
});

test('bad register bodies get 400 with Eureka plain-text messages', async (t) => {
  const { base } = await start(t);
  const cases: [unknown, string][] = [
    [body({ hostName: '' }), 'Missing hostname'],
    [body({ ipAddr: undefined }), 'Missing ip address'],
    [body({ app: 'OTHER' }), 'Mismatched appName, expecting MYAPP but was OTHER'],
    [body({ dataCenterInfo: undefined }), 'Missing dataCenterInfo'],
    [body({ lastDirtyTimestamp: 'abc' }), 'Invalid lastDirtyTimestamp'],
  ];
  for (const [payload, message] of cases) {
    const response = await register(base, payload);
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await response.text(), message);
  }
});

test('malformed JSON, __proto__ keys, empty bodies and unknown media types are refused', async (t) => {
  const { base } = await start(t);
  const post = (payload: string, contentType = 'application/json') =>
    fetch(`${base}/eureka/apps/MYAPP`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: payload,
    });
  for (const [payload, status, type] of [
    ['{"instance":', 400, undefined],
    ['{"__proto__":{"x":1}}', 400, undefined],
    ['', 400, undefined],
    ['instance=1', 415, 'application/x-www-form-urlencoded'],
  ] as const) {
    const response = await post(payload, type);
    assert.equal(response.status, status, payload);
    const text = await response.text();
    assert.doesNotMatch(text, /instance=1|__proto__/);
  }
});

test('a body over the limit gets 413', async (t) => {
  const { base } = await start(t);
  const huge = body({ metadata: { blob: 'x'.repeat(300 * 1024) } });
  const response = await register(base, huge);
  assert.equal(response.status, 413);
  assert.equal(await response.text(), 'Payload Too Large');
});

test('a non-numeric lastDirtyTimestamp on a heartbeat or status change gets 400', async (t) => {
  const { base } = await start(t);
  await register(base);
  for (const [method, path] of [
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080?lastDirtyTimestamp=abc'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080/status?value=UP&lastDirtyTimestamp=1e3'],
  ] as const) {
    const response = await fetch(`${base}${path}`, { method });
    assert.equal(response.status, 400, path);
    assert.equal(await response.text(), 'Invalid lastDirtyTimestamp');
  }
});

test('simple XML register bodies are accepted and XML with a DOCTYPE gets 400', async (t) => {
  const { base, registry } = await start(t);
  const xml =
    '<instance><instanceId>x:1</instanceId><hostName>x</hostName><app>MYAPP</app><ipAddr>1.2.3.4</ipAddr>' +
    '<port enabled="true">1</port><dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo></instance>';
  const ok = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: xml,
  });
  assert.equal(ok.status, 204);
  assert.equal(registry.getInstance('MYAPP', 'x:1')?.port.port, 1);
  const evil = await fetch(`${base}/eureka/apps/MYAPP`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: `<!DOCTYPE instance [<!ENTITY e SYSTEM "file:///etc/passwd">]>${xml}`,
  });
  assert.equal(evil.status, 400);
  await evil.text();
});

test('status overrides: PUT and DELETE /status, 404 for unknown instances, 400 for unknown values', async (t) => {
  const { base, registry } = await start(t);
  await register(base);
  const path = `${base}/eureka/apps/MYAPP/host:myapp:8080/status`;
  const put = await fetch(`${path}?value=OUT_OF_SERVICE`, { method: 'PUT' });
  assert.equal(put.status, 200);
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.status, 'OUT_OF_SERVICE');
  const overrides = await fetch(`${base}/eureka/serverinfo/statusoverrides`);
  assert.deepEqual(await overrides.json(), { 'host:myapp:8080': 'OUT_OF_SERVICE' });
  const bad = await fetch(`${path}?value=SLEEPING`, { method: 'PUT' });
  assert.equal(bad.status, 400);
  await bad.text();
  const missing = await fetch(`${base}/eureka/apps/MYAPP/nobody/status?value=UP`, {
    method: 'PUT',
  });
  assert.equal(missing.status, 404);
  await missing.text();
  const removed = await fetch(`${path}?value=UP`, { method: 'DELETE' });
  assert.equal(removed.status, 200);
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.status, 'UP');
  const meta = await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080/metadata?zone=a`, {
    method: 'PUT',
  });
  assert.equal(meta.status, 200);
  assert.deepEqual(registry.getInstance('MYAPP', 'host:myapp:8080')?.metadata, { zone: 'a' });
});

test('unknown apps and instances get 404 and VIP queries return matching instances only', async (t) => {
  const { base } = await start(t);
  await register(base);
  for (const path of ['/eureka/apps/NOPE', '/eureka/apps/MYAPP/nope', '/eureka/instances/nope']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 404, path);
    await response.text();
  }
  const vip = await fetch(`${base}/eureka/vips/myapp`, { headers: { accept: 'application/json' } });
  assert.equal(
    ((await vip.json()) as { applications: { application: unknown[] } }).applications.application
      .length,
    1,
  );
  const none = await fetch(`${base}/eureka/svips/other`, {
    headers: { accept: 'application/json' },
  });
  assert.deepEqual(
    ((await none.json()) as { applications: { application: unknown[] } }).applications.application,
    [],
  );
});

test('each application is rendered once per membership or status change, not per renewal, and the cache expires', async (t) => {
  const { base, clock } = await start(t);
  const fetchApps = async () =>
    (await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } })).text();
  assert.equal((await register(base)).status, 204);
  const first = await fetchApps();
  clock.advance(10_000);
  assert.equal(
    (await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8080`, { method: 'PUT' })).status,
    200,
  );
  assert.equal(
    await fetchApps(),
    first,
    'a renewal alone serves the cached rendering (Eureka read/write cache)',
  );

  await register(
    base,
    body({ instanceId: 'host:myapp:8081', port: { $: 8081, '@enabled': 'true' } }),
  );
  const second = await fetchApps();
  assert.match(second, /host:myapp:8081/, 'a registration is visible at once');

  const override = await fetch(
    `${base}/eureka/apps/MYAPP/host:myapp:8080/status?value=OUT_OF_SERVICE`,
    { method: 'PUT' },
  );
  assert.equal(override.status, 200);
  assert.match(await fetchApps(), /OUT_OF_SERVICE/, 'a status change is visible at once');
  assert.match(await fetchApps(), /"apps__hashcode":"OUT_OF_SERVICE_1_UP_1_"/);

  const cached = await fetchApps();
  clock.advance(181_000);
  await fetch(`${base}/eureka/apps/MYAPP/host:myapp:8081`, { method: 'PUT' });
  assert.notEqual(
    await fetchApps(),
    cached,
    'after the auto-expiration the registry is rendered again',
  );
});

test('a cached full registry is byte-identical to a fresh rendering after registrations, overrides and cancels', async (t) => {
  const { base, registry } = await start(t);
  const { applicationsToJson, applicationsToXml } = await import('@stratus/discovery');
  const ids = ['a:1', 'a:2', 'b:1', 'b:2', 'c:1'];
  for (const [i, id] of ids.entries()) {
    const app = id.startsWith('a') ? 'ALPHA' : id.startsWith('b') ? 'BETA' : 'GAMMA';
    await register(
      base,
      body({ instanceId: id, app, port: { $: 9000 + i, '@enabled': 'true' } }),
      `/eureka/apps/${app}`,
    );
    await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } }); // fill the cache as we go
  }
  await fetch(`${base}/eureka/apps/BETA/b:1/status?value=DOWN`, { method: 'PUT' });
  await fetch(`${base}/eureka/apps/ALPHA/a:2`, { method: 'DELETE' });
  const served = await (
    await fetch(`${base}/eureka/apps`, { headers: { accept: 'application/json' } })
  ).text();
  assert.equal(served, applicationsToJson(registry.getApplications()));
  const xml = await (await fetch(`${base}/eureka/apps`)).text();
  assert.equal(xml, applicationsToXml(registry.getApplications()));
});
