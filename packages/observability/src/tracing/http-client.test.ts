import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../metrics.js';
import { instrumentHttpClients, withUriTemplate } from './http-client.js';
import { createTracing, currentSpanId, currentTraceId } from './tracing.js';
import type { ZipkinSpan } from './zipkin-span.js';

async function upstream(t: TestContext, status = 200) {
  const seen: IncomingHttpHeaders[] = [];
  const rawSeen: string[][] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    rawSeen.push(request.rawHeaders);
    response.statusCode = status;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, rawSeen, port };
}

function observed(t: TestContext, produce: Array<'W3C' | 'B3' | 'B3_MULTI'> = ['W3C']) {
  const spans: ZipkinSpan[] = [];
  const tracing = createTracing({
    serviceName: 'gateway',
    samplingProbability: 1,
    exportIntervalMs: 10,
    propagation: { produce },
    export: { sender: async (batch) => void spans.push(...batch), target: 'memory' },
  });
  const metrics = createMetrics({ application: 'gateway', collectProcessMetrics: false });
  const instrumentation = instrumentHttpClients({ tracing, metrics });
  t.after(async () => {
    instrumentation.close();
    await tracing.close();
  });
  return { tracing, metrics, spans };
}

test('a call inside a trace carries the trace to the upstream and is a CLIENT span with Spring tags', async (t) => {
  const server = await upstream(t);
  const { tracing, metrics, spans } = observed(t);
  let traceId = '';
  let parentSpanId = '';
  await tracing.withSpan('http get /orders', async () => {
    traceId = currentTraceId()!;
    parentSpanId = currentSpanId()!;
    const response = await withUriTemplate('/orders/{orderId}', () =>
      fetch(`${server.url}/orders/o-1?token=secret`),
    );
    assert.equal(await response.text(), 'ok');
  });
  await tracing.forceFlush();
  const traceparent = server.seen[0]?.traceparent;
  assert.match(String(traceparent), new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const client = spans.find((s) => s.kind === 'CLIENT');
  assert.ok(client, 'client span exported');
  assert.equal(client.name, 'http get');
  assert.equal(client.parentId, parentSpanId);
  assert.equal(
    String(traceparent).split('-')[2],
    client.id,
    'the upstream sees the client span as parent',
  );
  assert.equal(
    client.tags?.['http.url'],
    `${server.url}/orders/o-1`,
    'no query string (it may hold secrets)',
  );
  assert.equal(client.tags?.status, '200');
  assert.equal(client.tags?.outcome, 'SUCCESS');
  assert.equal(client.tags?.['client.name'], '127.0.0.1');
  assert.deepEqual(client.remoteEndpoint, { ipv4: '127.0.0.1', port: server.port });
  const text = await metrics.scrape();
  assert.match(
    text,
    /http_client_requests_seconds_count\{client_name="127.0.0.1",error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="\/orders\/\{orderId\}",application="gateway"\} 1/,
  );
  assert.equal(client.tags?.uri, '/orders/{orderId}');
});

test('trace headers the caller copied are replaced, never sent twice', async (t) => {
  const server = await upstream(t);
  const { tracing } = observed(t, ['W3C', 'B3_MULTI']);
  await tracing.withSpan('proxy', async () => {
    await fetch(server.url, {
      headers: {
        traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
        'X-B3-TraceId': 'c'.repeat(32),
        b3: 'stale',
      },
    });
  });
  const raw = server.rawSeen[0]!.map((value, i) => (i % 2 === 0 ? value.toLowerCase() : value));
  assert.equal(raw.filter((name) => name === 'traceparent').length, 1);
  assert.equal(raw.filter((name) => name === 'x-b3-traceid').length, 1);
  assert.ok(!raw.includes('b3'), 'b3 is not a produce format here');
  assert.notEqual(server.seen[0]?.traceparent?.slice(3, 35), 'a'.repeat(32));
});

test('a call outside any trace is timed but sends no trace header and makes no span', async (t) => {
  const server = await upstream(t, 503);
  const { metrics, spans, tracing } = observed(t);
  await fetch(server.url);
  await tracing.forceFlush();
  assert.equal(server.seen[0]?.traceparent, undefined);
  assert.deepEqual(spans, []);
  assert.match(
    await metrics.scrape(),
    /http_client_requests_seconds_count\{[^}]*outcome="SERVER_ERROR"[^}]*status="503"/,
  );
});

test('a refused connection is a failed span tagged CLIENT_ERROR, as Spring tags IO errors', async (t) => {
  const { tracing, metrics, spans } = observed(t);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await tracing.withSpan('call', async () => {
    await assert.rejects(fetch(`http://127.0.0.1:${port}/x`));
  });
  await tracing.forceFlush();
  const client = spans.find((s) => s.kind === 'CLIENT');
  assert.equal(client?.tags?.status, 'CLIENT_ERROR');
  assert.ok(client?.tags?.error, 'marked as an error');
  assert.match(
    await metrics.scrape(),
    /http_client_requests_seconds_count\{[^}]*status="CLIENT_ERROR"/,
  );
});
