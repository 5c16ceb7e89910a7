import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, importPKCS8 } from 'jose';
import { createManualClock } from '@stratus/core';
import { createTokenVerifier, type TokenVerification } from './token-verifier.js';

const SECRET = 'a-test-secret-long-enough-for-hs512-0123456789abcdef0123456789abcdef';
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const nowSec = NOW_MS / 1000;

function hs(claims: Record<string, unknown>, alg = 'HS512', secret = SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

function reasonOf(result: TokenVerification): string {
  return result.ok ? 'ok' : result.reason;
}

const clock = createManualClock(NOW_MS);
const verifier = createTokenVerifier({ secret: () => SECRET, clock });

test('a token signed with the secret, with sub and a future exp, is accepted', async () => {
  const result = await verifier.verify(await hs({ sub: 'u1', exp: nowSec + 60 }));
  assert.ok(result.ok);
  assert.equal(result.token.subject, 'u1');
  assert.equal(result.token.expiresAt, (nowSec + 60) * 1000);
});

test('a token without exp, without sub or with an empty sub is refused', async () => {
  assert.notEqual(reasonOf(await verifier.verify(await hs({ sub: 'u1' }))), 'ok');
  assert.notEqual(reasonOf(await verifier.verify(await hs({ exp: nowSec + 60 }))), 'ok');
  assert.notEqual(reasonOf(await verifier.verify(await hs({ sub: '', exp: nowSec + 60 }))), 'ok');
});

test('expiry and not-before follow the injected clock, with 30 s tolerance', async () => {
  const token = await hs({ sub: 'u1', exp: nowSec + 60, nbf: nowSec - 10 });
  const local = createManualClock(NOW_MS);
  const timed = createTokenVerifier({ secret: () => SECRET, clock: local });
  assert.equal(reasonOf(await timed.verify(token)), 'ok');
  local.advance(89_000);
  assert.equal(reasonOf(await timed.verify(token)), 'ok');
  local.advance(2_000);
  assert.equal(reasonOf(await timed.verify(token)), 'ERR_JWT_EXPIRED');
  const future = await hs({ sub: 'u1', exp: nowSec + 600, nbf: nowSec + 120 });
  assert.notEqual(reasonOf(await verifier.verify(future)), 'ok');
});

test('alg none, a forged signature and an algorithm outside the pinned list are refused', async () => {
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify({ sub: 'u1', exp: nowSec + 60 })).toString('base64url');
  assert.notEqual(reasonOf(await verifier.verify(`${header}.${body}.`)), 'ok');
  assert.notEqual(
    reasonOf(
      await verifier.verify(
        await hs(
          { sub: 'u1', exp: nowSec + 60 },
          'HS512',
          'other-secret-other-secret-other-secret-other-secret-x',
        ),
      ),
    ),
    'ok',
  );
  assert.notEqual(
    reasonOf(await verifier.verify(await hs({ sub: 'u1', exp: nowSec + 60 }, 'HS384'))),
    'ok',
  );
});

test('a token signed with a public key used as an HMAC secret is refused (HS/RS confusion)', async () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const rs = createTokenVerifier({ publicKeyPem: pem, clock });
  const confused = await hs({ sub: 'u1', exp: nowSec + 60 }, 'HS256', pem);
  assert.notEqual(reasonOf(await rs.verify(confused)), 'ok');
});

test('RS256 tokens verify with a PEM public key and with a JWKS; issuer and audience are enforced', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = await importPKCS8(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'RS256',
  );
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(signingKey);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const strict = createTokenVerifier({ publicKeyPem: pem, clock, issuer: 'shop', audience: 'api' });
  const good = await sign({ sub: 'u1', exp: nowSec + 60, iss: 'shop', aud: 'api' });
  assert.equal(reasonOf(await strict.verify(good)), 'ok');
  assert.notEqual(
    reasonOf(
      await strict.verify(await sign({ sub: 'u1', exp: nowSec + 60, iss: 'evil', aud: 'api' })),
    ),
    'ok',
  );
  assert.notEqual(
    reasonOf(
      await strict.verify(await sign({ sub: 'u1', exp: nowSec + 60, iss: 'shop', aud: 'other' })),
    ),
    'ok',
  );
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const byJwks = createTokenVerifier({ jwks: { keys: [jwk] }, clock });
  assert.equal(reasonOf(await byJwks.verify(good)), 'ok');
  const unknownKid = await new SignJWT({ sub: 'u1', exp: nowSec + 60 })
    .setProtectedHeader({ alg: 'RS256', kid: 'nope' })
    .sign(signingKey);
  assert.notEqual(reasonOf(await byJwks.verify(unknownKid)), 'ok');
});

test('headers that are not a single well-formed Bearer token are refused without parsing', async () => {
  const token = await hs({ sub: 'u1', exp: nowSec + 60 });
  assert.equal(reasonOf(await verifier.verifyHeader(`Bearer ${token}`)), 'ok');
  assert.equal(reasonOf(await verifier.verifyHeader(undefined)), 'missing');
  for (const header of [
    token,
    `Basic ${token}`,
    `Bearer ${token}, Bearer ${token}`,
    'Bearer !!.??.**',
  ]) {
    assert.equal(reasonOf(await verifier.verifyHeader(header)), 'malformed', header);
  }
  assert.equal(reasonOf(await verifier.verifyHeader([`Bearer ${token}`])), 'malformed');
  assert.equal(reasonOf(await verifier.verify('a'.repeat(9000))), 'too-large');
  assert.notEqual(reasonOf(await verifier.verify('bad.base64!.x')), 'ok');
});

test('a refreshed secret applies at the next verification; no secret refuses everything', async () => {
  let secret: string | undefined = SECRET;
  const live = createTokenVerifier({ secret: () => secret, clock });
  const token = await hs({ sub: 'u1', exp: nowSec + 60 });
  assert.equal(reasonOf(await live.verify(token)), 'ok');
  secret = 'rotated-secret-rotated-secret-rotated-secret-rotated-secret-rotated';
  assert.notEqual(reasonOf(await live.verify(token)), 'ok');
  secret = undefined;
  assert.equal(reasonOf(await live.verify(token)), 'no-key');
});

test('configuring none or mixing a secret with an asymmetric algorithm is a programming error', () => {
  assert.throws(() => createTokenVerifier({ secret: () => SECRET, algorithms: ['none'] }));
  assert.throws(() => createTokenVerifier({ secret: () => SECRET, algorithms: ['RS256'] }));
  assert.throws(() => createTokenVerifier({ jwks: { keys: [] }, algorithms: ['HS256'] }));
});

test('a verified token is answered again without waiting, only while its exp and the cache age allow', async () => {
  const local = createManualClock(NOW_MS);
  const cached = createTokenVerifier({ secret: () => SECRET, clock: local });
  const header = `Bearer ${await hs({ sub: 'u1', exp: nowSec + 120, roles: ['a'] })}`;
  assert.equal(cached.verifyHeaderNow(header), undefined, 'not verified yet');
  assert.equal(reasonOf(await cached.verifyHeader(header)), 'ok');
  const hit = cached.verifyHeaderNow(header);
  assert.ok(hit?.ok);
  assert.equal(hit.token.subject, 'u1');
  assert.ok(Object.isFrozen(hit.token.claims) && Object.isFrozen(hit.token.claims['roles']));
  // The cache keeps a verdict for 60 s at most, then the signature is checked again.
  local.advance(60_000);
  assert.equal(cached.verifyHeaderNow(header), undefined);
  assert.equal(reasonOf(await cached.verifyHeader(header)), 'ok');
  assert.ok(cached.verifyHeaderNow(header)?.ok);
  // exp (+120 s) with the 30 s tolerance ends a cached verdict even inside the cache age.
  const later = createManualClock(NOW_MS);
  const longLived = createTokenVerifier({
    secret: () => SECRET,
    clock: later,
    cache: { maxAgeMs: 600_000 },
  });
  assert.equal(reasonOf(await longLived.verifyHeader(header)), 'ok');
  later.advance(149_000);
  assert.ok(longLived.verifyHeaderNow(header)?.ok);
  later.advance(1_000);
  assert.equal(longLived.verifyHeaderNow(header), undefined);
  assert.equal(reasonOf(await longLived.verifyHeader(header)), 'ERR_JWT_EXPIRED');
});

test('refused tokens are never cached, and a token differing in one character is not a hit', async () => {
  const cached = createTokenVerifier({ secret: () => SECRET, clock });
  const token = await hs({ sub: 'u1', exp: nowSec + 60 });
  assert.equal(reasonOf(await cached.verify(token)), 'ok');
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
  assert.equal(cached.verifyHeaderNow(`Bearer ${tampered}`), undefined);
  assert.notEqual(reasonOf(await cached.verify(tampered)), 'ok');
  assert.equal(cached.verifyHeaderNow(`Bearer ${tampered}`), undefined, 'a refusal is not kept');
  const forged = await hs({ sub: 'u1', exp: nowSec + 60 }, 'HS512', `${SECRET}-not-ours`);
  assert.notEqual(reasonOf(await cached.verify(forged)), 'ok');
  assert.equal(cached.verifyHeaderNow(`Bearer ${forged}`), undefined);
  // Malformed headers are known at once, without a signature check.
  assert.equal(reasonOf(cached.verifyHeaderNow('Basic abc') as TokenVerification), 'malformed');
  assert.equal(reasonOf(cached.verifyHeaderNow(undefined) as TokenVerification), 'missing');
});

test('the cache holds at most maxEntries tokens, oldest out first; cache: false verifies every time', async () => {
  const small = createTokenVerifier({ secret: () => SECRET, clock, cache: { maxEntries: 2 } });
  const tokens = await Promise.all(['u1', 'u2', 'u3'].map((sub) => hs({ sub, exp: nowSec + 60 })));
  for (const token of tokens) assert.equal(reasonOf(await small.verify(token)), 'ok');
  const hits = tokens.map((token) => small.verifyHeaderNow(`Bearer ${token}`)?.ok ?? false);
  assert.deepEqual(hits, [false, true, true]);
  const uncached = createTokenVerifier({ secret: () => SECRET, clock, cache: false });
  assert.equal(reasonOf(await uncached.verify(tokens[0])), 'ok');
  assert.equal(uncached.verifyHeaderNow(`Bearer ${tokens[0]}`), undefined);
});
