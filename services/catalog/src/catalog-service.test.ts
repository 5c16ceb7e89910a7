import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Application } from '@stratus/boot';
import type { Message } from '@stratus/messaging';
import { createCatalogService } from './index.js';
import { captureLogger, eventually, standaloneArgs, tempDataDir } from '@stratus/testing';

interface Started {
  app: Application;
  base: string;
  logs: () => string;
  /** Every stock.reserved / stock.rejected message seen so far. */
  decisions: Message[];
}

async function startCatalogService(t: {
  after(fn: () => Promise<void> | void): void;
}): Promise<Started> {
  const data = tempDataDir('catalog-service');
  const { logger, text } = captureLogger('catalog-service');
  const app = await createCatalogService({ argv: standaloneArgs(data.dir), env: {}, logger });
  await app.start();
  const decisions: Message[] = [];
  const watcher = await app.messaging.subscribe({
    topics: ['stock.reserved', 'stock.rejected'],
    groupId: 'test-observer',
    handler: async (m) => {
      decisions.push(m);
    },
  });
  t.after(async () => {
    await watcher.close();
    await app.close();
    data.remove();
  });
  return { app, base: `http://127.0.0.1:${app.port}`, logs: text, decisions };
}

async function stockOf(base: string, productId: string): Promise<number> {
  const res = await fetch(`${base}/catalogs/${productId}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { stock: number }).stock;
}

function orderCreated(
  orderId: string,
  productId: string,
  qty: number,
  id = `order-created-${orderId}`,
) {
  return {
    topic: 'order.created',
    key: orderId,
    id,
    headers: { type: 'order.created' },
    payload: JSON.stringify({
      orderId,
      userId: 'u-1',
      productId,
      qty,
      unitPrice: 1500,
      totalPrice: qty * 1500,
    }),
  };
}

test('lists the seeded catalog with ISO timestamps', async (t) => {
  const { base } = await startCatalogService(t);
  const res = await fetch(`${base}/catalogs`);
  assert.equal(res.status, 200);
  const list = (await res.json()) as Array<{
    productId: string;
    productName: string;
    unitPrice: number;
    stock: number;
    createdAt: string;
  }>;
  assert.deepEqual(
    list.map(({ productId, productName, unitPrice, stock }) => ({
      productId,
      productName,
      unitPrice,
      stock,
    })),
    [
      { productId: 'CATALOG-001', productName: 'Berlin', unitPrice: 1500, stock: 100 },
      { productId: 'CATALOG-002', productName: 'Tokyo', unitPrice: 1000, stock: 110 },
      { productId: 'CATALOG-003', productName: 'Stockholm', unitPrice: 2000, stock: 120 },
    ],
  );
  for (const p of list) assert.equal(new Date(p.createdAt).toISOString(), p.createdAt);
});

test('answers an unknown product with 404 problem+json', async (t) => {
  const { base } = await startCatalogService(t);
  const res = await fetch(`${base}/catalogs/CATALOG-999`);
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await res.json()) as { code: string }).code, 'SHOP_ERR_PRODUCT_NOT_FOUND');
});

test('reserves stock for an order.created event and publishes stock.reserved', async (t) => {
  const { app, base, decisions } = await startCatalogService(t);
  await app.messaging.publish(orderCreated('o-1', 'CATALOG-001', 3));
  const decision = await eventually(async () => decisions.find((m) => m.key === 'o-1'));
  assert.equal(decision.topic, 'stock.reserved');
  assert.equal(decision.id, 'stock-o-1');
  assert.equal(decision.headers.type, 'stock.reserved');
  assert.deepEqual(decision.json(), { orderId: 'o-1', productId: 'CATALOG-001', qty: 3 });
  assert.equal(await stockOf(base, 'CATALOG-001'), 97);
});

test('rejects an order for more than the stock or for an unknown product, leaving stock unchanged', async (t) => {
  const { app, base, decisions } = await startCatalogService(t);
  await app.messaging.publish([
    orderCreated('o-big', 'CATALOG-002', 111),
    orderCreated('o-unknown', 'CATALOG-404', 1),
  ]);
  const big = await eventually(async () => decisions.find((m) => m.key === 'o-big'));
  const unknown = await eventually(async () => decisions.find((m) => m.key === 'o-unknown'));
  assert.equal(big.topic, 'stock.rejected');
  assert.deepEqual(big.json(), {
    orderId: 'o-big',
    productId: 'CATALOG-002',
    qty: 111,
    reason: 'OUT_OF_STOCK',
  });
  assert.equal(unknown.topic, 'stock.rejected');
  assert.equal((unknown.json() as { reason: string }).reason, 'UNKNOWN_PRODUCT');
  assert.equal(await stockOf(base, 'CATALOG-002'), 110);
});

test('a duplicate order.created delivery changes stock once and decides once', async (t) => {
  const { app, base, decisions } = await startCatalogService(t);
  const event = orderCreated('o-dup', 'CATALOG-003', 5);
  await app.messaging.publish([event, event]);
  // Same order, another message id: still one outcome.
  await app.messaging.publish(orderCreated('o-dup', 'CATALOG-003', 5, 'a-different-message-id'));
  await app.messaging.publish(orderCreated('o-after', 'CATALOG-003', 1));
  await eventually(async () => decisions.find((m) => m.key === 'o-after'));
  assert.equal(await stockOf(base, 'CATALOG-003'), 120 - 5 - 1);
  assert.equal(decisions.filter((m) => m.key === 'o-dup').length, 1);
});

test('drains stock to zero and never below under a burst of orders', async (t) => {
  const { app, base, decisions } = await startCatalogService(t);
  const orders = Array.from({ length: 30 }, (_, i) => orderCreated(`burst-${i}`, 'CATALOG-001', 4));
  await app.messaging.publish(orders);
  await eventually(async () => (decisions.length >= 30 ? true : undefined));
  assert.equal(decisions.filter((m) => m.topic === 'stock.reserved').length, 25);
  assert.equal(decisions.filter((m) => m.topic === 'stock.rejected').length, 5);
  assert.equal(await stockOf(base, 'CATALOG-001'), 0);
});

test('logs and skips malformed order.created payloads without stopping the consumer', async (t) => {
  const { app, base, decisions, logs } = await startCatalogService(t);
  await app.messaging.publish([
    { topic: 'order.created', key: 'bad-1', payload: 'not json {' },
    {
      topic: 'order.created',
      key: 'bad-2',
      payload: JSON.stringify({ orderId: 'bad-2', productId: 'CATALOG-001', qty: -4 }),
    },
    { topic: 'order.created', key: 'bad-3', payload: JSON.stringify([1, 2, 3]) },
    orderCreated('o-good', 'CATALOG-001', 1),
  ]);
  await eventually(async () => decisions.find((m) => m.key === 'o-good'));
  assert.equal(decisions.length, 1);
  assert.equal(await stockOf(base, 'CATALOG-001'), 99);
  assert.equal(logs().match(/malformed order\.created skipped/g)?.length, 3);
});
