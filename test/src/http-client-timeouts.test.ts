import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  createClientFactory,
  defineClient,
  endpoint,
  jsonBody,
  type ClientFactoryOptions,
} from '@stratus/http';
import {
  answer,
  balancerOver,
  environmentOf,
  hang,
  listen,
  liveConfiguration,
  until,
} from './http-client-support.js';

const Catalog = defineClient({
  name: 'catalog-service',
  endpoints: {
    getCatalogs: endpoint({ method: 'GET', path: '/catalogs' }),
  },
});

const timeouts = (name: string, settings: string) => `
spring:
  cloud:
    openfeign:
      client:
        config:
          ${name}:
${settings
  .trim()
  .split('\n')
  .map((line) => `            ${line.trim()}`)
  .join('\n')}
`;

function factory(t: TestContext, options: ClientFactoryOptions) {
  const clients = createClientFactory(options);
  t.after(() => clients.close());
  return clients;
}

async function elapsedOf(work: Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work.catch(() => undefined);
  return performance.now() - started;
}

test('a read timeout fails the call with HTTP_ERR_TIMEOUT near the configured time and closes its socket', async (t) => {
  const upstream = await listen(t, hang);
  const clients = factory(t, {
    properties: environmentOf(timeouts('catalog-service', 'readTimeout: 300')),
    loadBalancer: balancerOver('catalog-service', [upstream.uri]),
  });
  const catalog = clients.create(Catalog);
  const started = performance.now();
  await assert.rejects(catalog.getCatalogs(), { code: 'HTTP_ERR_TIMEOUT', httpStatus: 504 });
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 280 && elapsed < 2000, `gave up after ${elapsed.toFixed(0)} ms`);
  await until(() => upstream.openSockets() === 0, 2000, 'the timed-out socket closed');
  assert.deepEqual(upstream.seen, ['GET /catalogs'], 'a timeout is not retried elsewhere');
});

test('a connect timeout bounds a connection whose handshake never completes', async (t) => {
  // A TCP server that accepts and stays silent: a TLS handshake to it never finishes, which
  // undici counts against the connect timeout.
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => {
    socket.resume();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const { port } = silent.address() as AddressInfo;
  const clients = factory(t, {
    properties: environmentOf(
      timeouts(
        'catalog-service',
        `url: https://127.0.0.1:${port}\nconnectTimeout: 250\nreadTimeout: 10000`,
      ),
    ),
  });
  const catalog = clients.create(Catalog);
  const started = performance.now();
  await assert.rejects(catalog.getCatalogs(), { code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE' });
  const elapsed = performance.now() - started;
  t.diagnostic(`connect timeout of 250 ms fired after ${elapsed.toFixed(0)} ms`);
  assert.ok(
    elapsed >= 240 && elapsed < 3000,
    `gave up after ${elapsed.toFixed(0)} ms, not the 10 s read timeout`,
  );
  await until(() => sockets.size === 0, 2000, 'the half-open connection closed');
});

test('a slow answer within the read timeout succeeds; resets before and during the body are HTTP_ERR_UPSTREAM_UNAVAILABLE', async (t) => {
  const upstream = await listen(t, (req, res) => {
    if (req.url === '/catalogs' && req.headers['x-case'] === 'slow')
      return void setTimeout(() => answer(['slow but fine'])(req, res), 200).unref();
    if (req.headers['x-case'] === 'reset-before') return req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('[1,2,');
    setTimeout(() => req.socket.destroy(), 20).unref();
  });
  const clients = factory(t, {
    properties: environmentOf(timeouts('catalog-service', 'readTimeout: 2000')),
    loadBalancer: balancerOver('catalog-service', [upstream.uri]),
  });
  const catalog = clients.create(Catalog);
  assert.deepEqual(await catalog.getCatalogs({}, { headers: { 'x-case': 'slow' } }), [
    'slow but fine',
  ]);
  await assert.rejects(catalog.getCatalogs({}, { headers: { 'x-case': 'reset-before' } }), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
  await assert.rejects(catalog.getCatalogs({}, { headers: { 'x-case': 'reset-during' } }), {
    code: 'HTTP_ERR_UPSTREAM_UNAVAILABLE',
  });
});

test("aborting the caller's signal cancels the call and closes the upstream socket promptly", async (t) => {
  const upstream = await listen(t, hang);
  const clients = factory(t, { loadBalancer: balancerOver('catalog-service', [upstream.uri]) });
  const controller = new AbortController();
  const call = clients.create(Catalog).getCatalogs({}, { signal: controller.signal });
  await until(() => upstream.seen.length === 1, 5000, 'the request arrived');
  const closed = upstream.nextSocketClose();
  const started = performance.now();
  controller.abort(new Error('the caller went away'));
  await assert.rejects(call, /the caller went away/);
  await closed;
  const elapsed = performance.now() - started;
  t.diagnostic(`upstream socket closed ${elapsed.toFixed(1)} ms after the abort`);
  assert.ok(elapsed < 250, `closed after ${elapsed.toFixed(1)} ms`);
});

test('settings change live: a refresh applies a new read timeout and logger level; an invalid one is refused', async (t) => {
  const upstream = await listen(t, (req, res) =>
    setTimeout(() => answer([1])(req, res), 300).unref(),
  );
  const live = liveConfiguration(timeouts('default', 'readTimeout: 3000'));
  const clients = factory(t, {
    properties: live.source,
    loadBalancer: balancerOver('catalog-service', [upstream.uri]),
  });
  const catalog = clients.create(Catalog);
  assert.deepEqual(await catalog.getCatalogs(), [1]);
  live.set(timeouts('catalog-service', 'readTimeout: 100\nloggerLevel: full'));
  assert.equal(clients.settingsOf('catalog-service').loggerLevel, 'FULL');
  await assert.rejects(catalog.getCatalogs(), { code: 'HTTP_ERR_TIMEOUT' });
  live.set(timeouts('catalog-service', 'readTimeout: -5\nloggerLevel: loud'));
  assert.equal(
    clients.settingsOf('catalog-service').readTimeoutMs,
    100,
    'the previous settings stay',
  );
  assert.deepEqual(
    clients.validate(
      environmentOf(timeouts('catalog-service', 'readTimeout: -5\nloggerLevel: loud')),
    ).length,
    1,
  );
  assert.match(
    clients.validate(
      environmentOf(timeouts('catalog-service', 'readTimeout: -5\nloggerLevel: loud')),
    )[0]!,
    /read-timeout.*-5.*logger-level.*loud/,
  );
});

test('an answer over maxResponseBytes, or a gzip bomb, is HTTP_ERR_DECODE without reading it all', async (t) => {
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
  const upstream = await listen(t, (req, res) => {
    if (req.headers['x-case'] === 'bomb') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(bomb);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i)));
  });
  const clients = factory(t, {
    properties: environmentOf('spring.cloud.openfeign.compression.response.enabled: true'),
    loadBalancer: balancerOver('catalog-service', [upstream.uri]),
    maxResponseBytes: 64 * 1024,
  });
  const catalog = clients.create(Catalog);
  await assert.rejects(catalog.getCatalogs(), { code: 'HTTP_ERR_DECODE' });
  const heapBefore = process.memoryUsage().arrayBuffers;
  await assert.rejects(catalog.getCatalogs({}, { headers: { 'x-case': 'bomb' } }), {
    code: 'HTTP_ERR_DECODE',
  });
  const grown = process.memoryUsage().arrayBuffers - heapBefore;
  assert.ok(grown < 32 * 1024 * 1024, `inflating grew buffers by ${grown} bytes`);
  assert.ok((await elapsedOf(catalog.getCatalogs())) < 5000);
});

test('request bodies are gzip-compressed when spring.cloud.openfeign.compression.request is on', async (t) => {
  const received: Array<{ encoding: string | undefined; bytes: number }> = [];
  const upstream = await listen(t, (req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push({ encoding: req.headers['content-encoding'], bytes });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const clients = factory(t, {
    properties: environmentOf(`
spring.cloud.openfeign.compression.request.enabled: true
spring.cloud.openfeign.compression.request.min-request-size: 1KB
`),
    loadBalancer: balancerOver('catalog-service', [upstream.uri]),
  });
  const Uploads = defineClient({
    name: 'catalog-service',
    endpoints: {
      put: endpoint({ method: 'PUT', path: '/catalogs', body: jsonBody<{ note: string }>() }),
    },
  });
  const uploads = clients.create(Uploads);
  await uploads.put({ body: { note: 'x'.repeat(10_000) } });
  await uploads.put({ body: { note: 'small' } });
  assert.equal(received[0]?.encoding, 'gzip');
  assert.ok(received[0]!.bytes < 1000, `sent ${received[0]?.bytes} bytes for 10 kB of JSON`);
  assert.equal(received[1]?.encoding, undefined, 'below min-request-size stays plain');
});
