// RequestRateLimiter through a real gateway: the in-memory buckets (no Redis configured), key
// resolvers, deny-empty-key, and the X-RateLimit-* headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '@stratus/core';
import { SignJWT } from 'jose';
import { client, startGateway, startUpstream } from './internal/test-servers.js';

const SECRET = 'rate-limit-secret-0123456789-0123456789-0123456789-0123456789-0123';

const limited = (origin: string, args: Record<string, string>, filters: unknown[] = []) => ({
  routes: [
    {
      id: 'limited',
      uri: origin,
      filters: [
        ...filters,
        {
          name: 'RequestRateLimiter',
          args: {
            'redis-rate-limiter.replenishRate': '1',
            'redis-rate-limiter.burstCapacity': '2',
            ...args,
          },
        },
      ],
    },
  ],
});

test('by client address: the burst passes with X-RateLimit headers, the next request gets 429 and never reaches the upstream', async (t) => {
  const upstream = await startUpstream(t);
  const clock = createManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const { url } = await startGateway(
    t,
    limited(upstream.origin, { 'key-resolver': '#{@remoteAddrKeyResolver}' }),
    { clock },
  );
  const request = client(t);
  const statuses: number[] = [];
  let last: Record<string, unknown> = {};
  for (let i = 0; i < 3; i++) {
    const response = await request(`${url}/x`);
    statuses.push(response.statusCode);
    last = response.headers;
    if (i === 0) {
      assert.equal(response.headers['x-ratelimit-remaining'], '1');
      assert.equal(response.headers['x-ratelimit-replenish-rate'], '1');
      assert.equal(response.headers['x-ratelimit-burst-capacity'], '2');
      assert.equal(response.headers['x-ratelimit-requested-tokens'], '1');
    }
    await response.body.dump();
  }
  assert.deepEqual(statuses, [200, 200, 429]);
  assert.equal(last['x-ratelimit-remaining'], '0');
  assert.equal(last['content-type'], 'application/problem+json');
  assert.equal(upstream.seen.length, 2);
  clock.advance(1_000);
  const after = await request(`${url}/x`);
  assert.equal(after.statusCode, 200, 'one token back after a second');
  await after.body.dump();
});

test('the default key resolver is the principal: no token → 403 (deny-empty-key), each user has a bucket', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    limited(upstream.origin, {}, ['AuthorizationHeaderFilter']),
    {
      settings: { jwt: { key: { secret: SECRET } }, rateLimiter: { denyEmptyKey: true } },
    },
  );
  const request = client(t);
  const token = (sub: string) =>
    new SignJWT({ sub })
      .setProtectedHeader({ alg: 'HS512' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
  const alice = `Bearer ${await token('alice')}`;
  const bob = `Bearer ${await token('bob')}`;
  const codes = [];
  for (const authorization of [alice, alice, alice, bob]) {
    const response = await request(`${url}/x`, { headers: { authorization } });
    codes.push(response.statusCode);
    await response.body.dump();
  }
  assert.deepEqual(codes, [200, 200, 429, 200]);
});

test('a key from a header, and deny-empty-key false lets keyless requests through unlimited', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    limited(upstream.origin, {
      'key-resolver': '#{@headerKeyResolver}',
      'key-resolver-header': 'X-Api-Key',
      'deny-empty-key': 'false',
    }),
  );
  const request = client(t);
  const codes = [];
  for (const key of ['k1', 'k1', 'k1', undefined, undefined, undefined]) {
    const response = await request(`${url}/x`, {
      headers: key === undefined ? {} : { 'x-api-key': key },
    });
    codes.push(response.statusCode);
    await response.body.dump();
  }
  assert.deepEqual(codes, [200, 200, 429, 200, 200, 200]);
});

test('an expression other than a bean reference, an unknown bean, or a missing replenishRate is refused at load', async (t) => {
  const { validateDefinitions } = await import('./internal/test-units.js');
  for (const args of [
    {
      'redis-rate-limiter.replenishRate': '1',
      'key-resolver': '#{T(java.lang.Runtime).getRuntime()}',
    },
    { 'redis-rate-limiter.replenishRate': '1', 'key-resolver': '#{@noSuchResolver}' },
    { 'redis-rate-limiter.burstCapacity': '1' },
    { 'redis-rate-limiter.replenishRate': '5', 'redis-rate-limiter.burstCapacity': '2' },
  ]) {
    assert.throws(
      () =>
        validateDefinitions({
          routes: [
            { id: 'r', uri: 'http://127.0.0.1:9', filters: [{ name: 'RequestRateLimiter', args }] },
          ],
        }),
      /GW_ERR_INVALID_ROUTE|Invalid gateway route/,
      JSON.stringify(args),
    );
  }
  void t;
});
