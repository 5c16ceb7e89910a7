import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { parse as parseYaml } from 'yaml';
import { createTextEncryptor, type TextEncryptor } from '@stratus/config';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes, type ConfigServerRoutesOptions } from './routes.js';
import { tempTree, rawRequest } from '@stratus/testing';

const encryptor = createTextEncryptor({ key: 'routes-test-key' });

async function startServer(
  t: TestContext,
  files: Record<string, string>,
  options: Partial<ConfigServerRoutesOptions> = {},
): Promise<{ port: number; root: string }> {
  const root = tempTree(t, files);
  const app = Fastify();
  t.after(() => app.close());
  await registerConfigServerRoutes(app, {
    repository: createNativeRepository({ searchLocations: [`file:${root}`] }),
    ...options,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, root };
}

const REPO = {
  'application.yml': 'shared: yes-shared\nlist:\n  - a\n  - b\n  - c\n',
  'foo.yml':
    'name: foo\nurl: http://${host}:${port}/x\nport: 8080\nmissing: ${nope}\nwithDefault: ${nope:fallback}\n',
  'foo-dev.yml': 'host: dev.local\nlist:\n  - z\n',
  'foo-mysql.properties': 'db.url=jdbc:mysql://db\n',
  'v1/foo.yml': 'name: foo-v1\n',
  'feature/x/foo.yml': 'name: foo-feature-x\n',
};

test('GET /{app}/{profiles} serves plain values, highest precedence first, as application/json', async (t) => {
  const { port, root } = await startServer(t, REPO);
  const res = await fetch(`http://127.0.0.1:${port}/foo/dev,mysql`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const env = (await res.json()) as {
    name: string;
    profiles: string[];
    label: null;
    propertySources: Array<{ name: string; source: Record<string, unknown> }>;
  };
  assert.equal(env.name, 'foo');
  assert.deepEqual(env.profiles, ['dev', 'mysql']);
  assert.equal(env.label, null);
  assert.deepEqual(Object.keys(env).sort(), [
    'label',
    'name',
    'profiles',
    'propertySources',
    'state',
    'version',
  ]);
  assert.deepEqual(
    env.propertySources.map((s) => s.name),
    [
      `file:${root}/foo-mysql.properties`,
      `file:${root}/foo-dev.yml`,
      `file:${root}/foo.yml`,
      `file:${root}/application.yml`,
    ],
  );
  assert.equal(env.propertySources[2]!.source['port'], 8080);
});

test('the {value, origin} form is sent only when Accept asks for the v2 media type', async (t) => {
  const { port } = await startServer(t, REPO);
  const v2 = await fetch(`http://127.0.0.1:${port}/foo/dev`, {
    headers: { accept: 'application/vnd.spring-cloud.config-server.v2+json, application/json' },
  });
  assert.match(v2.headers.get('content-type') ?? '', /vnd\.spring-cloud\.config-server\.v2\+json/);
  const body = (await v2.json()) as {
    propertySources: Array<{
      name: string;
      source: Record<string, { value: unknown; origin: string }>;
    }>;
  };
  assert.deepEqual(body.propertySources[0]!.source['host'], {
    value: 'dev.local',
    origin: body.propertySources[0]!.name,
  });
  const plain = (await (
    await fetch(`http://127.0.0.1:${port}/foo/dev`, { headers: { accept: 'application/json' } })
  ).json()) as typeof body;
  assert.equal(plain.propertySources[0]!.source['host'], 'dev.local');
});

test('labels: /{app}/{profiles}/{label} uses the label folder, (_) and an encoded / both mean /', async (t) => {
  const { port } = await startServer(t, REPO);
  const get = async (path: string) =>
    (await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as {
      label: string;
      propertySources: Array<{ source: Record<string, unknown> }>;
    };
  const v1 = await get('/foo/default/v1');
  assert.equal(v1.label, 'v1');
  assert.equal(v1.propertySources[0]!.source['name'], 'foo-v1');
  const alias = await get('/foo/default/feature(_)x');
  assert.equal(alias.label, 'feature/x');
  assert.equal(alias.propertySources[0]!.source['name'], 'foo-feature-x');
  const encoded = await get('/foo/default/feature%2Fx');
  assert.equal(encoded.propertySources[0]!.source['name'], 'foo-feature-x');
});

test('an unknown application gives 200 with empty propertySources when no shared files exist', async (t) => {
  const { port } = await startServer(t, { 'foo.yml': 'a: 1\n' });
  const res = await fetch(`http://127.0.0.1:${port}/unknown/default`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    name: 'unknown',
    profiles: ['default'],
    label: null,
    version: null,
    state: null,
    propertySources: [],
  });
});

test('.yml, .properties and .json merge by precedence, replace whole lists and resolve placeholders', async (t) => {
  const { port } = await startServer(t, REPO);
  const yml = await fetch(`http://127.0.0.1:${port}/foo-dev.yml`);
  assert.equal(yml.status, 200);
  assert.match(yml.headers.get('content-type') ?? '', /^text\/plain/);
  const parsed = parseYaml(await yml.text()) as Record<string, unknown>;
  assert.equal(parsed['url'], 'http://dev.local:8080/x');
  assert.equal(parsed['missing'], '${nope}');
  assert.equal(parsed['withDefault'], 'fallback');
  assert.deepEqual(parsed['list'], ['z']);
  assert.equal(parsed['spring'], undefined);

  const props = await (await fetch(`http://127.0.0.1:${port}/foo-dev,mysql.properties`)).text();
  const lines = props.split('\n');
  assert.ok(lines.includes('db.url: jdbc:mysql://db'));
  assert.ok(lines.includes('port: 8080'));
  assert.ok(lines.includes('list[0]: z'));
  assert.ok(!lines.some((line) => line.startsWith('list[1]')));

  const json = await fetch(`http://127.0.0.1:${port}/v1/foo-dev.json`);
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  const nested = (await json.json()) as Record<string, unknown>;
  assert.equal(nested['name'], 'foo-v1');
  assert.deepEqual(nested['list'], ['z']);

  const raw = (await (
    await fetch(`http://127.0.0.1:${port}/foo-dev.json?resolvePlaceholders=false`)
  ).json()) as Record<string, unknown>;
  assert.equal(raw['url'], 'http://${host}:${port}/x');
});

test('the application-profiles split is at the last hyphen, so app names may contain hyphens', async (t) => {
  const { port } = await startServer(t, {
    'order-service-dev.yml': 'a: app-has-hyphen\n',
    'order-service.yml': 'b: base\n',
  });
  const parsed = parseYaml(
    await (await fetch(`http://127.0.0.1:${port}/order-service-dev.yml`)).text(),
  ) as Record<string, unknown>;
  assert.deepEqual(parsed, { a: 'app-has-hyphen', b: 'base' });
  const noProfile = await fetch(`http://127.0.0.1:${port}/order.yml`);
  assert.equal(noProfile.status, 404);
});

test('a lone top-level document key is unwrapped in YAML output', async (t) => {
  const { port } = await startServer(t, { 'doc.yml': 'document:\n  - one\n  - two\n' });
  const text = await (await fetch(`http://127.0.0.1:${port}/doc-default.yml`)).text();
  assert.deepEqual(parseYaml(text), ['one', 'two']);
});

test('{cipher} values are decrypted on the server; undecryptable ones become invalid.<key> = <n/a>', async (t) => {
  const other = createTextEncryptor({ key: 'not-the-server-key' });
  const files = {
    'app.yml': `db:\n  password: '{cipher}${encryptor.encrypt('s3cret')}'\n  user: admin\nbroken: '{cipher}${other.encrypt('x'.repeat(20))}'\n`,
    'app.properties': `token={cipher}{key:k1}${encryptor.encrypt('tok')}\n`,
  };
  const { port } = await startServer(t, files, { encryptor });
  const env = (await (await fetch(`http://127.0.0.1:${port}/app/default`)).json()) as {
    propertySources: Array<{ source: Record<string, unknown> }>;
  };
  assert.deepEqual(env.propertySources[0]!.source, { token: 'tok' });
  assert.equal(env.propertySources[1]!.source['db.password'], 's3cret');
  assert.equal(env.propertySources[1]!.source['invalid.broken'], '<n/a>');
  assert.equal(env.propertySources[1]!.source['broken'], undefined);
  const yml = parseYaml(
    await (await fetch(`http://127.0.0.1:${port}/app-default.yml`)).text(),
  ) as Record<string, unknown>;
  assert.deepEqual(yml['db'], { password: 's3cret', user: 'admin' });
  const v2 = (await (
    await fetch(`http://127.0.0.1:${port}/app/default`, {
      headers: { accept: 'application/vnd.spring-cloud.config-server.v2+json' },
    })
  ).json()) as { propertySources: Array<{ source: Record<string, { value: unknown }> }> };
  assert.equal(v2.propertySources[1]!.source['db.password']!.value, 's3cret');
});

test('with decryptOnServer false or no encryptor, {cipher} values are passed through', async (t) => {
  const cipher = `{cipher}${encryptor.encrypt('s3cret')}`;
  for (const options of [{ encryptor, decryptOnServer: false }, {}]) {
    const { port } = await startServer(t, { 'app.yml': `p: '${cipher}'\n` }, options);
    const env = (await (await fetch(`http://127.0.0.1:${port}/app/default`)).json()) as {
      propertySources: Array<{ source: Record<string, unknown> }>;
    };
    assert.equal(env.propertySources[0]!.source['p'], cipher);
  }
});

test('POST /encrypt and /decrypt round-trip raw text, curl form bodies and prefixes', async (t) => {
  const { port } = await startServer(t, {}, { encryptor });
  const post = (path: string, body: string, type = 'text/plain') =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': type },
    });

  const status = await fetch(`http://127.0.0.1:${port}/encrypt/status`);
  assert.deepEqual(await status.json(), { status: 'OK' });

  const encrypted = await post('/encrypt', 'my secret=');
  assert.equal(encrypted.status, 200);
  assert.match(encrypted.headers.get('content-type') ?? '', /^text\/plain/);
  const cipher = await encrypted.text();
  assert.match(cipher, /^[0-9a-f]+$/);
  assert.equal(encryptor.decrypt(cipher), 'my secret=', 'text/plain bodies are taken as they are');

  // `curl -d mysecret` sends a form body "mysecret=".
  const fromForm = await (
    await post('/encrypt', 'my+secret%21=', 'application/x-www-form-urlencoded')
  ).text();
  assert.equal(encryptor.decrypt(fromForm), 'my secret!');
  assert.equal(
    await (await post('/decrypt', `${fromForm}=`, 'application/x-www-form-urlencoded')).text(),
    'my secret!',
  );
  assert.equal(await (await post('/decrypt', cipher)).text(), 'my secret=');
  assert.equal(await (await post('/decrypt', `{cipher}${cipher}`)).text(), 'my secret=');

  const prefixed = await (await post('/encrypt/foo/dev', '{key:mykey}{name:foo}hello')).text();
  assert.match(prefixed, /^\{key:mykey\}[0-9a-f]+$/);
  assert.equal(await (await post('/decrypt/foo/dev', prefixed)).text(), 'hello');
  assert.equal((await post('/encrypt/..%2F/dev', 'x')).status, 400);
});

test('decrypt failures give one and the same 400 problem whatever the cause', async (t) => {
  const { port } = await startServer(t, {}, { encryptor });
  const good = encryptor.encrypt('payload that spans two blocks!!');
  const flipped =
    good.slice(0, 62) +
    (parseInt(good.slice(62, 64), 16) ^ 1).toString(16).padStart(2, '0') +
    good.slice(64);
  const bodies = [
    'zz',
    'abc',
    good.slice(0, 32),
    flipped,
    createTextEncryptor({ key: 'other' }).encrypt('a'),
  ];
  const answers = new Set<string>();
  for (const body of bodies) {
    const res = await fetch(`http://127.0.0.1:${port}/decrypt`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    answers.add(await res.text());
  }
  // The wrong-key case may, 1 time in 256, pass padding; the others are deterministic.
  assert.ok(answers.size === 1, [...answers].join('\n'));
  const problem = JSON.parse([...answers][0]!) as Record<string, unknown>;
  assert.equal(problem['code'], 'CFG_ERR_DECRYPT');
  assert.equal(problem['title'], 'Text not encrypted with this key');
});

test('without an encryptor the crypto endpoints answer 404 NO_KEY', async (t) => {
  const { port } = await startServer(t, {});
  for (const [method, path] of [
    ['GET', '/encrypt/status'],
    ['POST', '/encrypt'],
    ['POST', '/decrypt'],
  ] as const) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      ...(method === 'POST' ? { body: 'abc', headers: { 'content-type': 'text/plain' } } : {}),
    });
    assert.equal(res.status, 404, path);
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(problem['code'], 'CFG_ERR_NO_KEY');
    assert.equal(problem['reason'], 'NO_KEY');
  }
});

test('crypto bodies above maxBodyBytes get 413; JSON bodies are read as raw text; other routes keep their parsers', async (t) => {
  const root = tempTree(t, {});
  const app = Fastify();
  t.after(() => app.close());
  app.post('/outside', async (request) => ({ got: request.body }));
  await registerConfigServerRoutes(app, {
    repository: createNativeRepository({ searchLocations: [root] }),
    encryptor,
    maxBodyBytes: 1024,
    prefix: '/config',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const big = await fetch(`http://127.0.0.1:${port}/config/encrypt`, {
    method: 'POST',
    body: 'x'.repeat(2048),
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(big.status, 413);
  assert.equal(
    ((await big.json()) as Record<string, unknown>)['code'],
    'CFG_ERR_PAYLOAD_TOO_LARGE',
  );
  const json = await fetch(`http://127.0.0.1:${port}/config/encrypt`, {
    method: 'POST',
    body: '{"a":1}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(encryptor.decrypt(await json.text()), '{"a":1}');
  const noType = await rawRequest(port, 'POST', '/config/encrypt', {
    body: 'plain',
    headers: { 'content-length': '5' },
  });
  assert.equal(noType.status, 200, noType.body);
  assert.equal(encryptor.decrypt(noType.body), 'plain');
  const outside = await fetch(`http://127.0.0.1:${port}/outside`, {
    method: 'POST',
    body: '{"a":1}',
    headers: { 'content-type': 'application/json' },
  });
  assert.deepEqual(await outside.json(), { got: { a: 1 } });
  const empty = await fetch(`http://127.0.0.1:${port}/config/encrypt`, {
    method: 'POST',
    body: '',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(empty.status, 400);
});
