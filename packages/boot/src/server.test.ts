import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createSilentLogger, isStratusError } from '@stratus/core';
import {
  createHttpExchangeRepository,
  createMetrics,
  createTracing,
  currentSpanId,
  currentTraceId,
  UNTRACED_ROUTE,
  type ZipkinSpan,
} from '@stratus/observability';
import {
  CONNECTION_LIMIT_DEFAULTS,
  connectionLimitsFromConfig,
  type ConnectionLimits,
} from './connection-limits.js';
import { createHttpServer, interceptRequests } from './server.js';

const read = (properties: Record<string, unknown>) => (key: string) => properties[key];

test('reads the Tomcat and Netty properties into Node connection limits', () => {
  assert.deepEqual(connectionLimitsFromConfig(read({})), CONNECTION_LIMIT_DEFAULTS);
  assert.deepEqual(
    connectionLimitsFromConfig(
      read({
        'server.tomcat.connection-timeout': '8s',
        'server.netty.connection-timeout': 1,
        'server.netty.idle-timeout': 'PT30S',
        'server.tomcat.max-keep-alive-requests': -1,
        'server.tomcat.max-connections': '100',
        'stratus.server.request-timeout': '1m',
        'stratus.server.connections-checking-interval': 250,
      }),
    ),
    {
      headersTimeoutMs: 8_000,
      requestTimeoutMs: 60_000,
      checkIntervalMs: 250,
      keepAliveTimeoutMs: 30_000,
      maxRequestsPerConnection: 0,
      maxConnections: 100,
    },
  );
  assert.equal(
    connectionLimitsFromConfig(read({ 'server.netty.max-keep-alive-requests': 7 }))
      .maxRequestsPerConnection,
    7,
  );
});

test('bad connection settings fail boot with every problem listed', () => {
  assert.throws(
    () =>
      connectionLimitsFromConfig(
        read({
          'server.tomcat.connection-timeout': 'soon',
          'server.tomcat.max-connections': '1.5',
        }),
      ),
    (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.deepEqual(error.details.problems, [
        'server.tomcat.connection-timeout must be a duration',
        'server.tomcat.max-connections must be an integer',
      ]);
      return true;
    },
  );
  assert.throws(
    () => connectionLimitsFromConfig(read({ 'server.tomcat.connection-timeout': '40s' })),
    /headers timeout must be > 0 and <= the request timeout/,
  );
  assert.throws(
    () => server({ headersTimeoutMs: -1 }),
    (error: unknown) => isStratusError(error) && error.code === 'BOOT_ERR_INVALID_CONFIG',
  );
});

function server(connection: Partial<ConnectionLimits>) {
  return createHttpServer({
    logger: createSilentLogger(),
    metrics: createMetrics({ application: 'server-test' }),
    connection,
  });
}

async function listening(t: TestContext, connection: Partial<ConnectionLimits>) {
  const app = server(connection);
  app.get('/ok', async () => ({ ok: true }));
  app.post('/echo', async (request) => request.body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return { app, port: (app.server.address() as { port: number }).port };
}

/** A raw client connection that records what it got and when it was closed. */
function rawClient(t: TestContext, port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  const openedMs = performance.now();
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - openedMs)),
  );
  t.after(() => socket.destroy());
  return { socket, closed, received: () => received };
}

test('the defaults are bound on the Node server', async (t) => {
  const { app } = await listening(t, {});
  assert.equal(app.server.headersTimeout, 5_000);
  assert.equal(app.server.requestTimeout, 30_000);
  assert.equal(app.server.keepAliveTimeout, 60_000);
  assert.equal(app.server.maxRequestsPerSocket, 1_000);
  assert.equal(app.server.maxConnections, 8_192);
});

test('a client trickling its headers gets 408 and is cut after the headers timeout', async (t) => {
  const { port } = await listening(t, { headersTimeoutMs: 400, checkIntervalMs: 100 });
  const slow = rawClient(t, port);
  slow.socket.write('GET /ok HTTP/1.1\r\n');
  const timer = setInterval(() => slow.socket.writable && slow.socket.write('x-a: b\r\n'), 50);
  t.after(() => clearInterval(timer));
  const closedAfterMs = await slow.closed;
  assert.ok(closedAfterMs >= 350 && closedAfterMs < 2_000, `closed after ${closedAfterMs} ms`);
  assert.match(slow.received(), /^HTTP\/1\.1 408 /);
});

test('a slow body is cut after the request timeout, an idle kept connection after the keep-alive timeout', async (t) => {
  const { port } = await listening(t, {
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    keepAliveTimeoutMs: 300,
    checkIntervalMs: 100,
  });
  const slowBody = rawClient(t, port);
  slowBody.socket.write(
    'POST /echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{',
  );
  const timer = setInterval(() => slowBody.socket.writable && slowBody.socket.write(' '), 50);
  t.after(() => clearInterval(timer));
  const idle = rawClient(t, port);
  idle.socket.write('GET /ok HTTP/1.1\r\nhost: x\r\n\r\n');
  const [bodyClosedMs, idleClosedMs] = await Promise.all([slowBody.closed, idle.closed]);
  assert.ok(bodyClosedMs >= 550 && bodyClosedMs < 2_500, `slow body cut after ${bodyClosedMs} ms`);
  assert.match(slowBody.received(), /^HTTP\/1\.1 408 /);
  assert.ok(idleClosedMs >= 250 && idleClosedMs < 2_000, `idle cut after ${idleClosedMs} ms`);
  assert.match(idle.received(), /^HTTP\/1\.1 200 /);
});

test("the last response of a connection's request quota says close, and connections over the cap are closed at once", async (t) => {
  const { port } = await listening(t, { maxRequestsPerConnection: 2, maxConnections: 2 });
  const kept = rawClient(t, port);
  kept.socket.write('GET /ok HTTP/1.1\r\nhost: x\r\n\r\nGET /ok HTTP/1.1\r\nhost: x\r\n\r\n');
  const [firstResponse, secondResponse] = await new Promise<string[]>((resolve) => {
    const check = (): void => {
      const parts = kept.received().split(/(?=HTTP\/1\.1 )/);
      if (parts.length >= 2 && parts[1]!.endsWith('}')) resolve(parts);
      else setTimeout(check, 20);
    };
    check();
  });
  assert.match(firstResponse!, /keep-alive: timeout=60, max=2/i);
  assert.match(secondResponse!, /^HTTP\/1\.1 200 [\s\S]*connection: close/i);
  kept.socket.destroy();
  await kept.closed;

  const first = rawClient(t, port);
  const second = rawClient(t, port);
  await Promise.all([
    new Promise((resolve) => first.socket.once('connect', resolve)),
    new Promise((resolve) => second.socket.once('connect', resolve)),
  ]);
  const third = rawClient(t, port);
  const closedAfterMs = await third.closed;
  assert.ok(closedAfterMs < 1_000, `third connection closed after ${closedAfterMs} ms`);
  assert.equal(first.socket.destroyed, false);
});

test(
  'closing the server cuts a client stuck in its headers at once, drains a request in flight and ends its connection',
  { timeout: 20_000 },
  async (t) => {
    const app = server({});
    let release: (() => void) | null = null;
    app.get('/slow', () => new Promise((resolve) => (release = () => resolve({ done: true }))));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const stuck = rawClient(t, port);
    stuck.socket.write('GET /ok HTTP/1.1\r\nx-a: ');
    const busy = rawClient(t, port);
    busy.socket.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
    const connections = () =>
      new Promise<number>((resolve) =>
        app.server.getConnections((_error, count) => resolve(count)),
      );
    while (release === null || (await connections()) < 2) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const closing = app.close();
    await stuck.closed;
    (release as () => void)();
    await closing;
    await busy.closed; // ended after its response, not held for the keep-alive timeout
    assert.match(busy.received(), /^HTTP\/1\.1 200 [\s\S]*connection: close[\s\S]*"done":true/i);
  },
);

/** A server whose spans land in `spans` (sampled at 1.0, exported every 10 ms). */
function tracedServer(
  t: TestContext,
  options: { responseHeaders?: boolean; produce?: Array<'W3C' | 'B3' | 'B3_MULTI'> } = {},
) {
  const spans: ZipkinSpan[] = [];
  const tracing = createTracing({
    serviceName: 'user-service',
    samplingProbability: 1,
    exportIntervalMs: 10,
    propagation: { produce: options.produce ?? ['W3C'] },
    export: { sender: async (batch) => void spans.push(...batch), target: 'memory' },
  });
  const metrics = createMetrics({ application: 'user-service', collectProcessMetrics: false });
  const exchanges = createHttpExchangeRepository({ capacity: 10 });
  const app = createHttpServer({
    logger: createSilentLogger(),
    metrics,
    tracing,
    exchanges,
    tracingOptions: { responseHeaders: options.responseHeaders ?? false },
  });
  t.after(async () => {
    await app.close();
    await tracing.close();
  });
  const base = async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  };
  const flushed = async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await tracing.forceFlush();
    return spans;
  };
  return { app, tracing, metrics, exchanges, base, flushed };
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

test('every request runs in a SERVER span named and tagged as Micrometer names Spring MVC ones', async (t) => {
  const { app, tracing, base, flushed } = tracedServer(t);
  app.get('/users/:userId', async () => ({ ok: true }));
  app.post('/orders', async (request) =>
    // Body parsing runs in the socket's events: the handler must still see the server span.
    tracing.withSpan('place order', async () => ({ trace: currentTraceId(), body: request.body })),
  );
  const url = await base();
  const response = await fetch(`${url}/users/u-1?token=secret`, {
    headers: { traceparent: `00-${TRACE}-${PARENT}-01` },
  });
  assert.equal(response.status, 200);
  const posted = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', b3: `${TRACE}-${PARENT}-1` },
    body: JSON.stringify({ qty: 1 }),
  });
  assert.deepEqual(await posted.json(), { trace: TRACE, body: { qty: 1 } });
  const spans = await flushed();
  const get = spans.find((s) => s.name === 'http get /users/{userid}');
  assert.ok(get, `spans: ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(get.kind, 'SERVER');
  assert.equal(get.traceId, TRACE);
  assert.equal(get.parentId, PARENT);
  assert.deepEqual(
    { ...get.tags },
    {
      method: 'GET',
      uri: '/users/{userId}',
      status: '200',
      outcome: 'SUCCESS',
      exception: 'none',
      'http.url': '/users/u-1',
    },
  );
  assert.equal(get.remoteEndpoint?.ipv4, '127.0.0.1');
  assert.ok((get.remoteEndpoint?.port ?? 0) > 0);
  const post = spans.find((s) => s.name === 'http post /orders');
  const inner = spans.find((s) => s.name === 'place order');
  assert.equal(inner?.parentId, post?.id);
});

test('an interceptor serves the requests it accepts before fastify, inside their SERVER span', async (t) => {
  const { app, base, flushed } = tracedServer(t, { responseHeaders: true });
  app.get('/fastify', async () => ({ by: 'fastify', trace: currentTraceId() }));
  interceptRequests(app, {
    templateOf: () => '/*',
    accepts: (request) => request.url?.startsWith('/proxied/') === true,
    serve: (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ by: 'interceptor', trace: currentTraceId() }));
    },
  });
  const url = await base();
  const proxied = await fetch(`${url}/proxied/users/1`, {
    headers: { traceparent: `00-${TRACE}-${PARENT}-01` },
  });
  assert.deepEqual(await proxied.json(), { by: 'interceptor', trace: TRACE });
  assert.match(proxied.headers.get('traceparent') ?? '', new RegExp(`^00-${TRACE}-`));
  const routed = await fetch(`${url}/fastify`);
  assert.equal(((await routed.json()) as { by: string }).by, 'fastify');
  const spans = await flushed();
  const served = spans.find((s) => s.traceId === TRACE);
  assert.equal(served?.name, 'http get /**');
  assert.equal(served?.kind, 'SERVER');
  assert.equal(served?.parentId, PARENT);
  assert.equal(served?.tags?.uri, '/**');
  assert.ok(spans.some((s) => s.name === 'http get /fastify'));
});

test('without tracing an interceptor still takes its requests and leaves the rest to fastify', async (t) => {
  const app = createHttpServer({
    logger: createSilentLogger(),
    metrics: createMetrics({ application: 'plain', collectProcessMetrics: false }),
  });
  t.after(() => app.close());
  app.get('/fastify', async () => ({ by: 'fastify' }));
  interceptRequests(app, {
    templateOf: () => '/*',
    accepts: (request) => request.url === '/mine',
    serve: (_request, response) => void response.end('mine'),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  assert.equal(await (await fetch(`${url}/mine`)).text(), 'mine');
  assert.deepEqual(await (await fetch(`${url}/fastify`)).json(), { by: 'fastify' });
  assert.equal((await fetch(`${url}/other`)).status, 404);
  assert.throws(
    () =>
      interceptRequests({} as typeof app, {
        templateOf: () => '/*',
        accepts: () => false,
        serve: () => undefined,
      }),
    /createHttpServer/,
  );
});

test('malformed trace headers start a new trace; the request and its problem+json still work', async (t) => {
  const { app, base, flushed } = tracedServer(t);
  app.get('/ok', async () => ({ trace: currentTraceId() }));
  app.get('/fail', async () => {
    throw new Error('database is down');
  });
  const url = await base();
  const hostile: Array<Record<string, string>> = [
    { traceparent: 'garbage' },
    { traceparent: `00-${'0'.repeat(32)}-${PARENT}-01` },
    { traceparent: `ff-${TRACE}-${PARENT}-01` },
    { b3: `${TRACE}-${PARENT}-x` },
    { b3: 'Z'.repeat(4000) },
    { 'x-b3-traceid': 'not-hex', 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' },
    { traceparent: `00-${TRACE}-${PARENT}-01, 00-${TRACE}-${PARENT}-01` },
  ];
  for (const headers of hostile) {
    const response = await fetch(`${url}/ok`, { headers });
    assert.equal(response.status, 200, JSON.stringify(headers));
    const { trace } = (await response.json()) as { trace: string };
    assert.match(trace, /^[0-9a-f]{32}$/);
    assert.notEqual(trace, TRACE);
  }
  const failed = await fetch(`${url}/fail`, { headers: { traceparent: 'x' } });
  assert.equal(failed.status, 500);
  assert.match(failed.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = (await failed.json()) as { traceId: string; detail: string };
  assert.doesNotMatch(problem.detail, /database/);
  const spans = await flushed();
  const failure = spans.find((s) => s.traceId === problem.traceId);
  assert.ok(failure, 'the problem names the trace of the failed request');
  assert.equal(failure.tags?.exception, 'Error');
  assert.equal(failure.tags?.outcome, 'SERVER_ERROR');
  assert.ok(failure.tags?.error);
});

test('actuator and untraced routes make no span; 404s are NOT_FOUND; response headers only when configured', async (t) => {
  const { app, base, flushed, metrics } = tracedServer(t);
  app.get('/actuator/health', { config: { stratusActuatorEndpoint: 'health' } }, async () => ({
    status: 'UP',
  }));
  app.get('/api/v2/spans', { config: { [UNTRACED_ROUTE]: true } }, async () => []);
  const url = await base();
  const health = await fetch(`${url}/actuator/health`);
  assert.equal(health.headers.get('traceparent'), null);
  await fetch(`${url}/api/v2/spans`);
  await fetch(`${url}/nowhere`);
  const spans = await flushed();
  assert.deepEqual(
    spans.map((s) => s.name),
    ['http get'],
  );
  assert.equal(spans[0]?.tags?.uri, 'NOT_FOUND');
  assert.match(
    await metrics.scrape(),
    /http_server_requests_seconds_count\{[^\n]*uri="\/actuator\/health"[^\n]*\} 1/,
  );

  const echoing = tracedServer(t, { responseHeaders: true, produce: ['B3', 'W3C'] });
  echoing.app.get('/ok', async () => ({ trace: currentTraceId(), span: currentSpanId() }));
  const response = await fetch(`${await echoing.base()}/ok`);
  const { trace, span } = (await response.json()) as { trace: string; span: string };
  assert.equal(response.headers.get('b3'), `${trace}-${span}-1`);
  assert.equal(response.headers.get('traceparent'), `00-${trace}-${span}-01`);
});

test('exchanges are recorded for /actuator/httpexchanges, newest first', async (t) => {
  const { app, base, exchanges } = tracedServer(t);
  app.get('/ok', async () => 'ok');
  const url = await base();
  await fetch(`${url}/ok?n=1`, { headers: { authorization: 'Bearer secret' } });
  await fetch(`${url}/ok?n=2`);
  const recorded = exchanges.findAll();
  assert.equal(recorded.length, 2);
  assert.equal(recorded[0]?.request.uri, `${url}/ok?n=2`);
  assert.equal(recorded[1]?.request.headers?.authorization, undefined);
  assert.equal(recorded[0]?.response.status, 200);
  assert.ok((recorded[0]?.timeTakenMs ?? -1) >= 0);
});

test('a traced server keeps the connection limits', async (t) => {
  const { app } = tracedServer(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  assert.equal(app.server.headersTimeout, 5_000);
  assert.equal(app.server.requestTimeout, 30_000);
  assert.equal(app.server.keepAliveTimeout, 60_000);
  assert.equal(app.server.maxConnections, 8_192);
});

test('a malformed URL escape gets a problem document that does not echo the path', async (t) => {
  const { port } = await listening(t, {});
  const client = rawClient(t, port);
  client.socket.write(
    'GET /ok/%zz-canary HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  );
  await client.closed;
  const [head = '', body = ''] = client.received().split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 400 /);
  assert.match(head, /content-type: application\/problem\+json/i);
  assert.equal(JSON.parse(body).code, 'BOOT_ERR_BAD_REQUEST');
  assert.doesNotMatch(body, /canary/);
});
