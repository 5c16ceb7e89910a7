// Trace context through messages on the real embedded log, with the real transactional outbox
// and SQLite: a request writes a row and its message in one transaction (the row keeps the
// request's traceparent), the relay publishes it later from another context, and a consumer in
// another "process" (a second log handle on the same file, with its own tracer) continues the
// trace. Statements run inside the request are CLIENT spans, without their parameter values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { createEmbeddedLog, createOutbox, ensureOutboxSchema } from '@stratus/messaging';
import {
  createMetrics,
  createTracing,
  currentTraceId,
  instrumentTransport,
  traceDialect,
  traceOutbox,
  type ZipkinSpan,
} from '@stratus/observability';
import { eventually, tempDir } from './support.js';

function tracer(serviceName: string, spans: ZipkinSpan[]) {
  return createTracing({
    serviceName,
    samplingProbability: 1,
    exportIntervalMs: 10,
    export: { sender: async (batch) => void spans.push(...batch), target: 'memory' },
  });
}

test('an order written with the outbox is consumed in the same trace, however late the relay runs', async (t) => {
  const dir = await tempDir(t, 'stratus-trace-messages-');
  const spans: ZipkinSpan[] = [];
  const orders = tracer('order-service', spans);
  const catalog = tracer('catalog-service', spans);
  t.after(() => Promise.all([orders.close(), catalog.close()]));
  const logPath = join(dir, 'events.db');
  const orderLog = instrumentTransport(createEmbeddedLog({ path: logPath, pollIntervalMs: 20 }), {
    tracing: orders,
    metrics: createMetrics({ application: 'order-service', collectProcessMetrics: false }),
    system: 'stratus',
  });
  const catalogLog = instrumentTransport(createEmbeddedLog({ path: logPath, pollIntervalMs: 20 }), {
    tracing: catalog,
    metrics: createMetrics({ application: 'catalog-service', collectProcessMetrics: false }),
    system: 'stratus',
  });
  t.after(() => Promise.all([orderLog.close(), catalogLog.close()]));

  const database = new Database(join(dir, 'orders.db'));
  const db = new Kysely<any>({
    dialect: traceDialect(new SqliteDialect({ database }), {
      system: 'sqlite',
      name: 'orders',
      tracing: orders,
    }),
  });
  t.after(() => db.destroy());
  await ensureOutboxSchema(db);
  await sql`create table orders (order_id text primary key, qty integer)`.execute(db);
  const outbox = traceOutbox(createOutbox({ db, transport: orderLog }), { tracing: orders });
  t.after(() => outbox.close());

  const handled: Array<string | undefined> = [];
  await catalogLog.subscribe({
    topics: ['order.created'],
    groupId: 'catalog-service',
    handler: async () => void handled.push(currentTraceId()),
  });

  let requestTrace = '';
  await orders.withSpan('http post /{userid}/orders', async () => {
    requestTrace = currentTraceId()!;
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ order_id: 'o-secret-1', qty: 2 }).execute();
      await outbox.add(trx, {
        topic: 'order.created',
        key: 'o-secret-1',
        payload: '{"orderId":"o-secret-1"}',
      });
    });
  });
  // The relay runs later, outside any request (as its timer does).
  await context.with(ROOT_CONTEXT, () => outbox.flush());
  await eventually('the consumer handled the message', async () =>
    handled.length > 0 ? true : undefined,
  );
  assert.deepEqual(handled, [requestTrace]);
  await Promise.all([orders.forceFlush(), catalog.forceFlush()]);

  const request = spans.find((s) => s.name === 'http post /{userid}/orders');
  const insert = spans.find(
    (s) => s.name === 'insert' && s.tags?.['db.statement']?.includes('"orders"'),
  );
  const send = spans.find((s) => s.kind === 'PRODUCER');
  const receive = spans.find((s) => s.kind === 'CONSUMER');
  assert.equal(insert?.parentId, request?.id, 'the statement is a child of the request');
  assert.equal(insert?.kind, 'CLIENT');
  assert.equal(insert?.remoteEndpoint?.serviceName, 'sqlite');
  assert.ok(!JSON.stringify(spans).includes('o-secret-1'), 'parameter values are never recorded');
  assert.equal(
    send?.parentId,
    request?.id,
    'the relay published in the context of the request that wrote the row',
  );
  assert.equal(send?.localEndpoint?.serviceName, 'order-service');
  assert.equal(receive?.parentId, send?.id);
  assert.equal(receive?.localEndpoint?.serviceName, 'catalog-service');
  assert.equal(receive?.traceId, request?.traceId);
  assert.equal(
    spans.filter((s) => s.kind === 'CLIENT' && s.traceId !== request?.traceId).length,
    0,
    'no statement outside a trace (the relay, the poller) makes a span of its own',
  );
});
