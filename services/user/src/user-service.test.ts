import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { Application } from '@stratus/boot';
import { issueToken } from '@stratus/boot';
import { createUserService } from './index.js';
import { captureLogger, standaloneArgs, tempDataDir } from '@stratus/testing';

const SECRET = 'user-service-test-secret-0123456789abcdef';
const PASSWORD = 'canary-Passw0rd-7f3a';
// Cheap argon2id costs keep the suite fast; production uses the defaults.
const CHEAP_ARGON2 = [
  '--shop.password.argon2.memory-cost=4096',
  '--shop.password.argon2.time-cost=1',
];

interface Started {
  app: Application;
  base: string;
  logs: () => string;
}

async function startUserService(
  t: { after(fn: () => Promise<void> | void): void },
  extra: string[] = [],
  env: Record<string, string> = {},
): Promise<Started> {
  const data = tempDataDir('user-service');
  const { logger, text } = captureLogger('user-service');
  const app = await createUserService({
    argv: standaloneArgs(data.dir, [
      ...CHEAP_ARGON2,
      ...(extra.length > 0 || env.TOKEN_SECRET ? extra : [`--token.secret=${SECRET}`]),
    ]),
    env,
    logger,
  });
  await app.start();
  t.after(async () => {
    await app.close();
    data.remove();
  });
  return { app, base: `http://127.0.0.1:${app.port}`, logs: text };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function signUpAndLogin(
  base: string,
  email = 'ada@example.com',
): Promise<{ userId: string; token: string }> {
  const created = await post(`${base}/users`, { email, name: 'Ada', pwd: PASSWORD });
  assert.equal(created.status, 201);
  const login = await post(`${base}/login`, { email, password: PASSWORD });
  assert.equal(login.status, 200);
  return (await login.json()) as { userId: string; token: string };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

test('signs up, logs in and reads the user detail with the token', async (t) => {
  const { base, logs } = await startUserService(t);
  const created = await post(`${base}/users`, {
    email: 'ada@example.com',
    name: 'Ada',
    pwd: PASSWORD,
  });
  assert.equal(created.status, 201);
  const user = (await created.json()) as { email: string; name: string; userId: string };
  assert.equal(user.email, 'ada@example.com');
  assert.equal(user.name, 'Ada');
  assert.match(user.userId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(Object.keys(user).sort(), ['email', 'name', 'userId']);

  const login = await post(`${base}/login`, { email: 'ada@example.com', password: PASSWORD });
  assert.equal(login.status, 200);
  const body = (await login.json()) as { token: string; userId: string };
  assert.equal(login.headers.get('token'), body.token);
  assert.equal(login.headers.get('userid'), user.userId);
  assert.equal(body.userId, user.userId);

  const detail = await fetch(`${base}/users/${user.userId}`, {
    headers: { authorization: `Bearer ${body.token}` },
  });
  assert.equal(detail.status, 200);
  // order-service is not reachable here (no registry): the fallback answers with no orders.
  assert.deepEqual(await detail.json(), {
    email: 'ada@example.com',
    name: 'Ada',
    userId: user.userId,
    orders: [],
    ordersUnavailable: true,
  });
  assert.match(logs(), /order-service unavailable/);
  assert.match(logs(), /HTTP_ERR_NO_INSTANCE/, 'the log names why');
});

test('answers a duplicate email with 409 SHOP_ERR_DUPLICATE_EMAIL, ignoring case', async (t) => {
  const { base } = await startUserService(t);
  assert.equal(
    (await post(`${base}/users`, { email: 'bob@example.com', name: 'Bob', pwd: PASSWORD })).status,
    201,
  );
  const again = await post(`${base}/users`, {
    email: 'BOB@example.com',
    name: 'Bobby',
    pwd: PASSWORD,
  });
  assert.equal(again.status, 409);
  assert.match(again.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await again.json()) as { code: string }).code, 'SHOP_ERR_DUPLICATE_EMAIL');
});

test('answers a wrong password and an unknown email with the same 401', async (t) => {
  const { base } = await startUserService(t);
  await signUpAndLogin(base);
  const wrong = await post(`${base}/login`, {
    email: 'ada@example.com',
    password: 'not-the-password',
  });
  const unknown = await post(`${base}/login`, { email: 'nobody@example.com', password: PASSWORD });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  const a = (await wrong.json()) as { code: string; detail: string };
  const b = (await unknown.json()) as { code: string; detail: string };
  assert.equal(a.code, 'SHOP_ERR_BAD_CREDENTIALS');
  assert.equal(a.detail, b.detail);
  assert.equal(wrong.headers.get('token'), null);
});

test('rejects malformed JSON, missing and invalid fields with 400 problems naming the field', async (t) => {
  const { base } = await startUserService(t);
  const malformed = await post(`${base}/users`, '{"email": "x@example.com", ');
  assert.equal(malformed.status, 400);
  assert.match(malformed.headers.get('content-type') ?? '', /^application\/problem\+json/);

  const missing = await post(`${base}/users`, { email: 'x@example.com', name: 'Xavier' });
  assert.equal(missing.status, 400);
  const problem = (await missing.json()) as { code: string; errors: Array<{ field: string }> };
  assert.equal(problem.code, 'BOOT_ERR_VALIDATION');
  assert.ok(problem.errors.some((e) => e.field === 'pwd'));

  const cases: Array<[Record<string, unknown>, string]> = [
    [{ email: 'not-an-email', name: 'Xavier', pwd: PASSWORD }, 'email'],
    [{ email: `${'a'.repeat(250)}@example.com`, name: 'Xavier', pwd: PASSWORD }, 'email'],
    [{ email: 'x@example.com', name: 'X', pwd: PASSWORD }, 'name'],
    [{ email: 'x@example.com', name: 'N'.repeat(51), pwd: PASSWORD }, 'name'],
    [{ email: 'x@example.com', name: 'Xavier', pwd: 'short' }, 'pwd'],
    [{ email: 'x@example.com', name: 'Xavier', pwd: 'p'.repeat(129) }, 'pwd'],
  ];
  for (const [body, field] of cases) {
    const res = await post(`${base}/users`, body);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
    const p = (await res.json()) as { errors: Array<{ field: string }> };
    assert.ok(
      p.errors.some((e) => e.field === field),
      `names ${field}`,
    );
  }
  const loginMissing = await post(`${base}/login`, { email: 'x@example.com' });
  assert.equal(loginMissing.status, 400);
  assert.ok(
    ((await loginMissing.json()) as { errors: Array<{ field: string }> }).errors.some(
      (e) => e.field === 'password',
    ),
  );
  const proto = await post(
    `${base}/users`,
    '{"__proto__":{"x":1},"email":"p@example.com","name":"Pat","pwd":"longenough"}',
  );
  assert.equal(proto.status, 400);
});

test('answers 401 with WWW-Authenticate for missing, forged, alg none, tampered and expired tokens', async (t) => {
  const { base } = await startUserService(t);
  const { userId, token } = await signUpAndLogin(base);
  const now = Math.floor(Date.now() / 1000);
  const [header, , signature] = token.split('.');
  const forged = await issueToken({
    subject: userId,
    secret: 'another-secret-that-is-long-enough-0000',
    expiresInMs: 60_000,
  });
  const expired = await issueToken({ subject: userId, secret: SECRET, expiresInMs: -120_000 });
  const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: userId, exp: now + 600 })}.`;
  const tampered = `${header}.${b64url({ sub: 'someone-else', exp: now + 600 })}.${signature}`;
  const cases: Array<[string, Record<string, string>]> = [
    ['missing', {}],
    ['not bearer', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['garbage', { authorization: 'Bearer not.a.jwt' }],
    ['forged', { authorization: `Bearer ${forged}` }],
    ['alg none', { authorization: `Bearer ${none}` }],
    ['tampered', { authorization: `Bearer ${tampered}` }],
    ['expired', { authorization: `Bearer ${expired}` }],
    ['oversized', { authorization: `Bearer ${'a'.repeat(9000)}` }],
  ];
  for (const [name, headers] of cases) {
    const res = await fetch(`${base}/users/${userId}`, { headers });
    assert.equal(res.status, 401, name);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/, name);
    assert.equal(((await res.json()) as { code: string }).code, 'SHOP_ERR_UNAUTHORIZED', name);
  }
});

test("answers 403 for another user's id and 404 for a valid token of an unknown user", async (t) => {
  const { base } = await startUserService(t);
  const ada = await signUpAndLogin(base, 'ada@example.com');
  const bob = await signUpAndLogin(base, 'bob@example.com');
  const res = await fetch(`${base}/users/${bob.userId}`, {
    headers: { authorization: `Bearer ${ada.token}` },
  });
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { code: string }).code, 'SHOP_ERR_FORBIDDEN');
  const ghost = await issueToken({ subject: 'no-such-user', secret: SECRET, expiresInMs: 60_000 });
  const missing = await fetch(`${base}/users/no-such-user`, {
    headers: { authorization: `Bearer ${ghost}` },
  });
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, 'SHOP_ERR_USER_NOT_FOUND');
});

test("includes the user's orders from order-service, forwarding the caller's token", async (t) => {
  const upstream = Fastify();
  let seenAuthorization: string | undefined;
  upstream.get('/:userId/orders', async (request) => {
    seenAuthorization = request.headers.authorization;
    return [
      {
        orderId: 'o-1',
        productId: 'CATALOG-001',
        qty: 2,
        unitPrice: 1500,
        totalPrice: 3000,
        status: 'CONFIRMED',
      },
    ];
  });
  await upstream.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => upstream.close());
  const address = upstream.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const { base } = await startUserService(t, [
    `--token.secret=${SECRET}`,
    `--shop.order-service.url=http://127.0.0.1:${port}`,
  ]);
  const { userId, token } = await signUpAndLogin(base);
  const res = await fetch(`${base}/users/${userId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { orders: Array<{ orderId: string }> };
  assert.deepEqual(
    body.orders.map((o) => o.orderId),
    ['o-1'],
  );
  assert.equal(seenAuthorization, `Bearer ${token}`);
});

test('health_check names the port and token lifetime but never the secret', async (t) => {
  const { app, base } = await startUserService(t);
  const res = await fetch(`${base}/health_check`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, new RegExp(`It's Working in User Service on PORT ${app.port}`));
  assert.match(text, /token\.expiration_time=86400000/);
  assert.ok(!text.includes(SECRET));
});

test('refuses to start without a token secret of at least 32 characters', async () => {
  for (const extra of [[], ['--token.secret=too-short']]) {
    const data = tempDataDir('user-service');
    try {
      await assert.rejects(
        createUserService({
          argv: standaloneArgs(data.dir, extra),
          env: {},
          logger: captureLogger('u').logger,
        }),
        (error: { code?: string; details?: { problems?: string[] } }) => {
          assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
          assert.ok(error.details?.problems?.some((p) => p.startsWith('token.secret')));
          return true;
        },
      );
    } finally {
      data.remove();
    }
  }
});

test('a configuration refresh changes the signing secret for the next login, and an invalid one is rejected', async (t) => {
  const env: Record<string, string> = { TOKEN_SECRET: SECRET };
  const { app, base } = await startUserService(t, [], env);
  const first = await signUpAndLogin(base);
  env.TOKEN_SECRET = `${SECRET}-rotated`;
  assert.ok((await app.config.refresh()).includes('token.secret'));
  const old = await fetch(`${base}/users/${first.userId}`, {
    headers: { authorization: `Bearer ${first.token}` },
  });
  assert.equal(old.status, 401);
  const login = await post(`${base}/login`, { email: 'ada@example.com', password: PASSWORD });
  const { token } = (await login.json()) as { token: string };
  const fresh = await fetch(`${base}/users/${first.userId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(fresh.status, 200);

  env.TOKEN_SECRET = 'short';
  await assert.rejects(
    app.config.refresh(),
    (error: { code?: string }) => error.code === 'BOOT_ERR_REFRESH_REJECTED',
  );
  assert.equal(app.config.getString('token.secret'), `${SECRET}-rotated`);
});

test('never logs the password, the token or the secret', async (t) => {
  const { base, logs } = await startUserService(t);
  const { userId, token } = await signUpAndLogin(base);
  await post(`${base}/login`, { email: 'ada@example.com', password: `${PASSWORD}-wrong` });
  await fetch(`${base}/users/${userId}`, { headers: { authorization: `Bearer ${token}` } });
  await fetch(`${base}/users/${userId}`, { headers: { authorization: `Bearer ${token}x` } });
  const text = logs();
  assert.ok(text.length > 0);
  assert.ok(!text.includes(PASSWORD), 'password');
  assert.ok(!text.includes(token), 'token');
  assert.ok(!text.includes(token.split('.')[2]!), 'token signature');
  assert.ok(!text.includes(SECRET), 'secret');
});
