import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { createLogger } from '@stratus/core';
import { createObserver, type ObservedRequest } from './observer.js';
import { traceIdsOf } from './trace-ids.js';
import type { CompiledRoute } from './types.js';

test('trace ids come from traceparent, b3 or X-B3-*, and malformed ones are ignored', () => {
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  assert.deepEqual(traceIdsOf({ traceparent: `00-${trace}-00f067aa0ba902b7-01` }), {
    traceId: trace,
    spanId: '00f067aa0ba902b7',
  });
  assert.deepEqual(traceIdsOf({ b3: `${trace}-00f067aa0ba902b7-1` }), {
    traceId: trace,
    spanId: '00f067aa0ba902b7',
  });
  assert.deepEqual(
    traceIdsOf({ 'x-b3-traceid': 'a3ce929d0e0e4736', 'x-b3-spanid': '00f067aa0ba902b7' }),
    {
      traceId: 'a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    },
  );
  assert.equal(traceIdsOf({ traceparent: '00-xyz\r\n{"level":50}-1-01' }), null);
  assert.equal(traceIdsOf({}), null);
});

test('the access log writes one line per request with route, status and trace ids, never the query', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: 'gw',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    }),
  });
  const registered: unknown[] = [];
  let spanEnded = 0;
  const observer = createObserver({
    logger,
    metricsRegistry: { registerMetric: (metric: never) => void registered.push(metric) },
    tracing: {
      startSpan: () => ({
        traceId: 't'.repeat(32),
        spanId: 's'.repeat(16),
        headers: { b3: 'x' },
        end: () => void spanEnded++,
      }),
    },
    accessLog: () => true,
  });
  const request: ObservedRequest = {
    raw: {
      method: 'GET',
      headers: {},
      url: '/user-service/users?token=secret',
      httpVersion: '1.1',
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage,
    requestId: 'req-1',
    startedAt: 0,
    route: null,
    span: null,
  };
  const route = {
    id: 'user-service',
    definition: { uri: 'lb://USER-SERVICE' },
  } as unknown as CompiledRoute;
  assert.deepEqual(observer.onRouted(request, route), { b3: 'x' });
  observer.onDone(request, 200, 12.4);
  assert.equal(spanEnded, 1);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.['component'], 'reactor.netty.http.server.AccessLog');
  assert.equal(lines[0]?.['path'], '/user-service/users');
  assert.equal(lines[0]?.['routeId'], 'user-service');
  assert.equal(lines[0]?.['traceId'], 't'.repeat(32));
  assert.doesNotMatch(JSON.stringify(lines[0]), /secret/);
  assert.equal(registered.length, 2, 'the timer registers its summary and its max');
});
