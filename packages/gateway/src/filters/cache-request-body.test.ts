import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { GatewayExchange } from '../exchange.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { client, postChunked, recordingUpstream, startGateway } from '../internal/test-servers.js';
import { cacheRequestBodyFilterFactory } from './cache-request-body.js';

const withBody = (text: string): GatewayExchange =>
  exchange({ method: 'POST', readRequestBody: () => Promise.resolve(Buffer.from(text)) });

test('CacheRequestBody=java.lang.String keeps the body as a string under cachedRequestBodyObject', async () => {
  const ex = withBody('{"name":"ada"}');
  await filter(cacheRequestBodyFilterFactory, 'CacheRequestBody=java.lang.String').pre?.(ex);
  assert.equal(ex.attributes.get('cachedRequestBodyObject'), '{"name":"ada"}');
});

test('bodyClass byte[] (or [B) keeps a Buffer; an empty body caches nothing, as in Spring', async () => {
  for (const bodyClass of ['byte[]', '[B']) {
    const ex = withBody('bytes');
    await filter(cacheRequestBodyFilterFactory, {
      name: 'CacheRequestBody',
      args: { bodyClass },
    }).pre?.(ex);
    assert.deepEqual(ex.attributes.get('cachedRequestBodyObject'), Buffer.from('bytes'));
  }
  const empty = withBody('');
  await filter(cacheRequestBodyFilterFactory, 'CacheRequestBody=java.lang.String').pre?.(empty);
  assert.equal(empty.attributes.has('cachedRequestBodyObject'), false);
});

test('another body class, or none, is a problem when the route compiles', () => {
  assert.throws(
    () => filter(cacheRequestBodyFilterFactory, 'CacheRequestBody=com.example.Order'),
    /bodyClass' must be java.lang.String or byte\[\], got "com.example.Order"/,
  );
  assert.throws(
    () => validateDefinitions({ routes: [{ uri: 'http://x', filters: ['CacheRequestBody'] }] }),
    /CacheRequestBody: argument 'bodyClass' is required/,
  );
});

test("Spring's documented YAML form compiles", () => {
  const yaml = parseYaml(`
spring:
  cloud:
    gateway:
      routes:
      - id: cache_request_body_route
        uri: lb://downstream
        predicates:
        - Path=/downstream/**
        filters:
        - name: CacheRequestBody
          args:
            bodyClass: java.lang.String
`) as unknown;
  const definitions = validateDefinitions(yaml);
  assert.deepEqual(definitions.routes[0]?.filters[0], {
    name: 'CacheRequestBody',
    args: { bodyClass: 'java.lang.String' },
  });
});

test('a later filter reads the cached body and the upstream gets the same bytes with a Content-Length', async (t) => {
  const { upstream, received } = await recordingUpstream(t);
  const cached: unknown[] = [];
  const { url } = await startGateway(
    t,
    { routes: [{ id: 'r', uri: upstream.origin, filters: ['CacheRequestBody=java.lang.String'] }] },
    {
      globalFilters: [
        {
          name: 'peek',
          order: 100,
          pre: (ex) => void cached.push(ex.attributes.get('cachedRequestBodyObject')),
        },
      ],
    },
  );
  // A stream body: undici sends it chunked, without a Content-Length.
  const chunks = (): Readable => Readable.from([Buffer.from('héllo '), Buffer.from('world')]);
  const response = await client(t)(`${url}/x`, { method: 'POST', body: chunks() });
  assert.equal(response.statusCode, 200);
  await response.body.dump();
  assert.deepEqual(cached, ['héllo world']);
  assert.deepEqual(received, [
    {
      body: 'héllo world',
      contentLength: String(Buffer.byteLength('héllo world')),
      transferEncoding: undefined,
    },
  ]);
});

test('a chunked body over the route limit gets the 413 problem and nothing reaches the upstream', async (t) => {
  const { upstream, received } = await recordingUpstream(t);
  const { port } = await startGateway(t, {
    routes: [
      {
        id: 'r',
        uri: upstream.origin,
        filters: ['RequestSize=64', 'CacheRequestBody=java.lang.String'],
      },
    ],
  });
  const text = await postChunked(port, 100);
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.match(text, /content-type: application\/problem\+json/i);
  assert.match(text, /"code":"GW_ERR_PAYLOAD_TOO_LARGE"/);
  assert.equal(received.length, 0);
});
