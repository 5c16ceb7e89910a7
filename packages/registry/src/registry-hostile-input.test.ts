// The character rule of the XML reader applied to JSON bodies, path segments and query values,
// and Eureka's five statuses enforced on heartbeats as on overrides. Observed before: a
// heartbeat with `status=BOGUS` got 200 while an override with the same value got 400.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startEurekaApi } from './testing.js';
import { findTextProblem, isXmlText } from '@stratus/discovery';

async function start(t: TestContext) {
  const { base, registry, close } = await startEurekaApi();
  t.after(close);
  return { base, registry };
}

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

/** A register body as JSON text, with `raw` spliced into the hostName string unescaped. */
const jsonBody = (raw: string, where: 'hostName' | 'metadataKey' | 'metadataValue' = 'hostName') =>
  '{"instance":{"instanceId":"host:myapp:8080","app":"MYAPP","ipAddr":"10.0.0.5",' +
  `"hostName":"${where === 'hostName' ? raw : 'host'}",` +
  '"dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},' +
  `"metadata":{"${where === 'metadataKey' ? raw : 'k'}":"${where === 'metadataValue' ? raw : 'v'}"}}}`;

const register = (base: string, payload: string | Buffer) =>
  fetch(`${base}/eureka/apps/MYAPP`, { method: 'POST', headers: JSON_HEADERS, body: payload });

test('JSON bodies with lone surrogates, NUL or other non-XML characters get 400 and nothing is stored', async (t) => {
  const { base, registry } = await start(t);
  const escapes = [
    '\\ud800',
    '\\udfff',
    'a\\ud83db',
    '\\u0000',
    '\\u0001',
    '\\u001f',
    '\\ufffe',
    '\\uffff',
  ];
  for (const where of ['hostName', 'metadataKey', 'metadataValue'] as const) {
    for (const escape of escapes) {
      const response = await register(base, jsonBody(escape, where));
      assert.equal(response.status, 400, `${where} ${escape}`);
      assert.equal(await response.text(), 'Malformed request body');
    }
  }
  const rawBytes: Array<[string, number[]]> = [
    ['invalid byte', [0xff]],
    ['CESU-8 surrogate', [0xed, 0xa0, 0x80]],
    ['overlong NUL', [0xc0, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
  ];
  for (const [what, bytes] of rawBytes) {
    const [before, after] = jsonBody('HOST').split('HOST') as [string, string];
    const payload = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    const response = await register(base, payload);
    assert.equal(response.status, 400, what);
    await response.text();
  }
  const deep = `{"instance":{"metadata":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
  const tooDeep = await register(base, deep);
  assert.equal(tooDeep.status, 400);
  await tooDeep.text();
  assert.equal(registry.stats().registeredInstances, 0);

  // Positive control: an astral character written as a surrogate pair is one character.
  const ok = await register(base, jsonBody('h\\ud83d\\ude00'));
  assert.equal(ok.status, 204);
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.hostName, 'h\u{1F600}');
});

test('replication batches are held to the same character rule', async (t) => {
  const { base } = await start(t);
  const response = await fetch(`${base}/eureka/peerreplication/batch/`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: '{"replicationList":[{"appName":"MYAPP","id":"\\ud800","action":"Cancel"}]}',
  });
  assert.equal(response.status, 400);
  await response.text();
});

test('path segments and query values outside XML text get 400, bad percent-encoding too', async (t) => {
  const { base, registry } = await start(t);
  assert.equal((await register(base, jsonBody('host'))).status, 204);
  const cases: Array<[string, string]> = [
    ['POST', '/eureka/apps/MY%00APP'],
    ['PUT', '/eureka/apps/MYAPP/host%00'],
    ['DELETE', '/eureka/apps/MYAPP/host:myapp:8080%01'],
    ['GET', '/eureka/apps/MYAPP/%EF%BF%BE'],
    ['GET', '/eureka/instances/%ED%A0%80'],
    ['PUT', '/eureka/apps/MYAPP/%FF'],
    ['PUT', '/eureka/apps/MYAPP/%C0%AE'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080/metadata?k=%00'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080/metadata?%00=v'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080/metadata?k=%ED%A0%80'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080/metadata?k=%FF'],
    ['PUT', '/eureka/apps/MYAPP/host:myapp:8080?lastDirtyTimestamp=%00'],
  ];
  for (const [method, path] of cases) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: method === 'POST' ? JSON_HEADERS : {},
      ...(method === 'POST' ? { body: jsonBody('host') } : {}),
    });
    assert.equal(response.status, 400, `${method} ${path}`);
    await response.text();
  }
  const stored = registry.getInstance('MYAPP', 'host:myapp:8080');
  assert.deepEqual(stored?.metadata, { k: 'v' }, 'metadata unchanged');
  assert.equal(registry.stats().registeredInstances, 1);
});

test('heartbeats with an unknown status or overriddenstatus get 400, like overrides', async (t) => {
  const { base, registry } = await start(t);
  assert.equal((await register(base, jsonBody('host'))).status, 204);
  const instance = `${base}/eureka/apps/MYAPP/host:myapp:8080`;
  for (const query of [
    'status=BOGUS',
    'overriddenstatus=BOGUS',
    'status=up',
    'status=UP&overriddenstatus=%20',
  ]) {
    const heartbeat = await fetch(`${instance}?${query}`, { method: 'PUT' });
    assert.equal(heartbeat.status, 400, query);
    assert.equal(await heartbeat.text(), 'Invalid status value');
  }
  const override = await fetch(`${instance}/status?value=BOGUS`, { method: 'PUT' });
  assert.equal(override.status, 400);
  await override.text();
  for (const status of ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN']) {
    const heartbeat = await fetch(`${instance}?status=${status}`, { method: 'PUT' });
    assert.equal(heartbeat.status, 200, status);
    await heartbeat.text();
  }
  assert.equal(registry.getInstance('MYAPP', 'host:myapp:8080')?.status, 'UP');
});

test('an instance id with any XML character can be registered, fetched and deleted by id', async (t) => {
  const { base, registry } = await start(t);
  const id = 'h\u{1F600}:é:\uFFFD:1';
  const payload = jsonBody('host').replace('host:myapp:8080', id);
  assert.equal((await register(base, payload)).status, 204);
  const path = `${base}/eureka/apps/MYAPP/${encodeURIComponent(id)}`;
  const fetched = await fetch(path, { headers: { accept: 'application/json' } });
  assert.equal(fetched.status, 200);
  await fetched.text();
  assert.equal((await fetch(path, { method: 'DELETE' })).status, 200);
  assert.equal(registry.stats().registeredInstances, 0);
});

test('the character rule: XML 1.0 Char, lone surrogates caught, nesting bounded', () => {
  assert.equal(isXmlText('tab\tLF\nCR\r é \u{1F600} \uFFFD'), true);
  for (const bad of [
    '\u0000',
    '\u0008',
    '\u000B',
    '\u001F',
    '\uD800',
    'a\uDC00',
    '\uFFFE',
    '\uFFFF',
  ])
    assert.equal(isXmlText(bad), false, JSON.stringify(bad));
  assert.equal(findTextProblem({ a: ['x', { b: 'y' }] }), null);
  assert.equal(findTextProblem({ ['\u0000']: 'x' }), 'characters');
  assert.equal(findTextProblem([[[['\uD800']]]]), 'characters');
  assert.equal(findTextProblem(JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown), 'depth');
});
