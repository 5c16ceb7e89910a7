import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../metrics.js';
import {
  extractContext,
  injectContext,
  withConsumerSpan,
  withProducerSpan,
  type TracedMessage,
} from './messaging.js';
import { instrumentTransport, type OutgoingLike } from './transport.js';
import { createTracing, currentSpanId, currentTraceId } from './tracing.js';
import type { ZipkinSpan } from './zipkin-span.js';
import { trace } from '@opentelemetry/api';

function setup(produce: Array<'W3C' | 'B3' | 'B3_MULTI'> = ['W3C']) {
  const spans: ZipkinSpan[] = [];
  const tracing = createTracing({
    serviceName: 'order-service',
    samplingProbability: 1,
    exportIntervalMs: 10,
    propagation: { produce },
    export: { sender: async (batch) => void spans.push(...batch), target: 'memory' },
  });
  const metrics = createMetrics({ application: 'order-service', collectProcessMetrics: false });
  return { tracing, metrics, spans };
}

/** A transport that keeps messages in memory and delivers them to subscribers in order. */
function memoryTransport() {
  const handlers: Array<{ topics: string[]; handler: (m: TracedMessage) => Promise<void> }> = [];
  const published: OutgoingLike[] = [];
  return {
    published,
    marker: 'kept',
    async publish(messages: OutgoingLike | OutgoingLike[]) {
      for (const message of Array.isArray(messages) ? messages : [messages]) {
        published.push(message);
        for (const h of handlers) if (h.topics.includes(message.topic)) await h.handler(message);
      }
    },
    async subscribe(options: {
      topics: string[];
      groupId: string;
      handler: (m: TracedMessage) => Promise<void>;
    }) {
      handlers.push(options);
      return { close: async () => undefined };
    },
  };
}

test('injectContext writes the current trace into message headers and extractContext reads it back', async () => {
  const { tracing } = setup(['B3']);
  assert.deepEqual(injectContext({ a: '1', traceparent: 'stale' }, undefined, { tracing }), {
    a: '1',
  });
  await tracing.withSpan('request', async () => {
    const headers = injectContext({ a: '1', B3: 'stale' }, undefined, { tracing });
    assert.deepEqual(Object.keys(headers).sort(), ['a', 'b3']);
    const ctx = extractContext(headers, { tracing });
    assert.equal(trace.getSpanContext(ctx)?.traceId, currentTraceId());
    assert.equal(trace.getSpanContext(ctx)?.spanId, currentSpanId());
  });
  await tracing.close();
});

test('a consumed message continues the producer trace: PRODUCER then CONSUMER child spans', async () => {
  const { tracing, metrics, spans } = setup();
  const transport = instrumentTransport(memoryTransport(), { tracing, metrics, system: 'stratus' });
  const seenInHandler: Array<string | undefined> = [];
  await transport.subscribe({
    topics: ['order.created'],
    groupId: 'catalog-service',
    handler: async () => void seenInHandler.push(currentTraceId()),
  });
  let requestTrace = '';
  await tracing.withSpan('http post /orders', async () => {
    requestTrace = currentTraceId()!;
    await transport.publish({
      topic: 'order.created',
      id: 'm-1',
      headers: { x: 'y' },
      payload: '{}',
    });
  });
  await tracing.close();
  assert.deepEqual(seenInHandler, [requestTrace]);
  const producer = spans.find((s) => s.kind === 'PRODUCER');
  const consumer = spans.find((s) => s.kind === 'CONSUMER');
  const root = spans.find((s) => s.name === 'http post /orders');
  assert.equal(producer?.name, 'order.created send');
  assert.equal(consumer?.name, 'order.created receive');
  assert.equal(producer?.parentId, root?.id);
  assert.equal(consumer?.parentId, producer?.id);
  assert.equal(consumer?.tags?.['messaging.kafka.consumer.group'], 'catalog-service');
  assert.equal(consumer?.remoteEndpoint?.serviceName, 'stratus');
  assert.equal(transport.marker, 'kept', 'other members pass through');
  const text = await metrics.scrape();
  assert.match(
    text,
    /spring_kafka_template_seconds_count\{[^}]*messaging_destination_name="order.created"[^}]*\} 1/,
  );
  assert.match(
    text,
    /spring_kafka_listener_seconds_count\{[^}]*messaging_kafka_consumer_group="catalog-service"[^}]*\} 1/,
  );
});

test('a message that already carries a context (an outbox row) is published as its child, whatever is current', async () => {
  const { tracing, spans } = setup();
  let rowHeaders: Record<string, string> = {};
  let writer = '';
  await tracing.withSpan('http post /orders', async () => {
    writer = currentSpanId()!;
    rowHeaders = injectContext({}, undefined, { tracing });
  });
  // The relay publishes later, from another request's context.
  await tracing.withSpan('another request', async () => {
    await withProducerSpan(
      { topic: 'order.created', headers: rowHeaders },
      async (headers) => {
        assert.notEqual(headers.traceparent, rowHeaders.traceparent);
      },
      { tracing },
    );
  });
  await tracing.close();
  const producer = spans.find((s) => s.kind === 'PRODUCER');
  assert.equal(producer?.parentId, writer);
});

test('a failing handler marks the consumer span failed and the error reaches the transport', async () => {
  const { tracing, spans } = setup();
  await assert.rejects(
    withConsumerSpan(
      { topic: 'stock.reserved', headers: { traceparent: 'malformed' } },
      async () => {
        throw new TypeError('bad payload');
      },
      { tracing, group: 'order-service' },
    ),
    TypeError,
  );
  await tracing.close();
  assert.equal(spans[0]?.kind, 'CONSUMER');
  assert.equal(spans[0]?.parentId, undefined, 'a malformed header starts a new trace');
  assert.equal(spans[0]?.tags?.exception, 'TypeError');
});
