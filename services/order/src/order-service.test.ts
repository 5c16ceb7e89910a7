import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueToken, type Application } from '@stratus/boot';
import type { Message } from '@stratus/messaging';
import { createOrderService } from './index.js';
import { captureLogger, eventually, standaloneArgs, tempDataDir } from '@stratus/testing';

const SECRET = 'order-service-test-secret-0123456789abcdef';

interface Started {
  app: Application;
  base: string;
  logs: () => string;
  /** Every order.created message published so far. */
  created: Message[];
}

async function startOrderService(t: {
  after(fn: () => Promise<void> | void): void;
}): Promise<Started> {
  const data = tempDataDir('order-service');
  const { logger, text } = captureLogger('order-service');
  const app = await createOrderService({
    argv: standaloneArgs(data.dir, [`--token.secret=${SECRET}`]),
    env: {},
    logger,
  });
  await app.start();
  const created: Message[] = [];
  const watcher = await app.messaging.subscribe({
    topics: ['order.created'],
    groupId: 'test-observer',
    handler: async (m) => {
      created.push(m);
    },
  });
  t.after(async () => {
    await watcher.close();
    await app.close();
    data.remove();
  });
  return { app, base: `http://127.0.0.1:${app.port}`, logs: text, created };
}

function tokenFor(userId: string, expiresInMs = 60_000, secret = SECRET): Promise<string> {
  return issueToken({ subject: userId, secret, expiresInMs });
}

async function placeOrder(
  base: string,
  userId: string,
  token: string,
  body: unknown,
): Promise<Response> {
  return fetch(`${base}/${userId}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function orderStatus(base: string, orderId: string, token: string): Promise<string> {
  const res = await fetch(`${base}/orders/${orderId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { status: string }).status;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

test('places an order as PENDING and publishes order.created from the outbox', async (t) => {
  const { base, created } = await startOrderService(t);
  const token = await tokenFor('user-1');
  const res = await placeOrder(base, 'user-1', token, {
    productId: 'CATALOG-001',
    qty: 3,
    unitPrice: 1500,
  });
  assert.equal(res.status, 201);
  const order = (await res.json()) as {
    orderId: string;
    productId: string;
    qty: number;
    unitPrice: number;
    totalPrice: number;
    createdAt: string;
    status: string;
  };
  assert.deepEqual(
    { ...order, orderId: undefined, createdAt: undefined },
    {
      orderId: undefined,
      createdAt: undefined,
      productId: 'CATALOG-001',
      qty: 3,
      unitPrice: 1500,
      totalPrice: 4500,
      status: 'PENDING',
    },
  );
  assert.equal(new Date(order.createdAt).toISOString(), order.createdAt);
  const event = await eventually(async () => created.find((m) => m.key === order.orderId));
  assert.equal(event.id, `order-created-${order.orderId}`);
  assert.equal(event.headers.type, 'order.created');
  assert.deepEqual(event.json(), {
    orderId: order.orderId,
    userId: 'user-1',
    productId: 'CATALOG-001',
    qty: 3,
    unitPrice: 1500,
    totalPrice: 4500,
  });
});

test("lists a user's orders newest first and shows one order only to its owner", async (t) => {
  const { base } = await startOrderService(t);
  const token = await tokenFor('user-1');
  const ids: string[] = [];
  for (const qty of [1, 2, 3]) {
    const res = await placeOrder(base, 'user-1', token, {
      productId: 'CATALOG-002',
      qty,
      unitPrice: 1000,
    });
    ids.push(((await res.json()) as { orderId: string }).orderId);
  }
  const list = await fetch(`${base}/user-1/orders`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(list.status, 200);
  assert.deepEqual(
    ((await list.json()) as Array<{ orderId: string }>).map((o) => o.orderId),
    [...ids].reverse(),
  );

  const other = await tokenFor('user-2');
  const empty = await fetch(`${base}/user-2/orders`, {
    headers: { authorization: `Bearer ${other}` },
  });
  assert.deepEqual(await empty.json(), []);
  const hidden = await fetch(`${base}/orders/${ids[0]}`, {
    headers: { authorization: `Bearer ${other}` },
  });
  assert.equal(hidden.status, 404);
  assert.equal(((await hidden.json()) as { code: string }).code, 'SHOP_ERR_ORDER_NOT_FOUND');
  assert.equal(await orderStatus(base, ids[0]!, token), 'PENDING');
});

test('answers 401 for missing, forged, alg none and expired tokens and 403 for another user', async (t) => {
  const { base, created } = await startOrderService(t);
  const body = { productId: 'CATALOG-001', qty: 1, unitPrice: 1500 };
  const now = Math.floor(Date.now() / 1000);
  const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'user-1', exp: now + 600 })}.`;
  const cases: Array<[string, string | null]> = [
    ['missing', null],
    ['forged', await tokenFor('user-1', 60_000, 'a-different-secret-of-enough-length-123')],
    ['alg none', none],
    ['expired', await tokenFor('user-1', -120_000)],
  ];
  for (const [name, token] of cases) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    };
    const post = await fetch(`${base}/user-1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    assert.equal(post.status, 401, name);
    assert.match(post.headers.get('www-authenticate') ?? '', /^Bearer/, name);
    const list = await fetch(`${base}/user-1/orders`, { headers });
    assert.equal(list.status, 401, name);
  }
  const bob = await tokenFor('user-2');
  const forbidden = await placeOrder(base, 'user-1', bob, body);
  assert.equal(forbidden.status, 403);
  assert.equal(((await forbidden.json()) as { code: string }).code, 'SHOP_ERR_FORBIDDEN');
  assert.equal(
    (await fetch(`${base}/user-1/orders`, { headers: { authorization: `Bearer ${bob}` } })).status,
    403,
  );
  assert.equal(created.length, 0);
});

test('rejects invalid quantities, prices, product ids and malformed JSON with 400', async (t) => {
  const { base } = await startOrderService(t);
  const token = await tokenFor('user-1');
  const cases: Array<[unknown, string]> = [
    [{ productId: 'CATALOG-001', qty: 0, unitPrice: 1500 }, 'qty'],
    [{ productId: 'CATALOG-001', qty: -2, unitPrice: 1500 }, 'qty'],
    [{ productId: 'CATALOG-001', qty: 1.5, unitPrice: 1500 }, 'qty'],
    [{ productId: 'CATALOG-001', qty: 10_001, unitPrice: 1500 }, 'qty'],
    [{ productId: 'CATALOG-001', qty: 1, unitPrice: 0 }, 'unitPrice'],
    [{ productId: 'CATALOG-001', qty: 1, unitPrice: 1_000_000_001 }, 'unitPrice'],
    [{ productId: 'catalog-001', qty: 1, unitPrice: 1500 }, 'productId'],
    [{ productId: '../etc/passwd', qty: 1, unitPrice: 1500 }, 'productId'],
    [{ qty: 1, unitPrice: 1500 }, 'productId'],
  ];
  for (const [body, field] of cases) {
    const res = await placeOrder(base, 'user-1', token, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const problem = (await res.json()) as { code: string; errors: Array<{ field: string }> };
    assert.equal(problem.code, 'BOOT_ERR_VALIDATION');
    assert.ok(
      problem.errors.some((e) => e.field === field),
      `names ${field}`,
    );
  }
  const malformed = await placeOrder(base, 'user-1', token, '{"productId": ');
  assert.equal(malformed.status, 400);
  assert.match(malformed.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const list = await fetch(`${base}/user-1/orders`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.deepEqual(await list.json(), []);
});

test('moves an order to CONFIRMED on stock.reserved and REJECTED on stock.rejected, once', async (t) => {
  const { app, base, logs } = await startOrderService(t);
  const token = await tokenFor('user-1');
  const place = async (qty: number) =>
    (
      (await (
        await placeOrder(base, 'user-1', token, { productId: 'CATALOG-003', qty, unitPrice: 2000 })
      ).json()) as { orderId: string }
    ).orderId;
  const confirmed = await place(1);
  const rejected = await place(500);
  await app.messaging.publish([
    {
      topic: 'stock.reserved',
      key: confirmed,
      id: `stock-${confirmed}`,
      headers: { type: 'stock.reserved' },
      payload: JSON.stringify({ orderId: confirmed, productId: 'CATALOG-003', qty: 1 }),
    },
    {
      topic: 'stock.rejected',
      key: rejected,
      id: `stock-${rejected}`,
      headers: { type: 'stock.rejected' },
      payload: JSON.stringify({
        orderId: rejected,
        productId: 'CATALOG-003',
        qty: 500,
        reason: 'OUT_OF_STOCK',
      }),
    },
  ]);
  await eventually(async () =>
    (await orderStatus(base, rejected, token)) === 'REJECTED' ? true : undefined,
  );
  await eventually(async () =>
    (await orderStatus(base, confirmed, token)) === 'CONFIRMED' ? true : undefined,
  );
  // A redelivery, a late contradicting event and a malformed one change nothing.
  await app.messaging.publish([
    {
      topic: 'stock.reserved',
      key: confirmed,
      id: `stock-${confirmed}`,
      payload: JSON.stringify({ orderId: confirmed }),
    },
    {
      topic: 'stock.reserved',
      key: rejected,
      id: 'late-contradiction',
      payload: JSON.stringify({ orderId: rejected }),
    },
    { topic: 'stock.reserved', key: 'x', payload: '{not json' },
  ]);
  await eventually(async () =>
    logs().includes('malformed stock event skipped') ? true : undefined,
  );
  assert.equal(await orderStatus(base, confirmed, token), 'CONFIRMED');
  assert.equal(await orderStatus(base, rejected, token), 'REJECTED');
});

test('refuses to start without a token secret of at least 32 characters', async () => {
  const data = tempDataDir('order-service');
  try {
    await assert.rejects(
      createOrderService({
        argv: standaloneArgs(data.dir, ['--token.secret=short']),
        env: {},
        logger: captureLogger('o').logger,
      }),
      (error: { code?: string }) => error.code === 'BOOT_ERR_INVALID_CONFIG',
    );
  } finally {
    data.remove();
  }
});

test('never logs the token or the secret', async (t) => {
  const { base, logs } = await startOrderService(t);
  const token = await tokenFor('user-1');
  await placeOrder(base, 'user-1', token, { productId: 'CATALOG-001', qty: 1, unitPrice: 1500 });
  await fetch(`${base}/user-1/orders`, { headers: { authorization: `Bearer ${token}x` } });
  const text = logs();
  assert.ok(text.includes('order created'));
  assert.ok(!text.includes(token.split('.')[2]!), 'token');
  assert.ok(!text.includes(SECRET), 'secret');
});
