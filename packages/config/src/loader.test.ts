import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  loadConfiguration,
  ConfigEnvironment,
  bindProperties,
  changedKeys,
  getList,
} from './index.js';

async function tempDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

test('layers defaults, application.yml, profile files, environment and flags in Spring order', async (t) => {
  const dir = await tempDir(t, {
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
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
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
  const dir = await tempDir(t, {
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
  const dir = await tempDir(t, {
    'application.yml': 'spring.config.import: optional:configserver:http://127.0.0.1:1\nx: 1\n',
  });
  const { environment, configServer } = await loadConfiguration({ baseDir: dir });
  assert.equal(configServer?.ok, false);
  assert.equal(environment.get('x'), 1);
  const strict = await tempDir(t, {
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
