import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createKeyStoreEncryptor,
  createPkcs12KeyStore,
  createTextEncryptor,
  loadConfiguration,
} from '@stratus/config';
import { createClientDecryption } from './client-decryption.js';

const KEY = 'client-side-key';

async function tempDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-decrypt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function configServer(t: TestContext, source: Record<string, unknown>): Promise<string> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        name: 'app',
        profiles: ['default'],
        label: null,
        version: null,
        state: null,
        propertySources: [{ name: 'file:/repo/app.yml', source }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('decrypts {cipher} values from the config server and local files with the client encrypt.key', async (t) => {
  const encryptor = createTextEncryptor({ key: KEY, salt: 'cafe' });
  const uri = await configServer(t, {
    'db.password': `{cipher}${encryptor.encrypt('from-server')}`,
    plain: 'x',
  });
  const dir = await tempDir(t, {
    'application.yml': `spring.config.import: configserver:${uri}\nencrypt:\n  key: ${KEY}\n  salt: cafe\nlocal.secret: '{cipher}{key:ignored}${encryptor.encrypt('from-file')}'\n`,
  });
  const { environment } = await loadConfiguration({
    baseDir: dir,
    decrypt: createClientDecryption(),
  });
  assert.equal(environment.get('db.password'), 'from-server');
  assert.equal(environment.get('local.secret'), 'from-file');
  assert.equal(environment.get('plain'), 'x');
});

test('an undecryptable value fails the load by default, naming the key but never the value', async (t) => {
  const wrong = createTextEncryptor({ key: 'another-key' }).encrypt('secret-plain');
  const uri = await configServer(t, { 'db.password': `{cipher}${wrong}` });
  const dir = await tempDir(t, {
    'application.yml': `spring.config.import: configserver:${uri}\nencrypt.key: ${KEY}\n`,
  });
  await assert.rejects(
    loadConfiguration({ baseDir: dir, decrypt: createClientDecryption() }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BOOT_ERR_DECRYPT');
      assert.match(error.message, /db\.password/);
      assert.doesNotMatch(error.message, new RegExp(wrong));
      return true;
    },
  );
});

test('a {cipher} value without any encrypt.key fails the load unless fail-on-error is false', async (t) => {
  const cipher = createTextEncryptor({ key: KEY }).encrypt('v');
  const strict = await tempDir(t, { 'application.yml': `a: '{cipher}${cipher}'\n` });
  await assert.rejects(loadConfiguration({ baseDir: strict, decrypt: createClientDecryption() }), {
    code: 'BOOT_ERR_DECRYPT',
  });
  const lenient = await tempDir(t, {
    'application.yml': `a: '{cipher}${cipher}'\nencrypt.fail-on-error: false\n`,
  });
  const { environment } = await loadConfiguration({
    baseDir: lenient,
    decrypt: createClientDecryption(),
  });
  assert.equal(environment.get('a'), undefined);
  assert.equal(environment.get('invalid.a'), '<n/a>');
});

test('with encrypt.fail-on-error=false a wrong key gives invalid.<key> = <n/a> like the server', async (t) => {
  const wrong = createTextEncryptor({ key: 'another-key' }).encrypt('v');
  const dir = await tempDir(t, {
    'application.yml': `encrypt:\n  key: ${KEY}\n  fail-on-error: false\ngood: 1\nbad: '{cipher}${wrong}'\n`,
  });
  const { environment } = await loadConfiguration({
    baseDir: dir,
    decrypt: createClientDecryption(),
  });
  assert.equal(environment.get('bad'), undefined);
  assert.equal(environment.get('invalid.bad'), '<n/a>');
  assert.equal(environment.get('good'), 1);
});

test('sources without {cipher} values need no key and pass through unchanged', () => {
  const decrypt = createClientDecryption();
  const properties = { a: 1, b: 'plain' };
  const env = { get: () => undefined, getString: () => undefined } as never;
  assert.equal(decrypt(properties, env), properties);
});

test('encrypt.key-store.location: classpath:/server.jks reads the key store in the service folder, not the working directory', async (t) => {
  const store = createPkcs12KeyStore({ alias: 'config', password: 'store-pw' });
  const encryptor = createKeyStoreEncryptor({
    keyStore: store,
    password: 'store-pw',
    alias: 'config',
  });
  const dir = await tempDir(t, {
    'application.yml': [
      'encrypt.key-store:',
      '  location: classpath:/server.jks',
      '  password: store-pw',
      '  alias: config',
      '  type: jks',
      `db.password: '{cipher}${encryptor.encrypt('from-keystore')}'`,
      '',
    ].join('\n'),
  });
  await writeFile(join(dir, 'server.jks'), store);
  assert.notEqual(process.cwd(), dir);
  const { environment } = await loadConfiguration({
    baseDir: dir,
    decrypt: createClientDecryption(),
  });
  assert.equal(environment.get('db.password'), 'from-keystore');
  const missing = await tempDir(t, {
    'application.yml': `encrypt.key-store:\n  location: classpath:/\${KEYSTORE_FILE}\n  password: p\n  alias: a\nx: '{cipher}AQ=='\n`,
  });
  await assert.rejects(loadConfiguration({ baseDir: missing, decrypt: createClientDecryption() }), {
    code: 'CFG_ERR_UNRESOLVED_PLACEHOLDER',
  });
});
