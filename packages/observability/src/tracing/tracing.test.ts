import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind } from '@opentelemetry/api';
import { createTracing, currentSpanId, currentTraceId, type TracingOptions } from './tracing.js';
import type { ZipkinSpan } from './zipkin-span.js';
import { gatewayTracing } from './gateway.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function collecting(options: Partial<TracingOptions> = {}) {
  const spans: ZipkinSpan[] = [];
  const tracing = createTracing({
    serviceName: 'User-Service',
    samplingProbability: 1,
    exportIntervalMs: 10,
    localIpv4: '10.0.0.5',
    export: { sender: async (batch) => void spans.push(...batch), target: 'memory' },
    ...options,
  });
  return { tracing, spans };
}

const headers = (record: Record<string, string>) => (name: string) => record[name];

test('a span started inside another is its child and both export as Brave would report them', async () => {
  const { tracing, spans } = collecting();
  tracing.setLocalPort(8080);
  await tracing.withSpan('Outer', async () => {
    assert.match(currentTraceId() ?? '', /^[0-9a-f]{32}$/);
    await tracing.withSpan(
      'inner',
      async (span) => {
        span.setAttribute('peer.service', 'catalog-service');
        span.setAttribute('network.peer.address', '127.0.0.1');
        span.setAttribute('network.peer.port', 9000);
        span.setAttribute('orderId', 'o-1');
      },
      { kind: SpanKind.CLIENT },
    );
  });
  await tracing.close();
  assert.equal(spans.length, 2);
  const [inner, outer] = spans as [ZipkinSpan, ZipkinSpan];
  assert.equal(outer.name, 'outer');
  assert.equal(outer.parentId, undefined);
  assert.equal(inner.parentId, outer.id);
  assert.equal(inner.traceId, outer.traceId);
  assert.equal(inner.kind, 'CLIENT');
  assert.deepEqual(outer.localEndpoint, {
    serviceName: 'user-service',
    ipv4: '10.0.0.5',
    port: 8080,
  });
  assert.deepEqual(inner.remoteEndpoint, {
    serviceName: 'catalog-service',
    ipv4: '127.0.0.1',
    port: 9000,
  });
  assert.deepEqual(inner.tags, { orderId: 'o-1' });
  assert.ok(outer.timestamp! > 1_600_000_000_000_000 && outer.duration! >= 1);
});

test('a failing span carries Micrometer exception and error tags and the error is rethrown', async () => {
  const { tracing, spans } = collecting();
  class StockUnavailableError extends Error {}
  await assert.rejects(
    tracing.withSpan('reserve', () => {
      throw new StockUnavailableError('no stock for CATALOG-001');
    }),
    StockUnavailableError,
  );
  await tracing.close();
  assert.equal(spans[0]?.tags?.exception, 'StockUnavailableError');
  assert.equal(spans[0]?.tags?.error, 'no stock for CATALOG-001');
});

test('a remote parent keeps its trace; its sampling decision wins over the probability', async () => {
  const { tracing, spans } = collecting({ samplingProbability: 0 });
  const sampled = tracing.extract(headers({ traceparent: `00-${TRACE}-${SPAN}-01` }));
  await tracing.withSpan(
    'joined',
    async () => {
      assert.equal(currentTraceId(), TRACE);
      assert.notEqual(currentSpanId(), SPAN);
    },
    { parent: sampled },
  );
  const unsampled = tracing.extract(headers({ traceparent: `00-${TRACE}-${SPAN}-00` }));
  await tracing.withSpan('dropped', async () => undefined, { parent: unsampled });
  const debug = tracing.extract(headers({ b3: `${TRACE}-${SPAN}-d` }));
  await tracing.withSpan('debugged', async () => undefined, { parent: debug });
  await tracing.withSpan('new root at probability 0', async () => undefined);
  await tracing.close();
  assert.deepEqual(spans.map((s) => s.name).sort(), ['debugged', 'joined']);
  assert.equal(spans.find((s) => s.name === 'joined')?.parentId, SPAN);
});

test('a deferred B3 decision and a bare decision are honoured', async () => {
  const { tracing, spans } = collecting({ samplingProbability: 1 });
  await tracing.withSpan('deferred', async () => undefined, {
    parent: tracing.extract(headers({ b3: `${TRACE}-${SPAN}` })),
  });
  await tracing.withSpan('denied', async () => undefined, {
    parent: tracing.extract(headers({ b3: '0' })),
  });
  await tracing.close();
  assert.deepEqual(
    spans.map((s) => s.name),
    ['deferred'],
  );
});

test('malformed headers start a new trace instead of failing', async () => {
  const { tracing } = collecting();
  const bads: Array<Record<string, string>> = [
    { traceparent: 'not-a-traceparent' },
    { traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` },
    { b3: 'zzzz-yyyy-1' },
    { 'x-b3-traceid': 'ABC', 'x-b3-spanid': '1' },
    { traceparent: '\u0000'.repeat(55) },
  ];
  for (const bad of bads) {
    const ctx = tracing.extract(headers(bad));
    await tracing.withSpan(
      'fresh',
      async () => {
        assert.match(currentTraceId() ?? '', /^[0-9a-f]{32}$/);
        assert.notEqual(currentTraceId(), TRACE);
      },
      { parent: ctx },
    );
  }
  await tracing.close();
});

test('injects the current span in every produce format, only inside a trace', async () => {
  const { tracing } = collecting({ propagation: { produce: ['B3', 'W3C'] } });
  const outside: Record<string, string> = {};
  tracing.inject((k, v) => (outside[k] = v));
  assert.deepEqual(outside, {});
  await tracing.withSpan('send', async () => {
    const written: Record<string, string> = {};
    tracing.inject((k, v) => (written[k] = v));
    assert.equal(written.b3, `${currentTraceId()}-${currentSpanId()}-1`);
    assert.equal(written.traceparent, `00-${currentTraceId()}-${currentSpanId()}-01`);
  });
  await tracing.close();
});

test('disabled tracing creates no span, writes no header and still runs the work', async () => {
  const { tracing, spans } = collecting({ enabled: false });
  assert.equal(tracing.isEnabled, false);
  const result = await tracing.withSpan('work', async () => {
    assert.equal(currentTraceId(), undefined);
    return 42;
  });
  assert.equal(result, 42);
  const written: Record<string, string> = {};
  tracing.inject((k, v) => (written[k] = v), context.active());
  assert.deepEqual(written, {});
  await tracing.close();
  await tracing.close();
  assert.deepEqual(spans, []);
});

test('a collector that refuses spans costs a warning, never an error in the application', async () => {
  const warnings: unknown[] = [];
  const logger = { warn: (fields: unknown) => warnings.push(fields), child: () => logger } as never;
  const tracing = createTracing({
    serviceName: 'order-service',
    samplingProbability: 1,
    exportIntervalMs: 10,
    logger,
    export: {
      sender: async () =>
        Promise.reject(Object.assign(new Error('down'), { code: 'ECONNREFUSED' })),
      target: 'zipkin',
    },
  });
  await tracing.withSpan('work', async () => 'done');
  await tracing.forceFlush();
  await tracing.close();
  assert.deepEqual(warnings, [{ target: 'zipkin', dropped: 1, code: 'ECONNREFUSED' }]);
});

test('the gateway seam tags the current server span with its route and reuses its ids', async () => {
  const { tracing, spans } = collecting();
  const seam = gatewayTracing();
  assert.equal(seam.startSpan({ method: 'GET', path: '/x', routeId: 'user-service' }), null);
  await tracing.withSpan(
    'http get /**',
    async () => {
      const span = seam.startSpan({
        method: 'GET',
        path: '/user-service/users',
        routeId: 'user-service',
      });
      assert.deepEqual(
        span && { traceId: span.traceId, spanId: span.spanId, headers: span.headers },
        {
          traceId: currentTraceId(),
          spanId: currentSpanId(),
          headers: undefined,
        },
      );
      span?.end(200);
    },
    { kind: SpanKind.SERVER },
  );
  await tracing.close();
  assert.equal(spans.length, 1, 'no second span');
  assert.equal(spans[0]?.tags?.['spring.cloud.gateway.route.id'], 'user-service');
});
