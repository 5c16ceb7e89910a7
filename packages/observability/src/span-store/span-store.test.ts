import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ZipkinSpan } from '../tracing/zipkin-span.js';
import { parseZipkinSpans } from './parse-spans.js';
import { createSpanStore } from './span-store.js';

const NOW_US = Date.now() * 1000;

function span(traceId: string, id: string, extra: Partial<ZipkinSpan> = {}): ZipkinSpan {
  return {
    traceId,
    id,
    name: 'get',
    timestamp: NOW_US,
    duration: 10,
    localEndpoint: { serviceName: 'user-service' },
    ...extra,
  };
}

test('groups spans by trace and answers Zipkin queries newest first', () => {
  const store = createSpanStore();
  store.add([
    span('a'.repeat(32), '1'.repeat(16), { timestamp: NOW_US - 5_000_000 }),
    span('a'.repeat(32), '2'.repeat(16), {
      parentId: '1'.repeat(16),
      localEndpoint: { serviceName: 'order-service' },
      name: 'order.created send',
      remoteEndpoint: { serviceName: 'stratus' },
    }),
    span('b'.repeat(32), '3'.repeat(16), {
      tags: { error: 'boom', 'http.method': 'GET' },
      duration: 5_000,
    }),
  ]);
  assert.equal(store.trace('a'.repeat(32))?.length, 2);
  assert.deepEqual(
    store.traces().map((t) => t[0]?.traceId),
    ['b'.repeat(32), 'a'.repeat(32)],
  );
  assert.equal(store.traces({ serviceName: 'order-service' }).length, 1);
  assert.equal(store.traces({ spanName: 'order.created send' }).length, 1);
  assert.equal(
    store.traces({ remoteServiceName: 'stratus', serviceName: 'order-service' }).length,
    1,
  );
  assert.equal(store.traces({ annotationQuery: 'error' }).length, 1);
  assert.equal(store.traces({ annotationQuery: 'http.method=GET and error' }).length, 1);
  assert.equal(store.traces({ minDuration: 1_000 }).length, 1);
  assert.equal(store.traces({ limit: 1 }).length, 1);
  assert.equal(store.traces({ endTs: Date.now() - 60_000 }).length, 0);
  assert.deepEqual(store.services(), ['order-service', 'user-service']);
  assert.deepEqual(store.spanNames('order-service'), ['order.created send']);
  assert.deepEqual(store.remoteServiceNames('ORDER-SERVICE'), ['stratus']);
});

test('a 64-bit trace id finds the trace a 128-bit one padded with zeros started', () => {
  const store = createSpanStore();
  store.add([
    span(`${'0'.repeat(16)}${'c'.repeat(16)}`, '4'.repeat(16)),
    span('c'.repeat(16), '5'.repeat(16)),
  ]);
  assert.equal(store.trace('c'.repeat(16))?.length, 2);
});

test('keeps only the newest spans within the count and byte limits', () => {
  const store = createSpanStore({ maxSpans: 3 });
  for (let i = 0; i < 10; i++)
    store.add([span(i.toString(16).padStart(32, '0'), i.toString(16).padStart(16, '1'))]);
  assert.equal(store.size, 3);
  assert.equal(store.trace('9'.padStart(32, '0'))?.length, 1);
  assert.equal(store.trace('0'.padStart(32, '0')), null);
  const small = createSpanStore({ maxBytes: 2_000 });
  for (let i = 0; i < 50; i++)
    small.add([
      span('d'.repeat(32), i.toString(16).padStart(16, '1'), { tags: { big: 'x'.repeat(300) } }),
    ]);
  assert.ok(small.size > 0 && small.size <= 5, `held ${small.size}`);
});

test('parses Zipkin v2 JSON into fresh, normalised spans and refuses what is not one', () => {
  const parsed = parseZipkinSpans([
    {
      traceId: 'ABCDEF0123456789',
      id: '0123456789ABCDEF',
      parentId: '0123456789abcdef',
      name: 'GET /Users',
      kind: 'SERVER',
      timestamp: 1,
      duration: 0,
      localEndpoint: { serviceName: 'USER-SERVICE', ipv4: '10.0.0.1', port: 8080 },
      tags: { 'http.method': 'GET' },
      unknown: { nested: true },
    },
  ]);
  assert.ok('spans' in parsed);
  assert.deepEqual(parsed.spans[0], {
    traceId: 'abcdef0123456789',
    id: '0123456789abcdef',
    name: 'get /users',
    kind: 'SERVER',
    timestamp: 1,
    duration: 1,
    localEndpoint: { serviceName: 'user-service', ipv4: '10.0.0.1', port: 8080 },
    tags: { 'http.method': 'GET' },
  });
  const bad: Array<[unknown, RegExp]> = [
    [{}, /JSON array/],
    [[{ traceId: 'xyz', id: '0123456789abcdef' }], /traceId/],
    [[{ traceId: 'a'.repeat(32), id: '1' }], /id must be/],
    [[{ traceId: 'a'.repeat(32), id: '1'.repeat(16), kind: 'LOCAL' }], /kind/],
    [[{ traceId: 'a'.repeat(32), id: '1'.repeat(16), timestamp: -1 }], /timestamp/],
    [[{ traceId: 'a'.repeat(32), id: '1'.repeat(16), tags: { n: 1 } }], /tags.n/],
    [
      [{ traceId: 'a'.repeat(32), id: '1'.repeat(16), localEndpoint: { ipv4: 'localhost' } }],
      /ipv4/,
    ],
    [[{ traceId: 'a'.repeat(32), id: '1'.repeat(16), name: 'x'.repeat(300) }], /name/],
    [new Array(10_001).fill(null), /at most 10000/],
    [[null], /must be an object/],
  ];
  for (const [body, problem] of bad) {
    const result = parseZipkinSpans(body);
    assert.ok('problem' in result, JSON.stringify(body).slice(0, 60));
    assert.match(result.problem, problem);
  }
});
