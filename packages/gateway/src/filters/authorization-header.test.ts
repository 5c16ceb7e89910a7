import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '@stratus/core';
import { SignJWT } from 'jose';
import { GatewayErrors, responseOf } from '../errors.js';
import { exchange, filter } from '../internal/test-units.js';
import { authorizationHeaderFilterFactory } from './authorization-header.js';

const secret = 'user_token_native_user_service_default_secret_key_at_least_64_bytes_long_!!';
const key = new TextEncoder().encode(secret);
const clock = createManualClock(Date.parse('2025-01-01T00:00:00Z'));

const sign = (claims: Record<string, unknown>, alg = 'HS512', expSeconds = 3600): Promise<string> =>
  new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setIssuedAt(Math.floor(clock.now() / 1000))
    .setExpirationTime(Math.floor(clock.now() / 1000) + expSeconds)
    .sign(key);

const run = async (authorization: string | undefined, headers: Record<string, string> = {}) => {
  const f = filter(authorizationHeaderFilterFactory, 'AuthorizationHeaderFilter', {
    settings: { jwt: { key: { secret } } },
    clock,
  });
  const ex = exchange({
    requestHeaders: { ...headers, ...(authorization === undefined ? {} : { authorization }) },
  });
  await f.pre?.(ex);
  return ex;
};

const rejects401 = (error: unknown): boolean =>
  GatewayErrors.UNAUTHORIZED.is(error) &&
  error.httpStatus === 401 &&
  responseOf(error)?.headers?.['www-authenticate'] === 'Bearer';

test('a valid HS512 token passes and its subject replaces any incoming X-User-Id', async () => {
  const ex = await run(`Bearer ${await sign({ sub: 'user-1' })}`, { 'x-user-id': 'admin' });
  assert.equal(ex.requestHeaders['x-user-id'], 'user-1');
  assert.ok(ex.requestHeaders['authorization']);
});

test('missing, non-bearer and expired tokens get 401', async () => {
  await assert.rejects(run(undefined), rejects401);
  await assert.rejects(run('Basic dXNlcjpwYXNz'), rejects401);
  const token = await sign({ sub: 'u' }, 'HS512', 60);
  clock.advance(120_000);
  try {
    await assert.rejects(run(`Bearer ${token}`), rejects401);
  } finally {
    clock.advance(-120_000);
  }
});

test('a token without sub gets 401', async () => {
  await assert.rejects(run(`Bearer ${await sign({})}`), rejects401);
});

test('without a verification key the filter refuses to be created at runtime but validates at parse time', () => {
  assert.throws(
    () => filter(authorizationHeaderFilterFactory, 'AuthorizationHeaderFilter'),
    /token\.secret/,
  );
  assert.ok(
    filter(authorizationHeaderFilterFactory, 'AuthorizationHeaderFilter', { validateOnly: true }),
  );
});
