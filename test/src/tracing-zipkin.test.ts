// Distributed tracing end to end against a real Zipkin (scripts/zipkin.sh, io.zipkin:zipkin-server
// from Maven Central): the whole shop (`npm start`'s processes) runs with the seed's
// `management.tracing.sampling.probability: 1.0` and `management.zipkin.tracing.endpoint`, and
// one order through the gateway is one trace across the gateway, order-service, the event log,
// catalog-service and back, with Zipkin's parent/child links, service names and span kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startStack } from '@stratus/cli';
import { call, freePort, tempDir } from './support.js';
import {
  assertParent,
  signUpAndLogIn,
  startZipkin,
  zipkinTrace,
  type QueriedSpan,
} from './tracing-support.js';

function find(spans: QueriedSpan[], service: string, kind: string, name: string): QueriedSpan {
  const span = spans.find(
    (s) => s.localEndpoint?.serviceName === service && s.kind === kind && s.name === name,
  );
  assert.ok(span, `no ${kind} span '${name}' of ${service}`);
  return span;
}

type Wanted = readonly [service: string, kind: string, name: string];

/**
 * Whether a trace holds every wanted span. Each process exports on its own schedule (the gateway's
 * server span ends last, so it is often exported last): wait for every span the test then reads.
 */
const hasAll =
  (...wanted: Wanted[]) =>
  (spans: QueriedSpan[]): boolean =>
    wanted.every(([service, kind, name]) =>
      spans.some(
        (s) => s.localEndpoint?.serviceName === service && s.kind === kind && s.name === name,
      ),
    );

const GATEWAY_SERVER: Wanted = ['apigateway-service', 'SERVER', 'http post /**'];
const GATEWAY_CLIENT: Wanted = ['apigateway-service', 'CLIENT', 'http post'];

test(
  'one order through the gateway is one Zipkin trace: gateway, order-service, the event log to catalog and back',
  { timeout: 300_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-zipkin-');
    const zipkinPort = await freePort();
    const [zipkin, stack] = await Promise.all([
      startZipkin(t, zipkinPort),
      startStack({
        dataDir: join(dir, 'shop'),
        registryPort: await freePort(),
        configPort: await freePort(),
        gatewayPort: await freePort(),
        output: null,
        flags: [
          '--management.tracing.sampling.probability=1.0',
          `--management.zipkin.tracing.endpoint=http://127.0.0.1:${zipkinPort}/api/v2/spans`,
          '--stratus.tracing.response-headers=true',
        ],
      }),
    ]);
    t.after(() => stack.stop());
    if (zipkin === null) return;
    const gateway = stack.urls.gateway;

    // Sign-up: the gateway starts the trace and says so in its traceparent response header.
    const { userId, token, signUpHeaders } = await signUpAndLogIn(gateway);
    const signUpTrace = /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(
      signUpHeaders.get('traceparent') ?? '',
    )?.[1];
    assert.ok(signUpTrace, `traceparent response header: ${signUpHeaders.get('traceparent')}`);
    const signUp = await zipkinTrace(
      zipkin,
      signUpTrace,
      hasAll(GATEWAY_SERVER, GATEWAY_CLIENT, ['user-service', 'SERVER', 'http post /users']),
    );
    const gatewayRoot = find(signUp, 'apigateway-service', 'SERVER', 'http post /**');
    assert.equal(gatewayRoot.parentId, undefined, 'the gateway starts the trace');
    const gatewayCall = find(signUp, 'apigateway-service', 'CLIENT', 'http post');
    assertParent(signUp, gatewayCall, gatewayRoot);
    assertParent(signUp, find(signUp, 'user-service', 'SERVER', 'http post /users'), gatewayCall);

    // The order, in a trace the caller started (W3C traceparent, sampled).
    const traceId = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const callerSpan = '00f067aa0ba902b7';
    const order = await call<{ orderId: string }>(`${gateway}/order-service/${userId}/orders`, {
      json: { productId: 'CATALOG-001', qty: 1, unitPrice: 1500 },
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    assert.equal(order.status, 201);
    // Each process exports its spans on its own schedule: wait for the last hop of each.
    const spans = await zipkinTrace(
      zipkin,
      traceId,
      hasAll(
        GATEWAY_SERVER,
        GATEWAY_CLIENT,
        ['order-service', 'SERVER', 'http post /{userid}/orders'],
        ['order-service', 'PRODUCER', 'order.created send'],
        ['catalog-service', 'CONSUMER', 'order.created receive'],
        ['catalog-service', 'PRODUCER', 'stock.reserved send'],
        ['order-service', 'CONSUMER', 'stock.reserved receive'],
      ),
    );

    const edge = find(spans, 'apigateway-service', 'SERVER', 'http post /**');
    const proxied = find(spans, 'apigateway-service', 'CLIENT', 'http post');
    const placed = find(spans, 'order-service', 'SERVER', 'http post /{userid}/orders');
    const sent = find(spans, 'order-service', 'PRODUCER', 'order.created send');
    const received = find(spans, 'catalog-service', 'CONSUMER', 'order.created receive');
    const replied = find(spans, 'catalog-service', 'PRODUCER', 'stock.reserved send');
    const confirmed = find(spans, 'order-service', 'CONSUMER', 'stock.reserved receive');
    assertParent(spans, edge, callerSpan, "the gateway continues the caller's trace");
    assertParent(spans, proxied, edge);
    assertParent(spans, placed, proxied);
    assertParent(
      spans,
      sent,
      placed,
      'the outbox relay publishes in the request that wrote the row',
    );
    assertParent(
      spans,
      received,
      sent,
      'the consumer continues the trace from the message headers',
    );
    assertParent(spans, replied, received);
    assertParent(spans, confirmed, replied);
    assert.ok(spans.every((s) => s.traceId === traceId));
    // The trace as Zipkin returns it, for the run's log (tags left out).
    t.diagnostic(JSON.stringify(spans.map(({ tags: _tags, ...span }) => span)));
    // The order's row and its outbox row, written in the request: database CLIENT spans with
    // the statement's placeholders, never its values.
    const inserts = spans.filter(
      (s) =>
        s.localEndpoint?.serviceName === 'order-service' &&
        s.kind === 'CLIENT' &&
        s.name === 'insert',
    );
    assert.ok(inserts.length >= 2, `insert spans: ${inserts.length}`);
    for (const insert of inserts) {
      assert.equal(insert.tags?.['db.system'], 'sqlite');
      assert.equal(insert.remoteEndpoint?.serviceName, 'sqlite');
      assert.ok(!insert.tags?.['db.statement']?.includes('CATALOG-001'), 'no parameter values');
    }

    // Micrometer's server tags, so Java and Node spans read alike in one Zipkin view.
    assert.deepEqual(
      {
        method: placed.tags?.method,
        uri: placed.tags?.uri,
        status: placed.tags?.status,
        outcome: placed.tags?.outcome,
        exception: placed.tags?.exception,
      },
      {
        method: 'POST',
        uri: '/{userId}/orders',
        status: '201',
        outcome: 'SUCCESS',
        exception: 'none',
      },
    );
    assert.equal(placed.tags?.['http.url'], `/${userId}/orders`);
    assert.equal(proxied.remoteEndpoint?.ipv4, '127.0.0.1');
    assert.equal(received.tags?.['messaging.source.name'], 'order.created');
    assert.equal(received.remoteEndpoint?.serviceName, 'stratus');

    // A read through two services: gateway → user-service → (lb://) order-service.
    const read = await call(`${gateway}/user-service/users/${userId}`, {
      headers: {
        authorization: `Bearer ${token}`,
        b3: `${traceId.replace(/^./, 'a')}-${callerSpan}-1`,
      },
    });
    assert.equal(read.status, 200);
    const readSpans = await zipkinTrace(
      zipkin,
      traceId.replace(/^./, 'a'),
      hasAll(
        ['user-service', 'SERVER', 'http get /users/{userid}'],
        ['user-service', 'CLIENT', 'http get'],
        ['order-service', 'SERVER', 'http get /{userid}/orders'],
      ),
    );
    const userCall = find(readSpans, 'user-service', 'CLIENT', 'http get');
    const userRead = find(readSpans, 'user-service', 'SERVER', 'http get /users/{userid}');
    assertParent(readSpans, userCall, userRead);
    assertParent(
      readSpans,
      find(readSpans, 'order-service', 'SERVER', 'http get /{userid}/orders'),
      userCall,
    );
  },
);
