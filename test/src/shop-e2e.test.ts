// End-to-end: `stratus up` (= npm start) as a real process, the shop driven through the
// gateway only. DESIGN.md "Fixed contracts" is the specification; reliability.md §3.F the
// bad-input list.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignJWT, UnsecuredJWT } from 'jose';
import { call, eventually, freePort, isPortFree, tempDir, SEEDED_STOCK } from './support.js';

const CLI = fileURLToPath(new URL('../../packages/cli/bin/stratus.js', import.meta.url));
const TOKEN_SECRET =
  'stratus-dev-token-secret-change-me-5f1b9c2e7a4d48b0b1e3c6f9a2d7e4b8c1f0a3d6e9b2c5f8';

interface Up {
  child: ChildProcess;
  gateway: string;
  registry: string;
  output: string[];
  stop(): Promise<number | null>;
}

/** The fixed ports when they are free (the contract), otherwise free ones so a running dev stack does not break the test. */
async function ports(): Promise<{ registry: number; config: number; gateway: number }> {
  const fixed = { registry: 8761, config: 8888, gateway: 8000 };
  const allFree = (await Promise.all(Object.values(fixed).map(isPortFree))).every(Boolean);
  if (allFree) return fixed;
  return { registry: await freePort(), config: await freePort(), gateway: await freePort() };
}

async function stratusUp(t: TestContext, dataDir: string): Promise<Up> {
  const p = await ports();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'up',
      `--data-dir=${dataDir}`,
      `--registry-port=${p.registry}`,
      `--config-port=${p.config}`,
      `--gateway-port=${p.gateway}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('Stratus is up')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`stratus up exited with ${code}:\n${output.slice(-30).join('\n')}`)),
    );
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  t.after(async () => {
    await stop();
  });
  await ready;
  return {
    child,
    gateway: `http://127.0.0.1:${p.gateway}`,
    registry: `http://127.0.0.1:${p.registry}`,
    output,
    stop,
  };
}

interface Product {
  productId: string;
  stock: number;
}
interface Order {
  orderId: string;
  productId: string;
  qty: number;
  unitPrice: number;
  totalPrice: number;
  createdAt: string;
  status: string;
}

test(
  'npm start runs the whole shop; the flow works through the gateway and survives a restart',
  { timeout: 240_000 },
  async (t) => {
    const dataDir = await tempDir(t);
    const first = await stratusUp(t, dataDir);
    const G = first.gateway;

    // every process registered its real port
    const apps = await call<{
      applications: {
        application: Array<{ name: string; instance: Array<{ port: { $: number } }> }>;
      };
    }>(`${first.registry}/eureka/apps`, { headers: { accept: 'application/json' } });
    const names = apps.body.applications.application.map((a) => a.name).sort();
    for (const name of ['USER-SERVICE', 'CATALOG-SERVICE', 'ORDER-SERVICE', 'APIGATEWAY-SERVICE'])
      assert.ok(names.includes(name), name);
    for (const app of apps.body.applications.application)
      for (const i of app.instance) assert.ok(i.port.$ > 0);

    const catalog = await call<Product[]>(`${G}/catalog-service/catalogs`);
    assert.equal(catalog.status, 200);
    assert.deepEqual(
      catalog.body.map((p) => [p.productId, p.stock]),
      SEEDED_STOCK,
    );

    const signup = await call<{ email: string; name: string; userId: string }>(
      `${G}/user-service/users`,
      {
        json: { email: 'ada@example.com', name: 'Ada Lovelace', pwd: 'correct horse battery' },
      },
    );
    assert.equal(signup.status, 201);
    assert.deepEqual(Object.keys(signup.body).sort(), ['email', 'name', 'userId']);
    const { userId } = signup.body;

    const login = await call<{ token: string; userId: string }>(`${G}/user-service/login`, {
      json: { email: 'ada@example.com', password: 'correct horse battery' },
    });
    assert.equal(login.status, 200);
    const token = login.headers.get('token')!;
    assert.ok(token);
    assert.equal(login.headers.get('userid'), userId);
    assert.equal(login.body.token, token);
    const auth = { authorization: `Bearer ${token}` };

    const order = await call<Order>(`${G}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-001', qty: 3, unitPrice: 1500 },
      headers: auth,
    });
    assert.equal(order.status, 201);
    assert.equal(order.body.totalPrice, 4500);
    assert.equal(order.body.status, 'PENDING');

    const tooMany = await call<Order>(`${G}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-002', qty: 500, unitPrice: 1000 },
      headers: auth,
    });
    assert.equal(tooMany.status, 201);
    const unknown = await call<Order>(`${G}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-404', qty: 1, unitPrice: 1 },
      headers: auth,
    });
    assert.equal(unknown.status, 201);

    const settled = await eventually('orders settled', async () => {
      const list = await call<Order[]>(`${G}/order-service/${userId}/orders`, { headers: auth });
      return list.status === 200 && list.body.every((o) => o.status !== 'PENDING')
        ? list.body
        : undefined;
    });
    const statusOf = (id: string) => settled.find((o) => o.orderId === id)?.status;
    assert.equal(statusOf(order.body.orderId), 'CONFIRMED');
    assert.equal(statusOf(tooMany.body.orderId), 'REJECTED');
    assert.equal(statusOf(unknown.body.orderId), 'REJECTED');

    const after = await call<Product[]>(`${G}/catalog-service/catalogs`);
    assert.deepEqual(
      after.body.map((p) => p.stock),
      [97, 110, 120],
    );

    const detail = await call<{ email: string; userId: string; orders: Order[] }>(
      `${G}/user-service/users/${userId}`,
      { headers: auth },
    );
    assert.equal(detail.status, 200);
    assert.equal(detail.body.email, 'ada@example.com');
    assert.equal(detail.body.orders.length, 3);

    // bad input, every answer problem+json
    const problem = async (
      response: Promise<{ status: number; headers: Headers; body: unknown }>,
      status: number,
    ) => {
      const r = await response;
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
      return r.body as { code: string; detail: string };
    };
    await problem(
      call(`${G}/user-service/users`, {
        body: '{"email":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    const missing = await problem(
      call(`${G}/user-service/users`, { json: { email: 'x@example.com' } }),
      400,
    );
    assert.match(missing.detail, /name|pwd/);
    await problem(
      call(`${G}/user-service/users`, {
        json: { email: 'ada@example.com', name: 'Ada Again', pwd: 'another password' },
      }),
      409,
    );
    await problem(
      call(`${G}/user-service/login`, {
        json: { email: 'ada@example.com', password: 'wrong password' },
      }),
      401,
    );
    await problem(call(`${G}/user-service/users/${userId}`), 401);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(userId)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret'));
    await problem(
      call(`${G}/user-service/users/${userId}`, { headers: { authorization: `Bearer ${forged}` } }),
      401,
    );
    const none = new UnsecuredJWT({}).setSubject(userId).setExpirationTime('1h').encode();
    await problem(
      call(`${G}/order-service/${userId}/orders`, { headers: { authorization: `Bearer ${none}` } }),
      401,
    );
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(userId)
      .setIssuedAt(1_000_000)
      .setExpirationTime(1_000_060)
      .sign(new TextEncoder().encode(TOKEN_SECRET));
    await problem(
      call(`${G}/order-service/${userId}/orders`, {
        headers: { authorization: `Bearer ${expired}` },
      }),
      401,
    );
    await problem(
      call(`${G}/order-service/${userId}/orders`, {
        json: { productId: 'CATALOG-001', qty: 0, unitPrice: 1500 },
        headers: auth,
      }),
      400,
    );
    await problem(
      call(`${G}/order-service/${userId}/orders`, {
        json: { productId: 'CATALOG-001', qty: -2, unitPrice: 1500 },
        headers: auth,
      }),
      400,
    );
    const other = await call<{ userId: string }>(`${G}/user-service/users`, {
      json: { email: 'bob@example.com', name: 'Bob', pwd: 'bob password 1' },
    });
    await problem(call(`${G}/order-service/${other.body.userId}/orders`, { headers: auth }), 403);
    const joined = first.output.join('\n');
    assert.doesNotMatch(joined, /correct horse battery/);
    assert.ok(!joined.includes(token), 'no token in any log line');
    assert.ok(!joined.includes(TOKEN_SECRET), 'no token secret in any log line');

    // Ctrl-C stops everything gracefully; the data survives a restart
    assert.equal(await first.stop(), 0);
    const second = await stratusUp(t, dataDir);
    const again = await call<{ userId: string }>(`${second.gateway}/user-service/login`, {
      json: { email: 'ada@example.com', password: 'correct horse battery' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.userId, userId);
    const stock = await call<Product[]>(`${second.gateway}/catalog-service/catalogs`);
    assert.deepEqual(
      stock.body.map((p) => p.stock),
      [97, 110, 120],
    );
    assert.equal(await second.stop(), 0);
  },
);
