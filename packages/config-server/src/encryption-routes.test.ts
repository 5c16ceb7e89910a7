import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import Fastify from 'fastify';
import {
  createKeyStoreEncryptor,
  createPkcs12KeyStore,
  createRsaEncryptor,
  createTextEncryptor,
  type TextEncryptor,
} from '@stratus/config';
import { createNativeRepository } from './native-repository.js';
import { registerConfigServerRoutes } from './routes.js';
import { tempTree } from '@stratus/testing';

const pemOf = () =>
  generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();

async function start(t: TestContext, encryptor: TextEncryptor, files: Record<string, string> = {}) {
  const root = tempTree(t, { 'application.yml': 'a: b\n', ...files });
  const app = Fastify();
  t.after(() => app.close());
  await registerConfigServerRoutes(app, {
    repository: createNativeRepository({ searchLocations: [`file:${root}`] }),
    encryptor,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

test('GET /key and /key/{name}/{profiles} return the RSA public key in ssh form', async (t) => {
  const rsa = createRsaEncryptor({ privateKeyPem: pemOf() });
  const base = await start(t, rsa);
  for (const path of ['/key', '/key/foo/dev']) {
    const res = await fetch(base + path);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), rsa.publicKeySsh());
  }
  assert.equal((await fetch(`${base}/key/..%2F/dev`)).status, 400);
});

test('GET /key with a symmetric key is 404 "No public key available"', async (t) => {
  const base = await start(t, createTextEncryptor({ key: 'k' }));
  const res = await fetch(`${base}/key`);
  assert.equal(res.status, 404);
  const problem = (await res.json()) as { title: string; code: string };
  assert.equal(problem.title, 'No public key available');
  assert.equal(problem.code, 'CFG_ERR_NOT_FOUND');
});

test('RSA /encrypt and /decrypt round-trip, with and without name/profiles, and serve decrypted values', async (t) => {
  const rsa = createRsaEncryptor({ privateKeyPem: pemOf(), algorithm: 'OAEP', strong: true });
  const cipher = rsa.encrypt('served secret');
  const base = await start(t, rsa, { 'foo.yml': `password: '{cipher}${cipher}'\n` });
  const encrypted = await (await post(`${base}/encrypt/foo/dev`, 'round trip')).text();
  assert.equal(rsa.decrypt(encrypted), 'round trip');
  assert.equal(await (await post(`${base}/decrypt`, encrypted)).text(), 'round trip');
  const env = (await (await fetch(`${base}/foo/default`)).json()) as {
    propertySources: Array<{ source: Record<string, unknown> }>;
  };
  assert.equal(env.propertySources[0]!.source['password'], 'served secret');
  const tampered = await post(`${base}/decrypt`, `${encrypted.slice(0, -6)}AAAA==`);
  const wrong = await post(
    `${base}/decrypt`,
    createRsaEncryptor({ privateKeyPem: pemOf(), algorithm: 'OAEP', strong: true }).encrypt('x'),
  );
  assert.equal(tampered.status, 400);
  assert.equal(wrong.status, 400);
  assert.deepEqual(await tampered.json(), await wrong.json());
});

test('{key:alias} on /encrypt is echoed and selects the keystore key; /decrypt honours it', async (t) => {
  const store = createPkcs12KeyStore({ alias: 'main', password: 'pw', privateKeyPem: pemOf() });
  const keystore = createKeyStoreEncryptor({ keyStore: store, password: 'pw', alias: 'main' });
  const base = await start(t, keystore);
  const encrypted = await (await post(`${base}/encrypt`, '{key:main}{name:foo}hello')).text();
  assert.match(encrypted, /^\{key:main\}[A-Za-z0-9+/=]+$/);
  assert.equal(await (await post(`${base}/decrypt`, encrypted)).text(), 'hello');
  const unknown = await post(`${base}/encrypt`, '{key:nope}hello');
  assert.equal(unknown.status, 400);
  assert.equal(((await unknown.json()) as { code: string }).code, 'CFG_ERR_UNKNOWN_KEY');
});
