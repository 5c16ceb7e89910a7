import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempTree } from '@stratus/testing';
import {
  loadConfiguration,
  ConfigEnvironment,
  bindProperties,
  changedKeys,
  getList,
} from './index.js';

test('layers defaults, application.yml, profile files, environment and flags in Spring order', async (t) => {
  const dir = tempTree(t, {
    'application.yml':
      'server:\n  port: 8080\ngreeting: base\nlevel: base\nspring:\n  profiles:\n    active: dev\n---\nspring.config.activate.on-profile: dev\nlevel: dev-doc\n',
    'application-dev.yml': 'greeting: dev-file\n',
  });
  const { environment } = await loadConfiguration({
    baseDir: dir,
    defaults: { 'server.port': 1, fallback: 'default' },
    env: { EUREKA_CLIENT_SERVICEURL_DEFAULTZONE: 'http://env:8761/eureka', SERVER_PORT: '9000' },
    argv: ['--server.port=0', 'positional'],
  });
  assert.deepEqual(environment.activeProfiles, ['dev']);
  assert.equal(environment.get('server.port'), '0', 'flags beat environment variables');
  assert.equal(environment.get('greeting'), 'dev-file', 'profile file beats application.yml');
  assert.equal(environment.get('level'), 'dev-doc', 'on-profile document beats its base document');
  assert.equal(environment.get('fallback'), 'default');
  assert.equal(
    environment.get('eureka.client.service-url.defaultZone'),
    'http://env:8761/eureka',
    'relaxed env binding',
  );
});

test('resolves placeholders with defaults and keeps random values stable', () => {
  const env = new ConfigEnvironment([
    {
      name: 'a',
      properties: {
        'app.name': 'shop',
        'app.id': '${app.name}:${missing.key:fallback}',
        'app.rnd': '${random.value}',
        'app.raw': '/$\\{segment}',
      },
    },
  ]);
  assert.equal(env.get('app.id'), 'shop:fallback');
  const rnd = env.get('app.rnd');
  assert.match(String(rnd), /^[0-9a-f]{32}$/);
  assert.equal(env.get('app.rnd'), rnd);
  assert.equal(env.get('app.raw'), '/$\\{segment}', "Spring's $\\{ escape is left for the gateway");
  assert.equal(
    new ConfigEnvironment([{ name: 'x', properties: { a: '${b}' } }]).get('a'),
    '${b}',
    'unresolvable stays as is',
  );
});

test('lists are replaced whole by the highest source while maps merge', () => {
  const env = new ConfigEnvironment([
    { name: 'high', properties: { 'gw.routes[0].id': 'only', 'gw.timeout': 5 } },
    { name: 'low', properties: { 'gw.routes[0].id': 'a', 'gw.routes[1].id': 'b', 'gw.name': 'x' } },
  ]);
  assert.deepEqual(env.getObject('gw'), { routes: [{ id: 'only' }], timeout: 5, name: 'x' });
  assert.deepEqual(
    getList(new ConfigEnvironment([{ name: 'l', properties: { 'a[0]': 'x', 'a[1]': 'y' } }]), 'a'),
    ['x', 'y'],
  );
});

test('binding reports every problem at once', () => {
  const env = new ConfigEnvironment([
    { name: 'a', properties: { 'server.port': 'eighty', 'x.flag': 'maybe' } },
  ]);
  assert.throws(
    () =>
      bindProperties(env, {
        port: { key: 'server.port', type: 'number' },
        flag: { key: 'x.flag', type: 'boolean' },
        secret: { key: 'token.secret', type: 'string', required: true },
      }),
    (error: Error & { code?: string; details?: { problems: string[] } }) => {
      assert.equal(error.code, 'CFG_ERR_INVALID_CONFIG');
      assert.equal(error.details?.problems.length, 3);
      return true;
    },
  );
});

test('changedKeys lists added, removed and changed keys', () => {
  const before = new Map<string, unknown>([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
  const after = new Map<string, unknown>([
    ['a', 1],
    ['b', 20],
    ['d', 4],
  ]);
  assert.deepEqual(changedKeys(before, after), ['b', 'c', 'd']);
});

test('imports a config server above local files and below environment variables', async (t) => {
  const requests: Array<{ url?: string; accept?: string }> = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, accept: req.headers.accept });
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'user-service',
        profiles: ['default'],
        label: null,
        version: null,
        state: null,
        propertySources: [
          {
            name: 'file:/repo/user-service.yml',
            source: { 'token.expiration_time': { value: 1000, origin: 'x' } },
          },
          {
            name: 'file:/repo/application.yml',
            source: { 'token.secret': 's3cr3t', greeting: 'server' },
          },
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const dir = tempTree(t, {
    'application.yml': `spring:\n  application:\n    name: user-service\n  config:\n    import: optional:configserver:http://127.0.0.1:${port}\ngreeting: local\n`,
  });
  const { environment, configServer } = await loadConfiguration({
    baseDir: dir,
    env: { GREETING: 'env' },
  });
  assert.equal(configServer?.ok, true);
  assert.equal(requests[0]?.url, '/user-service/default');
  assert.equal(requests[0]?.accept, 'application/vnd.spring-cloud.config-server.v2+json');
  assert.equal(environment.get('token.expiration_time'), 1000, 'v2 {value, origin} is unwrapped');
  assert.equal(environment.get('token.secret'), 's3cr3t');
  assert.equal(environment.get('greeting'), 'env');
  assert.equal(
    new ConfigEnvironment(environment.sources.filter((s) => s.name !== 'systemEnvironment')).get(
      'greeting',
    ),
    'server',
  );
});

test('an optional config server that is down leaves local configuration; a required one fails', async (t) => {
  const dir = tempTree(t, {
    'application.yml': 'spring.config.import: optional:configserver:http://127.0.0.1:1\nx: 1\n',
  });
  const { environment, configServer } = await loadConfiguration({ baseDir: dir });
  assert.equal(configServer?.ok, false);
  assert.equal(environment.get('x'), 1);
  const strict = tempTree(t, {
    'application.yml':
      'spring.config.import: configserver:http://127.0.0.1:1\nspring.cloud.config.retry.max-attempts: 2\nspring.cloud.config.retry.initial-interval: 10\n',
  });
  await assert.rejects(loadConfiguration({ baseDir: strict }), {
    code: 'CFG_ERR_SERVER_UNAVAILABLE',
  });
});

test('a __proto__ key in configuration never pollutes Object.prototype', async () => {
  const { unflattenProperties } = await import('./index.js');
  const nested = unflattenProperties({
    '__proto__.polluted': 'yes',
    'a.constructor.prototype.x': 1,
    ok: 1,
  });
  assert.deepEqual(nested, { ok: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

interface Recorded {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A fake config server on 127.0.0.1:0; `answer` decides status and body per request. */
async function fakeConfigServer(
  t: TestContext,
  answer: (url: string) => { status: number; body?: unknown } | 'hang',
): Promise<{ uri: string; requests: Recorded[]; port: number }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const a = answer(req.url ?? '');
    if (a === 'hang') return;
    res.statusCode = a.status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(a.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  return { uri: `http://127.0.0.1:${port}`, requests, port };
}

function environmentBody(
  source: Record<string, unknown>,
  extra: { version?: string | null; state?: string | null } = {},
) {
  return {
    name: 'app',
    profiles: ['default'],
    label: null,
    version: extra.version ?? null,
    state: extra.state ?? null,
    propertySources: [{ name: 'file:/repo/app.yml', source }],
  };
}

test('sends Spring client settings: comma names, profile override, labels in turn, Basic auth, headers, X-Config-State', async (t) => {
  const fake = await fakeConfigServer(t, (url) =>
    url.endsWith('/feature(_)x')
      ? { status: 404 }
      : {
          status: 200,
          body: environmentBody({ greeting: 'hi' }, { version: 'abc123', state: 'st-1' }),
        },
  );
  const dir = tempTree(t, {
    'application.yml': [
      `spring.config.import: configserver:http://bob:s%40cret@127.0.0.1:${fake.port}`,
      'spring.profiles.active: local',
      'spring.cloud.config:',
      '  name: app,shared',
      '  profile: dev,mysql',
      '  label: feature/x,main',
      '  headers:',
      '    X-Tenant: blue',
      '',
    ].join('\n'),
  });
  const randomCache = new Map<string, string>();
  const first = await loadConfiguration({ baseDir: dir, randomCache });
  assert.deepEqual(
    fake.requests.map((r) => r.url),
    ['/app,shared/dev,mysql/feature(_)x', '/app,shared/dev,mysql/main'],
    'profile overrides the active profiles; a 404 label moves to the next',
  );
  const headers = fake.requests[1]!.headers;
  assert.equal(headers.authorization, `Basic ${Buffer.from('bob:s@cret').toString('base64')}`);
  assert.equal(headers['x-tenant'], 'blue');
  assert.equal(headers.accept, 'application/vnd.spring-cloud.config-server.v2+json');
  assert.equal(headers['x-config-state'], undefined);
  assert.equal(first.configServer?.label, 'main');
  assert.equal(first.configServer?.version, 'abc123');
  assert.equal(first.environment.get('config.client.version'), 'abc123');
  assert.equal(first.environment.get('config.client.state'), 'st-1');
  assert.equal(
    first.environment.sources.find((s) => s.name.startsWith('config'))?.name,
    'configClient',
    'configClient comes before the configserver: sources',
  );
  assert.equal(first.environment.get('greeting'), 'hi');

  await loadConfiguration({ baseDir: dir, randomCache });
  assert.equal(fake.requests.at(-1)!.headers['x-config-state'], 'st-1', 'echoes the last state');
});

test('explicit username and password win over URI userinfo; no password means no Authorization', async (t) => {
  const fake = await fakeConfigServer(t, () => ({ status: 200, body: environmentBody({}) }));
  const withCreds = tempTree(t, {
    'application.yml': `spring.config.import: configserver:http://u:p@127.0.0.1:${fake.port}\nspring.cloud.config.password: explicit\n`,
  });
  await loadConfiguration({ baseDir: withCreds });
  assert.equal(
    fake.requests[0]!.headers.authorization,
    `Basic ${Buffer.from('u:explicit').toString('base64')}`,
  );
  const anonymous = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${fake.uri}\n`,
  });
  await loadConfiguration({ baseDir: anonymous });
  assert.equal(fake.requests[1]!.headers.authorization, undefined);
});

test('multiple-uri-strategy ALWAYS tries the next URI on an HTTP error; CONNECTION_TIMEOUT_ONLY does not', async (t) => {
  const broken = await fakeConfigServer(t, () => ({ status: 500 }));
  const good = await fakeConfigServer(t, () => ({
    status: 200,
    body: environmentBody({ from: 'good' }),
  }));
  const uris = `${broken.uri},${good.uri}`;
  const always = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${uris}\n`,
  });
  const loaded = await loadConfiguration({ baseDir: always });
  assert.equal(loaded.environment.get('from'), 'good');
  assert.equal(loaded.configServer?.uri, `${good.uri}/`);

  const connectionOnly = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${uris}\nspring.cloud.config.multiple-uri-strategy: CONNECTION_TIMEOUT_ONLY\nspring.cloud.config.retry.enabled: false\n`,
  });
  await assert.rejects(loadConfiguration({ baseDir: connectionOnly }), {
    code: 'CFG_ERR_SERVER_UNAVAILABLE',
  });
  assert.equal(good.requests.length, 1, 'the 500 was final');

  const refusedFirst = tempTree(t, {
    'application.yml': `spring.config.import: configserver:http://127.0.0.1:1,${good.uri}\nspring.cloud.config.multiple-uri-strategy: CONNECTION_TIMEOUT_ONLY\n`,
  });
  assert.equal(
    (await loadConfiguration({ baseDir: refusedFirst })).environment.get('from'),
    'good',
    'a refused connection moves on under either strategy',
  );
});

test('request-read-timeout bounds a server that accepts but never answers', async (t) => {
  const silent = await fakeConfigServer(t, () => 'hang');
  const dir = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${silent.uri}\nspring.cloud.config.request-read-timeout: 150\nspring.cloud.config.retry.enabled: false\n`,
  });
  const started = Date.now();
  await assert.rejects(loadConfiguration({ baseDir: dir }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'CFG_ERR_SERVER_UNAVAILABLE');
    assert.match(error.message, /read timed out after 150 ms/);
    return true;
  });
  assert.ok(Date.now() - started < 5000);
});

test("fail-fast retries on Spring's schedule: 6 attempts, 1000 ms × 1.1, capped at 2000 ms", async (t) => {
  const dir = tempTree(t, {
    'application.yml':
      'spring.config.import: optional:configserver:http://127.0.0.1:1\nspring.cloud.config.fail-fast: true\n',
  });
  const waits: number[] = [];
  await assert.rejects(
    loadConfiguration({
      baseDir: dir,
      sleep: async (ms) => {
        waits.push(ms);
      },
    }),
    { code: 'CFG_ERR_SERVER_UNAVAILABLE' },
  );
  assert.deepEqual(
    waits.map((w) => Math.round(w * 10) / 10),
    [1000, 1100, 1210, 1331, 1464.1],
  );
  const capped = tempTree(t, {
    'application.yml':
      'spring.config.import: configserver:http://127.0.0.1:1\nspring.cloud.config.retry:\n  max-attempts: 4\n  initial-interval: 1500\n  multiplier: 2\n',
  });
  waits.length = 0;
  await assert.rejects(
    loadConfiguration({
      baseDir: capped,
      sleep: async (ms) => {
        waits.push(ms);
      },
    }),
  );
  assert.deepEqual(waits, [1500, 2000, 2000], 'non-optional imports retry too; max-interval caps');
});

test('a reload with the config server down keeps the last server configuration instead of failing', async (t) => {
  let up = true;
  const fake = await fakeConfigServer(t, () =>
    up
      ? { status: 200, body: environmentBody({ greeting: 'server' }, { version: 'v1' }) }
      : { status: 503 },
  );
  const dir = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${fake.uri}\ngreeting: local\n`,
  });
  const randomCache = new Map<string, string>();
  const waits: number[] = [];
  const sleep = async (ms: number) => {
    waits.push(ms);
  };
  const first = await loadConfiguration({ baseDir: dir, randomCache, sleep });
  assert.equal(first.environment.get('greeting'), 'server');
  up = false;
  const second = await loadConfiguration({ baseDir: dir, randomCache, sleep });
  assert.equal(second.environment.get('greeting'), 'server');
  assert.equal(second.environment.get('config.client.version'), 'v1');
  assert.equal(second.configServer?.ok, false);
  assert.equal(second.configServer?.stale, true);
  assert.deepEqual(waits, [], 'a reload does not retry; it answers at once');
  await assert.rejects(
    loadConfiguration({ baseDir: dir, sleep }),
    { code: 'CFG_ERR_SERVER_UNAVAILABLE' },
    'a first load (new randomCache) still fails',
  );
});

test('with previous, a reload during an outage keeps the configuration in use, not a later rejected answer', async (t) => {
  let value: string | null = 'good';
  const fake = await fakeConfigServer(t, () =>
    value === null
      ? { status: 503 }
      : { status: 200, body: environmentBody({ x: value }, { state: `s-${value}` }) },
  );
  const dir = tempTree(t, {
    'application.yml': `spring.config.import: configserver:${fake.uri}\n`,
  });
  const randomCache = new Map<string, string>();
  const inUse = await loadConfiguration({ baseDir: dir, randomCache });
  value = 'rejected-by-validation';
  await loadConfiguration({ baseDir: dir, randomCache, previous: inUse });
  assert.equal(
    fake.requests.at(-1)!.headers['x-config-state'],
    's-good',
    'state of the config in use',
  );
  value = null;
  const during = await loadConfiguration({ baseDir: dir, randomCache, previous: inUse });
  assert.equal(during.environment.get('x'), 'good');
  assert.equal(during.configServer?.stale, true);
});
