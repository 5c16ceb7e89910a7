import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigEnvironment } from '@stratus/config';
import {
  SHOP_EVENT_DEFAULTS,
  bindShopEvents,
  orderCreatedMessage,
  orderStatusOf,
  parseOrderCreated,
  parseStockOutcome,
  stockOutcomeMessage,
  type OrderCreated,
} from './index.js';

const ORDER: OrderCreated = {
  orderId: 'o-1',
  userId: 'u-1',
  productId: 'CATALOG-001',
  qty: 3,
  unitPrice: 1500,
  totalPrice: 4500,
};

function fileEnv(properties: Record<string, unknown>): ConfigEnvironment {
  return new ConfigEnvironment([
    { name: "Config resource 'file [config-repo/application.yml]'", properties },
  ]);
}

test('order.created in the stratus format carries the order id as key, a stable id and its type', () => {
  const message = orderCreatedMessage(ORDER, SHOP_EVENT_DEFAULTS);
  assert.equal(message.topic, 'order.created');
  assert.equal(message.key, 'o-1');
  assert.equal(message.id, 'order-created-o-1');
  assert.deepEqual(message.headers, { type: 'order.created' });
  assert.equal(
    message.payload,
    '{"orderId":"o-1","userId":"u-1","productId":"CATALOG-001","qty":3,"unitPrice":1500,"totalPrice":4500}',
  );
});

test("order.created in the order-dto format is what the course's KafkaProducer sends", () => {
  const events = bindShopEvents(
    fileEnv({
      'shop.events.order-created.topic': 'example-catalog-topic',
      'shop.events.order-created.format': 'order-dto',
    }),
  );
  const message = orderCreatedMessage(ORDER, events);
  assert.equal(message.topic, 'example-catalog-topic');
  assert.equal(message.key, undefined);
  assert.equal(message.headers, undefined);
  assert.equal(
    message.payload,
    '{"productId":"CATALOG-001","qty":3,"unitPrice":1500,"totalPrice":4500,"orderId":"o-1","userId":"u-1"}',
  );
});

test('the catalog side reads order.created in either format', () => {
  const dto = bindShopEvents(fileEnv({ 'shop.events.order-created.format': 'ORDER_DTO' }));
  for (const events of [SHOP_EVENT_DEFAULTS, dto]) {
    const payload = JSON.parse(String(orderCreatedMessage(ORDER, events).payload)) as unknown;
    assert.deepEqual(parseOrderCreated(payload), {
      orderId: 'o-1',
      productId: 'CATALOG-001',
      qty: 3,
    });
  }
});

test('payloads that are not a usable order.created parse to null', () => {
  const bad: unknown[] = [
    null,
    'o-1',
    [1, 2, 3],
    {},
    { orderId: 'o-1', productId: 'CATALOG-001', qty: -4 },
    { orderId: 'o-1', productId: 'CATALOG-001', qty: 1.5 },
    { orderId: 'o-1', productId: 'CATALOG-001', qty: '3' },
    { orderId: '', productId: 'CATALOG-001', qty: 1 },
    { orderId: 'o'.repeat(129), productId: 'CATALOG-001', qty: 1 },
    { orderId: 'o-1', productId: 'P'.repeat(65), qty: 1 },
  ];
  for (const value of bad) assert.equal(parseOrderCreated(value), null, JSON.stringify(value));
  assert.deepEqual(parseStockOutcome({ orderId: 'o-1', reason: 'OUT_OF_STOCK' }), {
    orderId: 'o-1',
  });
  assert.equal(parseStockOutcome({ orderId: 42 }), null);
  assert.equal(parseStockOutcome([{ orderId: 'o-1' }]), null);
});

test('a stock outcome goes to the reserved or rejected topic with one id per order', () => {
  const events = bindShopEvents(
    fileEnv({ 'shop.events.stock-rejected.topic': 'stock-rejections' }),
  );
  const reserved = stockOutcomeMessage(ORDER, null, events);
  const rejected = stockOutcomeMessage(ORDER, 'OUT_OF_STOCK', events);
  assert.equal(reserved.topic, 'stock.reserved');
  assert.deepEqual(JSON.parse(String(reserved.payload)), {
    orderId: 'o-1',
    productId: 'CATALOG-001',
    qty: 3,
  });
  assert.equal(rejected.topic, 'stock-rejections');
  assert.equal((JSON.parse(String(rejected.payload)) as { reason: string }).reason, 'OUT_OF_STOCK');
  assert.equal(reserved.id, rejected.id);
  assert.equal(orderStatusOf('stock.reserved', events), 'CONFIRMED');
  assert.equal(orderStatusOf('stock-rejections', events), 'REJECTED');
  assert.equal(orderStatusOf('stock.rejected', events), null);
});

test('a bad topic name, an unknown format or a mistyped key is refused naming the key and its file', () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ 'shop.events.order-created.topic': 'orders/../x' }, /shop\.events\.order-created\.topic/],
    [{ 'shop.events.order-created.format': 'avro' }, /not one of stratus, order-dto/],
    [
      { 'shop.events.order-created.topik': 'x' },
      /order-created\.topik.*config-repo\/application\.yml/,
    ],
  ];
  for (const [properties, expected] of cases) {
    assert.throws(
      () => bindShopEvents(fileEnv(properties)),
      (error: { code?: string; details?: { problems?: string[] } }) => {
        assert.equal(error.code, 'CFG_ERR_INVALID_CONFIG');
        assert.match(error.details?.problems?.join('\n') ?? '', expected);
        return true;
      },
    );
  }
});
