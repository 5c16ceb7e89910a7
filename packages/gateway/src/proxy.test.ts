import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { SignJWT } from 'jose';
import { GatewayErrors } from './errors.js';
import {
  client,
  rawRequest,
  singleRoute,
  startGateway,
  staticBalancer,
  startUpstream,
  type SeenRequest,
} from './internal/test-servers.js';
import { parseGatewayDefinitions } from './route-definition.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs512-signing-0123456789abcdef';

const seedRoutes = {
  'default-filters': [
    {
      name: 'GlobalFilter',
      args: {
        baseMessage: 'Spring Cloud Gateway Global Filter',
        preLogger: true,
        postLogger: true,
      },
    },
  ],
  routes: [
    {
      id: 'user-service',
      uri: 'lb://USER-SERVICE',
      predicates: ['Path=/user-service/login', 'Method=POST'],
      filters: [
        'RemoveRequestHeader=Cookie',
        'RewritePath=/user-service/(?<segment>.*), /$\\{segment}',
      ],
    },
    {
      id: 'user-service',
      uri: 'lb://USER-SERVICE',
      predicates: ['Path=/user-service/**', 'Method=GET'],
      filters: [
        'RemoveRequestHeader=Cookie',
        'RewritePath=/user-service/(?<segment>.*), /$\\{segment}',
        'AuthorizationHeaderFilter',
      ],
    },
  ],
};

test('the seed GET route rewrites /user-service/users/1 to /users/1 on the lb:// instance', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, seedRoutes, {
    loadBalancer: staticBalancer({ 'USER-SERVICE': [upstream.origin] }),
    settings: { jwt: { key: { secret: SECRET } } },
  });
  const token = await new SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: 'HS512' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const response = await client(t)(`${url}/user-service/users/1?full=true`, {
    headers: { authorization: `Bearer ${token}`, cookie: 'JSESSIONID=abc' },
  });
  assert.equal(response.statusCode, 200);
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.url, '/users/1?full=true');
  assert.equal(seen.headers['cookie'], undefined);
  assert.equal(seen.headers['x-user-id'], 'user-1');
  assert.equal(seen.headers['host'], new URL(upstream.origin).host);
  assert.equal(response.headers['x-upstream'], 'yes');
  assert.equal(upstream.seen.length, 1);
});

test('the seed POST login route needs no token; a method no route accepts gets 404 problem+json', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, seedRoutes, {
    loadBalancer: staticBalancer({ 'USER-SERVICE': [upstream.origin] }),
    settings: { jwt: { key: { secret: SECRET } } },
  });
  const request = client(t);
  const login = await request(`${url}/user-service/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"email":"a@b.c"}',
  });
  assert.equal(login.statusCode, 200);
  const seen = (await login.body.json()) as SeenRequest;
  assert.equal(seen.url, '/login');
  assert.equal(seen.bodyBytes, 17);
  const missing = await request(`${url}/user-service/login`, { method: 'DELETE' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['content-type'], 'application/problem+json');
  assert.equal(((await missing.body.json()) as { code: string }).code, 'GW_ERR_NO_ROUTE');
  assert.equal(upstream.seen.length, 1);
});

test('request and response headers are added, set and removed by filters', async (t) => {
  const upstream = await startUpstream(t, (request, reply) =>
    reply.header('x-internal', 'secret').header('x-kept', 'up').send({ headers: request.headers }),
  );
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, {
      predicates: ['Path=/red/{segment}'],
      filters: [
        'AddRequestHeader=X-Request-Red, Blue-{segment}',
        'SetRequestHeader=X-Mode, gateway',
        'RemoveRequestHeader=X-Drop',
        'AddResponseHeader=X-Response-Red, Blue',
        'SetResponseHeader=X-Kept, gw',
        'RemoveResponseHeader=X-Internal',
      ],
    }),
  );
  const response = await client(t)(`${url}/red/blue`, {
    headers: { 'x-drop': '1', 'x-mode': 'client' },
  });
  const body = (await response.body.json()) as { headers: Record<string, string> };
  assert.equal(body.headers['x-request-red'], 'Blue-blue');
  assert.equal(body.headers['x-mode'], 'gateway');
  assert.equal(body.headers['x-drop'], undefined);
  assert.equal(response.headers['x-response-red'], 'Blue');
  assert.equal(response.headers['x-kept'], 'gw');
  assert.equal(response.headers['x-internal'], undefined);
});

test('hop-by-hop headers and fields named in Connection are removed both ways', async (t) => {
  const upstream = await startUpstream(t, (request, reply) => {
    reply.raw.setHeader('connection', 'x-up-private');
    reply.raw.setHeader('x-up-private', 'leak');
    reply.raw.setHeader('keep-alive', 'timeout=5');
    return reply.send({ headers: request.headers });
  });
  const { port } = await startGateway(t, singleRoute(upstream.origin));
  const text = await rawRequest(
    port,
    'GET /x HTTP/1.1\r\nHost: gw\r\nConnection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\n' +
      'TE: trailers\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nUpgrade: h2c\r\nTrailer: X\r\nX-Normal: ok\r\n\r\n',
  );
  assert.match(text, /^HTTP\/1\.1 200/);
  const [head, body] = text.split('\r\n\r\n', 2) as [string, string];
  const seen = JSON.parse(body.trim().startsWith('{') ? body : (body.split('\r\n')[1] ?? '{}')) as {
    headers: Record<string, string>;
  };
  for (const name of [
    'x-secret-hop',
    'keep-alive',
    'te',
    'proxy-authorization',
    'upgrade',
    'trailer',
  ]) {
    assert.equal(seen.headers[name], undefined, name);
  }
  assert.equal(seen.headers['x-normal'], 'ok');
  assert.doesNotMatch(head, /x-up-private/i);
  assert.doesNotMatch(head, /keep-alive: timeout/i);
});

test('a 2 MiB body streams to the upstream and back unchanged', async (t) => {
  const upstream = await startUpstream(t, (request, reply) =>
    reply.header('content-type', 'application/octet-stream').send(request.raw),
  );
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const payload = randomBytes(2 * 1024 * 1024);
  const request = client(t);
  for (const chunked of [false, true]) {
    const response = await request(`${url}/echo`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: chunked ? Readable.from([payload.subarray(0, 1000), payload.subarray(1000)]) : payload,
    });
    assert.equal(response.statusCode, 200);
    assert.ok(Buffer.from(await response.body.arrayBuffer()).equals(payload), `chunked=${chunked}`);
  }
});

test('the request body is streamed: the upstream sees the first chunk before the client sends the rest', async (t) => {
  let firstChunkSeen!: () => void;
  const sawFirst = new Promise<void>((resolve) => (firstChunkSeen = resolve));
  const upstream = await startUpstream(t, async (request, reply) => {
    let total = 0;
    for await (const chunk of request.raw as AsyncIterable<Buffer>) {
      if (total === 0) firstChunkSeen();
      total += chunk.length;
    }
    return reply.send({ total });
  });
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const body = new Readable({ read() {} });
  const pending = client(t)(`${url}/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  body.push(Buffer.alloc(64 * 1024, 1));
  await sawFirst; // would hang if the gateway buffered the whole body
  body.push(Buffer.alloc(64 * 1024, 2));
  body.push(null);
  const response = await pending;
  assert.deepEqual(await response.body.json(), { total: 128 * 1024 });
});

test("lb:// routes spread requests round robin over the balancer's instances", async (t) => {
  const first = await startUpstream(t, (_request, reply) => reply.send('one'));
  const second = await startUpstream(t, (_request, reply) => reply.send('two'));
  const { url } = await startGateway(
    t,
    {
      routes: [
        { id: 'svc', uri: 'lb://SVC', predicates: ['Path=/svc/**'], filters: ['StripPrefix=1'] },
      ],
    },
    {
      loadBalancer: staticBalancer({ SVC: [first.origin, second.origin] }),
    },
  );
  const request = client(t);
  const answers: string[] = [];
  for (let i = 0; i < 4; i++) answers.push(await (await request(`${url}/svc/x`)).body.text());
  assert.deepEqual(answers, ['one', 'two', 'one', 'two']);
});

test('no instance for an lb:// service gives 503 GW_ERR_NO_INSTANCE', async (t) => {
  const { url } = await startGateway(
    t,
    { routes: [{ uri: 'lb://NOBODY', predicates: ['Path=/**'] }] },
    { loadBalancer: staticBalancer({}) },
  );
  const response = await client(t)(`${url}/x`);
  assert.equal(response.statusCode, 503);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = (await response.body.json()) as { code: string; status: number };
  assert.equal(problem.code, 'GW_ERR_NO_INSTANCE');
  assert.equal(problem.status, 503);
});

test('a refused upstream connection gives 503 GW_ERR_UPSTREAM_UNAVAILABLE', async (t) => {
  const upstream = await startUpstream(t);
  const origin = upstream.origin;
  await upstream.app.close();
  const { url } = await startGateway(t, singleRoute(origin));
  const response = await client(t)(`${url}/x`);
  assert.equal(response.statusCode, 503);
  assert.equal(
    ((await response.body.json()) as { code: string }).code,
    'GW_ERR_UPSTREAM_UNAVAILABLE',
  );
});

test('a slow upstream gives 504 after the response timeout, and the route metadata can override it', async (t) => {
  const timers = new Set<NodeJS.Timeout>();
  t.after(() => timers.forEach(clearTimeout));
  const upstream = await startUpstream(t, (_request, reply) => {
    const timer = setTimeout(() => void reply.send('late'), 5000);
    timers.add(timer);
    return reply;
  });
  const { url } = await startGateway(
    t,
    {
      routes: [
        {
          id: 'meta',
          uri: upstream.origin,
          predicates: ['Path=/meta'],
          metadata: { 'response-timeout': 50 },
        },
        { id: 'slow', uri: upstream.origin, predicates: ['Path=/**'] },
      ],
    },
    { settings: { responseTimeoutMs: 100 } },
  );
  const request = client(t);
  const started = Date.now();
  const response = await request(`${url}/slow`);
  assert.equal(response.statusCode, 504);
  assert.equal(((await response.body.json()) as { code: string }).code, 'GW_ERR_UPSTREAM_TIMEOUT');
  assert.ok(Date.now() - started < 3000);
  assert.equal((await request(`${url}/meta`)).statusCode, 504);
});

test('an oversized body gets 413 before anything is forwarded', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(
    t,
    {
      routes: [
        { uri: upstream.origin, predicates: ['Path=/small'], filters: ['RequestSize=1KB'] },
        { uri: upstream.origin, predicates: ['Path=/**'] },
      ],
    },
    { settings: { maxBodyBytes: 64 * 1024 } },
  );
  const request = client(t);
  const big = await request(`${url}/big`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: Buffer.alloc(65 * 1024),
  });
  assert.equal(big.statusCode, 413);
  assert.equal(((await big.body.json()) as { code: string }).code, 'GW_ERR_PAYLOAD_TOO_LARGE');
  const small = await request(`${url}/small`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: Buffer.alloc(2048),
  });
  assert.equal(small.statusCode, 413);
  assert.equal(
    small.headers['errormessage'],
    'Request size is larger than permissible limit. Request size is 2.0 KB where permissible limit is 1.0 KB',
  );
  await small.body.dump();
  assert.equal(upstream.seen.length, 0);
});

test('a chunked body that grows over the limit is cut off and never fully forwarded', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin), {
    settings: { maxBodyBytes: 1024 },
  });
  const chunk = `${(800).toString(16)}\r\n${'a'.repeat(800)}\r\n`;
  const text = await rawRequest(
    port,
    `POST /x HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n${chunk}${chunk}${chunk}0\r\n\r\n`,
  );
  assert.match(text, /^HTTP\/1\.1 413/);
  assert.ok(upstream.seen.every((seen) => seen.bodyBytes <= 1024));
});

test('upstream responses of any status pass through unchanged', async (t) => {
  const upstream = await startUpstream(t, (request, reply) => {
    if (request.url === '/boom')
      return reply.code(500).header('content-type', 'text/plain').send('upstream exploded');
    if (request.url === '/none') return reply.code(204).send();
    return reply.code(404).header('content-type', 'application/json').send({ mine: true });
  });
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const request = client(t);
  const boom = await request(`${url}/boom`);
  assert.equal(boom.statusCode, 500);
  assert.equal(await boom.body.text(), 'upstream exploded');
  const notFound = await request(`${url}/nf`);
  assert.equal(notFound.statusCode, 404);
  assert.deepEqual(await notFound.body.json(), { mine: true });
  const none = await request(`${url}/none`);
  assert.equal(none.statusCode, 204);
  assert.equal(await none.body.text(), '');
  const head = await request(`${url}/boom`, { method: 'HEAD' });
  assert.equal(head.statusCode, 500);
  await head.body.dump();
});

test('routes are tried by order then definition order and the first match wins', async (t) => {
  const a = await startUpstream(t, (_request, reply) => reply.send('a'));
  const b = await startUpstream(t, (_request, reply) => reply.send('b'));
  const { url } = await startGateway(t, {
    routes: [
      { id: 'catch-all', uri: a.origin, predicates: ['Path=/**'] },
      { id: 'specific', uri: b.origin, predicates: ['Path=/special/**'], order: -1 },
    ],
  });
  const request = client(t);
  assert.equal(await (await request(`${url}/special/x`)).body.text(), 'b');
  assert.equal(await (await request(`${url}/other`)).body.text(), 'a');
});

test('setRoutes swaps the table at runtime and an invalid table keeps the old one', async (t) => {
  const a = await startUpstream(t, (_request, reply) => reply.send('a'));
  const b = await startUpstream(t, (_request, reply) => reply.send('b'));
  const { url, gateway } = await startGateway(t, singleRoute(a.origin));
  const request = client(t);
  assert.equal(await (await request(`${url}/x`)).body.text(), 'a');
  gateway.setRoutes(parseGatewayDefinitions(singleRoute(b.origin)));
  assert.equal(await (await request(`${url}/x`)).body.text(), 'b');
  assert.throws(
    () =>
      gateway.setRoutes({
        routes: [
          {
            id: 'bad',
            uri: 'http://x',
            predicates: [{ name: 'Nope', args: {} }],
            filters: [],
            metadata: {},
            order: 0,
          },
        ],
        defaultFilters: [],
      }),
    (error: unknown) => GatewayErrors.INVALID_ROUTE.is(error),
  );
  assert.equal(await (await request(`${url}/x`)).body.text(), 'b');
  assert.equal(gateway.routes().length, 1);
});

test('PreserveHostHeader sends the client Host; otherwise Host is the target', async (t) => {
  const upstream = await startUpstream(t, (request, reply) =>
    reply.send({ host: request.headers.host }),
  );
  const { url } = await startGateway(t, {
    routes: [
      { uri: upstream.origin, predicates: ['Path=/keep'], filters: ['PreserveHostHeader'] },
      { uri: upstream.origin, predicates: ['Path=/**'] },
    ],
  });
  const request = client(t);
  assert.deepEqual(
    await (await request(`${url}/keep`, { headers: { host: 'public.example.org' } })).body.json(),
    { host: 'public.example.org' },
  );
  assert.deepEqual(
    await (await request(`${url}/x`, { headers: { host: 'public.example.org' } })).body.json(),
    { host: new URL(upstream.origin).host },
  );
});

test('routes registered elsewhere on the instance take precedence over the gateway', async (t) => {
  const upstream = await startUpstream(t);
  const { url } = await startGateway(t, singleRoute(upstream.origin), {}, (app) => {
    app.get('/actuator/health', () => ({ status: 'UP' }));
  });
  const request = client(t);
  assert.deepEqual(await (await request(`${url}/actuator/health`)).body.json(), { status: 'UP' });
  assert.equal((await request(`${url}/x`)).statusCode, 200);
  assert.equal(upstream.seen.length, 1);
});

test('a POST without content-type is still streamed unparsed', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin));
  const text = await rawRequest(
    port,
    'POST /x HTTP/1.1\r\nHost: gw\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
  );
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.equal(upstream.seen[0]?.bodyBytes, 5);
});

test('close is idempotent and also runs when the fastify instance closes', async (t) => {
  const upstream = await startUpstream(t);
  const { url, app, gateway } = await startGateway(t, singleRoute(upstream.origin));
  await (await client(t)(`${url}/x`)).body.dump();
  await app.close();
  await gateway.close();
  await gateway.close();
});

test('a client that goes away aborts the pending upstream request', async (t) => {
  let upstreamClosed!: () => void;
  const closedUpstream = new Promise<void>((resolve) => (upstreamClosed = resolve));
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  const upstream = await startUpstream(t, (request, reply) => {
    request.raw.socket.once('close', upstreamClosed);
    arrived();
    return reply; // never answers
  });
  const { url } = await startGateway(t, singleRoute(upstream.origin));
  const controller = new AbortController();
  const pending = client(t)(`${url}/hang`, { signal: controller.signal });
  await arrival;
  controller.abort();
  await assert.rejects(pending);
  await closedUpstream; // would hang if the gateway kept the upstream request open
});
