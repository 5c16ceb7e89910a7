import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { createManualClock } from '@stratus/core';
import { SignJWT, base64url } from 'jose';
import {
  client,
  startGateway,
  startUpstream,
  staticBalancer,
  type SeenRequest,
} from './internal/test-servers.js';

// Hostile-input suite for AuthorizationHeaderFilter through the real proxy (reliability.md §3.F 27).
const SECRET = 'jwt-suite-secret-0123456789-0123456789-0123456789-0123456789-abcdef';
const KEY = new TextEncoder().encode(SECRET);
const NOW = Date.parse('2025-06-01T12:00:00Z');
const nowSec = Math.floor(NOW / 1000);

const sign = (
  options: {
    alg?: string;
    key?: Uint8Array;
    sub?: string | null;
    exp?: number;
    extra?: Record<string, unknown>;
  } = {},
): Promise<string> => {
  const jwt = new SignJWT({
    ...(options.sub === null ? {} : { sub: options.sub ?? 'user-42' }),
    ...options.extra,
  })
    .setProtectedHeader({ alg: options.alg ?? 'HS512' })
    .setIssuedAt(nowSec - 10)
    .setExpirationTime(options.exp ?? nowSec + 3600);
  return jwt.sign(options.key ?? KEY);
};

const encode = (value: unknown): string => base64url.encode(JSON.stringify(value));

async function setup(t: TestContext) {
  const upstream = await startUpstream(t);
  const clock = createManualClock(NOW);
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'user-service',
          uri: 'lb://USER-SERVICE',
          predicates: ['Path=/user-service/**', 'Method=GET'],
          filters: [
            'RewritePath=/user-service/(?<segment>.*), /$\\{segment}',
            'AuthorizationHeaderFilter',
          ],
        },
      ],
    },
    {
      settings: { jwt: { key: { secret: SECRET } } },
      clock,
      loadBalancer: staticBalancer({ 'USER-SERVICE': [upstream.origin] }),
    },
  );
  const request = client(t);
  const call = async (authorization?: string) => {
    const response = await request(`${url}/user-service/users/1`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: await response.body.text(),
    };
  };
  return { upstream, call, clock };
}

async function assertRejected(
  call: (
    authorization?: string,
  ) => Promise<{ status: number; headers: Record<string, unknown>; body: string }>,
  authorization: string | undefined,
  label: string,
): Promise<string> {
  const response = await call(authorization);
  assert.equal(response.status, 401, label);
  assert.equal(response.headers['www-authenticate'], 'Bearer', label);
  assert.equal(response.headers['content-type'], 'application/problem+json', label);
  const { traceId, ...problem } = JSON.parse(response.body) as { code: string; traceId?: string };
  assert.equal(problem.code, 'GW_ERR_UNAUTHORIZED', label);
  assert.equal(typeof traceId, 'string', label);
  // The trace id differs per request; the rest must not vary with the failure.
  return JSON.stringify(problem);
}

test('a valid HS512 token reaches the upstream with the subject as X-User-Id', async (t) => {
  const { upstream, call } = await setup(t);
  const response = await call(`Bearer ${await sign()}`);
  assert.equal(response.status, 200);
  assert.equal((JSON.parse(response.body) as SeenRequest).headers['x-user-id'], 'user-42');
  assert.equal(upstream.seen.length, 1);
});

test('an HS256 token signed with the secret is accepted', async (t) => {
  const { call } = await setup(t);
  assert.equal((await call(`Bearer ${await sign({ alg: 'HS256' })}`)).status, 200);
});

test('missing, wrong-scheme and empty bearer tokens get 401 and never reach the upstream', async (t) => {
  const { upstream, call } = await setup(t);
  await assertRejected(call, undefined, 'missing');
  await assertRejected(call, 'Basic dXNlcjpwYXNz', 'basic');
  await assertRejected(call, 'Bearer ', 'empty');
  await assertRejected(call, 'Bearer', 'bare');
  assert.equal(upstream.seen.length, 0);
});

test('a token signed with another secret gets 401', async (t) => {
  const { upstream, call } = await setup(t);
  await assertRejected(
    call,
    `Bearer ${await sign({ key: new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret-not-the-secret-0000') })}`,
    'wrong secret',
  );
  assert.equal(upstream.seen.length, 0);
});

test('alg none, with or without a signature segment, gets 401', async (t) => {
  const { upstream, call } = await setup(t);
  const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'admin', exp: nowSec + 3600 })}`;
  await assertRejected(call, `Bearer ${unsigned}.`, 'alg none');
  await assertRejected(call, `Bearer ${unsigned}.c2ln`, 'alg none with signature');
  assert.equal(upstream.seen.length, 0);
});

test('algorithms outside the HS512/HS256 allowlist get 401, including an RS256 token', async (t) => {
  const { call } = await setup(t);
  await assertRejected(call, `Bearer ${await sign({ alg: 'HS384' })}`, 'HS384');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rs = await new SignJWT({ sub: 'admin' })
    .setProtectedHeader({ alg: 'RS256' })
    .setExpirationTime(nowSec + 3600)
    .sign(privateKey);
  await assertRejected(call, `Bearer ${rs}`, 'RS256');
});

test('an expired token gets 401 once the clock passes exp plus the tolerance', async (t) => {
  const { call, clock } = await setup(t);
  const token = await sign({ exp: nowSec + 60 });
  assert.equal((await call(`Bearer ${token}`)).status, 200);
  clock.advance(60_000 + 31_000);
  await assertRejected(call, `Bearer ${token}`, 'expired');
});

test('a token with nbf in the future, without exp or without sub gets 401', async (t) => {
  const { call } = await setup(t);
  await assertRejected(call, `Bearer ${await sign({ extra: { nbf: nowSec + 600 } })}`, 'nbf');
  await assertRejected(
    call,
    `Bearer ${await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'HS512' }).sign(KEY)}`,
    'no exp',
  );
  await assertRejected(call, `Bearer ${await sign({ sub: null })}`, 'no sub');
  await assertRejected(call, `Bearer ${await sign({ sub: '' })}`, 'empty sub');
});

test('malformed tokens get 401 with the same constant body', async (t) => {
  const { upstream, call } = await setup(t);
  const valid = await sign();
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const tampered = `${header}.${encode({ sub: 'admin', exp: nowSec + 3600 })}.${signature}`;
  const bodies = new Set<string>();
  for (const [label, authorization] of [
    ['garbage', 'Bearer abc'],
    ['bad base64', 'Bearer @@@.###.$$$'],
    ['extra segment', `Bearer ${valid}.extra`],
    ['tampered payload', `Bearer ${tampered}`],
    ['not json', `Bearer ${base64url.encode('not json')}.${payload}.${signature}`],
    ['two tokens', `Bearer ${valid} ${valid}`],
    ['oversized', `Bearer ${header}.${base64url.encode('x'.repeat(9000))}.${signature}`],
  ] as const) {
    bodies.add(await assertRejected(call, authorization, label));
  }
  assert.equal(bodies.size, 1, 'the 401 body must not vary with the failure');
  assert.equal(upstream.seen.length, 0);
});

test('a subject with control characters cannot inject a header', async (t) => {
  const { upstream, call } = await setup(t);
  await assertRejected(call, `Bearer ${await sign({ sub: 'u\r\nX-Admin: true' })}`, 'crlf sub');
  assert.equal(upstream.seen.length, 0);
});
