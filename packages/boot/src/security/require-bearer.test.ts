import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { createManualClock, type Clock } from '@stratus/core';
import { issueToken } from './jwt.js';
import { testApp } from '../internal/testing.js';

const SECRET = 'require-bearer-test-secret-0123456789abcdef';

/** An app with `GET /me` behind `requireBearer()`, answering the token's subject. */
async function guarded(t: TestContext, argv: string[], clock?: Clock, yaml?: string) {
  const started = await testApp(t, {
    argv,
    clock,
    yaml,
    configure: (app) => {
      app.server.get('/me', { preHandler: app.requireBearer() }, async (request) => ({
        subject: request.principal?.subject,
      }));
    },
  });
  await started.app.start();
  const call = (authorization?: string) =>
    fetch(`http://127.0.0.1:${started.app.port}/me`, {
      headers: authorization === undefined ? {} : { authorization },
    });
  return { ...started, call };
}

function hs512(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS512' })
    .sign(new TextEncoder().encode(secret));
}

test('answers 401 problem+json with WWW-Authenticate: Bearer, and lets a valid token through with its subject', async (t) => {
  const { call, logs } = await guarded(t, [`--token.secret=${SECRET}`]);
  const token = await issueToken({ subject: 'u-1', secret: SECRET, expiresInMs: 60_000 });
  const ok = await call(`Bearer ${token}`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { subject: 'u-1' });

  const missing = await call();
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await missing.json()) as { code: string }).code, 'BOOT_ERR_INVALID_TOKEN');

  const now = Math.floor(Date.now() / 1000);
  const refused = [
    await hs512({ sub: 'u-1', exp: now + 60 }, 'another-secret-that-is-long-enough-000000'),
    await hs512({ sub: 'u-1' }), // no exp
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"sub":"u-1","exp":${now + 60}}`).toString('base64url')}.`,
    `${token}x`,
  ];
  for (const bad of refused) {
    const res = await call(`Bearer ${bad}`);
    assert.equal(res.status, 401, bad);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  }
  assert.ok(!logs().includes(token.split('.')[2]!), 'the token never reaches the log');
});

test('expiry follows the application clock', async (t) => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const { call } = await guarded(t, [`--token.secret=${SECRET}`], clock);
  const token = await issueToken({ subject: 'u-1', secret: SECRET, expiresInMs: 60_000, clock });
  assert.equal(
    (await call(`Bearer ${token}`)).status,
    200,
    'valid at the app clock, not the wall clock',
  );
  clock.advance(60_000 + 31_000); // past exp and the 30 s tolerance
  assert.equal((await call(`Bearer ${token}`)).status, 401);
});

test('checks iss and aud when stratus.security.jwt.issuer and audience are set', async (t) => {
  const { call } = await guarded(t, [
    `--token.secret=${SECRET}`,
    '--stratus.security.jwt.issuer=https://auth.shop.example',
    '--stratus.security.jwt.audience=shop,admin',
  ]);
  const exp = Math.floor(Date.now() / 1000) + 60;
  const right = await hs512({ sub: 'u-1', exp, iss: 'https://auth.shop.example', aud: 'shop' });
  assert.equal((await call(`Bearer ${right}`)).status, 200);
  for (const claims of [
    { sub: 'u-1', exp, aud: 'shop' },
    { sub: 'u-1', exp, iss: 'https://evil.example', aud: 'shop' },
    { sub: 'u-1', exp, iss: 'https://auth.shop.example', aud: 'billing' },
  ])
    assert.equal((await call(`Bearer ${await hs512(claims)}`)).status, 401, JSON.stringify(claims));
});

test('a refreshed token.secret applies at once; a refresh that removes or shortens it is rejected', async (t) => {
  const { app, call, dir } = await guarded(t, [], undefined, `token:\n  secret: ${SECRET}\n`);
  const rotated = `${SECRET}-rotated`;
  const old = await issueToken({ subject: 'u-1', secret: SECRET, expiresInMs: 60_000 });
  assert.equal((await call(`Bearer ${old}`)).status, 200);
  await writeFile(join(dir, 'application.yml'), `token:\n  secret: ${rotated}\n`);
  assert.deepEqual(await app.config.refresh(), ['token.secret']);
  assert.equal((await call(`Bearer ${old}`)).status, 401);
  const fresh = await issueToken({ subject: 'u-1', secret: rotated, expiresInMs: 60_000 });
  assert.equal((await call(`Bearer ${fresh}`)).status, 200);
  for (const yaml of ['token:\n  secret: too-short\n', 'other: 1\n']) {
    await writeFile(join(dir, 'application.yml'), yaml);
    await assert.rejects(app.config.refresh(), { code: 'BOOT_ERR_REFRESH_REJECTED' }, yaml);
  }
  assert.equal((await call(`Bearer ${fresh}`)).status, 200, 'the previous secret stays');
});

test('refuses to create the guard without a secret of at least 32 characters', async (t) => {
  for (const [argv, expected] of [
    [[], /^token\.secret: is required$/],
    [['--token.secret=short'], /^token\.secret: must be at least 32 characters$/],
  ] as const) {
    await assert.rejects(
      guarded(t, [...argv]),
      (error: { code?: string; details?: { problems?: string[] } }) => {
        assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
        assert.match(error.details?.problems?.[0] ?? '', expected);
        assert.doesNotMatch(JSON.stringify(error.details), /short/, 'never echoes the secret');
        return true;
      },
    );
  }
});

test("verifies RS256 tokens with Spring's public-key-location and refuses HMAC tokens then", async (t) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const started = await testApp(t);
  await started.app.close();
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await writeFile(join(started.dir, 'public.pem'), pem);
  const { call } = await guarded(t, [
    `--spring.security.oauth2.resourceserver.jwt.public-key-location=file:${join(started.dir, 'public.pem')}`,
    `--token.secret=${SECRET}`,
  ]);
  const key = await importPKCS8(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'RS256',
  );
  const exp = Math.floor(Date.now() / 1000) + 60;
  const rs256 = await new SignJWT({ sub: 'u-9', exp })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(key);
  assert.equal((await call(`Bearer ${rs256}`)).status, 200);
  const confused = await hs512({ sub: 'u-9', exp }, pem);
  assert.equal((await call(`Bearer ${confused}`)).status, 401, 'the public key is no HMAC secret');
  assert.equal((await call(`Bearer ${await hs512({ sub: 'u-9', exp })}`)).status, 401);
});
