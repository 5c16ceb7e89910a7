// Hostile-input suite, part two (reliability.md §3.F 27): public keys and JWKS, pinned
// algorithms, HS/RS confusion, unknown and hostile `kid`, wrong `iss`/`aud`, and the claim
// headers the gateway owns. Nothing rejected may reach the upstream.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { createManualClock } from '@stratus/core';
import { SignJWT, exportJWK } from 'jose';
import type { GatewaySettingsInput } from './settings.js';
import { client, startGateway, startUpstream, type SeenRequest } from './internal/test-servers.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const nowSec = Math.floor(NOW / 1000);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const RSA_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function sign(
  key: KeyObject | Uint8Array,
  alg: string,
  claims: Record<string, unknown> = {},
  kid?: string,
) {
  return new SignJWT({ sub: 'user-42', ...claims })
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
    .setIssuedAt(nowSec - 10)
    .setExpirationTime(nowSec + 3600)
    .sign(key);
}

/** A JWKS document server on 127.0.0.1:0 holding the EC key as `ec-1`. */
async function startJwks(t: TestContext): Promise<string> {
  const app = Fastify();
  const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
  app.get('/.well-known/jwks.json', async () => ({ keys: [jwk] }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return `${url}/.well-known/jwks.json`;
}

async function setup(t: TestContext, settings: GatewaySettingsInput) {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'secure',
          uri: upstream.origin,
          predicates: ['Path=/secure/**'],
          filters: ['AuthorizationHeaderFilter'],
        },
        { id: 'open', uri: upstream.origin, predicates: ['Path=/open/**'] },
      ],
    },
    { settings, clock: createManualClock(NOW) },
  );
  const request = client(t);
  const call = async (
    authorization: string,
    path = '/secure/x',
    headers: Record<string, string> = {},
  ) => {
    const response = await request(`${url}${path}`, { headers: { authorization, ...headers } });
    return { status: response.statusCode, body: await response.body.text() };
  };
  return { upstream, call };
}

test('an RS256 token verified with a PEM public key passes; its claims travel in headers the gateway owns', async (t) => {
  const { upstream, call } = await setup(t, {
    jwt: {
      key: { publicKeyPem: RSA_PEM },
      claimHeaders: { roles: 'X-User-Roles', email: 'X-Email' },
    },
  });
  const token = await sign(rsa.privateKey, 'RS256', { roles: ['admin', 'buyer'], email: 'a@b.c' });
  const ok = await call(`Bearer ${token}`, '/secure/x', { 'x-user-roles': 'root' });
  assert.equal(ok.status, 200);
  const seen = JSON.parse(ok.body) as SeenRequest;
  assert.equal(seen.headers['x-user-id'], 'user-42');
  assert.equal(seen.headers['x-user-roles'], 'admin,buyer');
  assert.equal(seen.headers['x-email'], 'a@b.c');
  // On a route without the filter the owned headers are still never the client's.
  const open = await call('', '/open/x', { 'x-user-roles': 'root', 'x-email': 'forged@x' });
  const openSeen = JSON.parse(open.body) as SeenRequest;
  assert.equal(openSeen.headers['x-user-roles'], undefined);
  assert.equal(openSeen.headers['x-email'], undefined);
  assert.equal(upstream.seen.length, 2);
});

test('HS/RS confusion: an HS256 token keyed with the public key PEM gets 401', async (t) => {
  const { upstream, call } = await setup(t, { jwt: { key: { publicKeyPem: RSA_PEM } } });
  const forged = await sign(new TextEncoder().encode(RSA_PEM), 'HS256', { sub: 'admin' });
  assert.equal((await call(`Bearer ${forged}`)).status, 401);
  assert.equal(upstream.seen.length, 0);
});

test('algorithms are pinned by jws-algorithms: an RS256 token is refused when only RS512 is allowed', async (t) => {
  const { upstream, call } = await setup(t, {
    jwt: { key: { publicKeyPem: RSA_PEM }, algorithms: ['RS512'] },
  });
  assert.equal((await call(`Bearer ${await sign(rsa.privateKey, 'RS256')}`)).status, 401);
  assert.equal((await call(`Bearer ${await sign(rsa.privateKey, 'RS512')}`)).status, 200);
  assert.equal(upstream.seen.length, 1);
});

test('a JWKS URL verifies ES256 tokens by kid; unknown and hostile kids get 401', async (t) => {
  const jwksUrl = await startJwks(t);
  const { upstream, call } = await setup(t, { jwt: { key: { jwksUrl } } });
  assert.equal(
    (await call(`Bearer ${await sign(ec.privateKey, 'ES256', {}, 'ec-1')}`)).status,
    200,
  );
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const kid of ['ec-2', '../../dev/null', 'https://evil.example/jwks.json']) {
    assert.equal(
      (await call(`Bearer ${await sign(other.privateKey, 'ES256', {}, kid)}`)).status,
      401,
      kid,
    );
  }
  assert.equal(
    (await call(`Bearer ${await sign(other.privateKey, 'ES256', {}, 'ec-1')}`)).status,
    401,
    'wrong key for kid',
  );
  assert.equal(upstream.seen.length, 1);
});

test('a wrong iss or aud, a future nbf or an 8 KiB token gets 401', async (t) => {
  const { upstream, call } = await setup(t, {
    jwt: { key: { publicKeyPem: RSA_PEM }, issuer: 'https://issuer.example', audiences: ['shop'] },
  });
  const good = { iss: 'https://issuer.example', aud: 'shop' };
  assert.equal((await call(`Bearer ${await sign(rsa.privateKey, 'RS256', good)}`)).status, 200);
  for (const [label, claims] of [
    ['wrong iss', { ...good, iss: 'https://evil.example' }],
    ['no iss', { aud: 'shop' }],
    ['wrong aud', { ...good, aud: 'other' }],
    ['future nbf', { ...good, nbf: nowSec + 600 }],
    ['8 KiB', { ...good, pad: 'x'.repeat(8192) }],
  ] as const) {
    assert.equal(
      (await call(`Bearer ${await sign(rsa.privateKey, 'RS256', claims)}`)).status,
      401,
      label,
    );
  }
  assert.equal(upstream.seen.length, 1);
});

test('a route needing a token with no key configured refuses its requests instead of letting them through', async (t) => {
  const upstream = await startUpstream(t);
  const app = Fastify();
  const { registerGateway } = await import('./gateway.js');
  const { parseGatewayDefinitions } = await import('./route-definition.js');
  const gateway = registerGateway(app, {
    definitions: parseGatewayDefinitions({
      routes: [{ id: 'secure', uri: upstream.origin, filters: ['AuthorizationHeaderFilter'] }],
    }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  assert.match(gateway.problems().join(), /AuthorizationHeaderFilter: needs a verification key/);
  const response = await client(t)(`${url}/x`, { headers: { authorization: 'Bearer a.b.c' } });
  assert.equal(response.statusCode, 503);
  await response.body.dump();
  assert.equal(upstream.seen.length, 0);
});
