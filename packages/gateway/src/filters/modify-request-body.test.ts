import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { BodyRewrite } from '../filter-api.js';
import { routes } from '../route-builder.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { client, postChunked, recordingUpstream, startGateway } from '../internal/test-servers.js';
import { modifyRequestBodyFilterFactory } from './modify-request-body.js';

const upper = (_exchange: unknown, body: Buffer): string => body.toString().toUpperCase();

/** The compiled filter of a code-built route's first filter. */
function builtFilter(rewrite: BodyRewrite, contentType?: string) {
  const definitions = routes()
    .route('r', (r) => r.filters((f) => f.modifyRequestBody(rewrite, contentType)).uri('http://x'))
    .build();
  return filter(modifyRequestBodyFilterFactory, definitions.routes[0]?.filters[0] ?? 'missing');
}

test('the rewrite gets the whole body; what it returns replaces it, with the content type', async () => {
  const sent: Buffer[] = [];
  const ex = exchange({
    method: 'POST',
    readRequestBody: () => Promise.resolve(Buffer.from('hello')),
    setRequestBody: (body) => void sent.push(typeof body === 'string' ? Buffer.from(body) : body),
  });
  await builtFilter(upper, 'text/plain').pre?.(ex);
  assert.deepEqual(sent, [Buffer.from('HELLO')]);
  assert.equal(ex.requestHeaders['content-type'], 'text/plain');
});

test('a rewrite returning neither a Buffer nor a string fails the request', async () => {
  const ex = exchange({ method: 'POST', readRequestBody: () => Promise.resolve(Buffer.from('x')) });
  const bad = builtFilter((() => 42) as unknown as BodyRewrite);
  await assert.rejects(async () => bad.pre?.(ex), /must return a Buffer or a string/);
});

test('the definition carries an opaque id for the function, so it stays serialisable', () => {
  const definitions = routes()
    .route('r', (r) => r.filters((f) => f.modifyRequestBody(upper)).uri('http://x'))
    .build();
  const json = JSON.stringify(definitions);
  assert.doesNotMatch(json, /toUpperCase/);
  assert.match(
    String(definitions.routes[0]?.filters[0]?.args['rewriteFunction']),
    /^code:[0-9a-f-]{36}$/,
  );
  assert.doesNotThrow(() => validateDefinitions(JSON.parse(json)));
});

test('ModifyRequestBody from YAML is a clear problem: it is code-only, as in Spring', () => {
  for (const item of [
    'ModifyRequestBody',
    'ModifyRequestBody=code:00000000-0000-0000-0000-000000000000',
    { name: 'ModifyRequestBody', args: { contentType: 'text/plain' } },
  ]) {
    assert.throws(
      () => validateDefinitions({ routes: [{ id: 'y', uri: 'http://x', filters: [item] }] }),
      /filters\[0\] ModifyRequestBody: ModifyRequestBody takes a function, so it can only be configured in code/,
    );
  }
  const yaml = parseYaml(`
spring:
  cloud:
    gateway:
      routes:
      - id: y
        uri: http://x
        filters:
        - name: ModifyRequestBody
          args:
            inClass: java.lang.String
            outClass: java.lang.String
            rewriteFunction: (exchange, s) -> s.toUpperCase()
`) as unknown;
  assert.throws(() => validateDefinitions(yaml), /can only be configured in code/);
});

test('a content type with a line break is a problem when the route compiles', () => {
  assert.throws(
    () => builtFilter(upper, 'text/plain\r\nX-Evil: 1'),
    /'contentType' is not a valid header value/,
  );
});

test('the upstream gets the rewritten body with its Content-Length and no Transfer-Encoding', async (t) => {
  const { upstream, received } = await recordingUpstream(t);
  const definitions = routes()
    .route('r', (r) =>
      r
        .path('/**')
        .filters((f) => f.modifyRequestBody(upper, 'text/plain'))
        .uri(upstream.origin),
    )
    .build();
  const { url } = await startGateway(t, definitions);
  // A stream body: undici sends it chunked, without a Content-Length.
  const chunks = (): Readable => Readable.from([Buffer.from('hello '), Buffer.from('world')]);
  const response = await client(t)(`${url}/x`, { method: 'POST', body: chunks() });
  assert.equal(response.statusCode, 200);
  assert.deepEqual(await response.body.json(), { contentType: 'text/plain' });
  assert.deepEqual(received, [
    { body: 'HELLO WORLD', contentLength: '11', transferEncoding: undefined },
  ]);
});

test('a body over the route limit gets the 413 problem and nothing reaches the upstream', async (t) => {
  const { upstream, received } = await recordingUpstream(t);
  let calls = 0;
  const definitions = routes()
    .route('r', (r) =>
      r
        .path('/**')
        .filters((f) =>
          f.setRequestSize(64).modifyRequestBody((_ex, body) => {
            calls++;
            return body;
          }),
        )
        .uri(upstream.origin),
    )
    .build();
  const { port } = await startGateway(t, definitions);
  const text = await postChunked(port, 100);
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.match(text, /content-type: application\/problem\+json/i);
  assert.match(text, /"code":"GW_ERR_PAYLOAD_TOO_LARGE"/);
  assert.equal(received.length, 0);
  assert.equal(calls, 0);
});

test('with Retry every attempt sends the rewritten body, rewritten once', async (t) => {
  const { upstream, received } = await recordingUpstream(t, [500, 500]);
  let calls = 0;
  const definitions = routes()
    .route('r', (r) =>
      r
        .path('/**')
        .filters((f) =>
          f.retry({ retries: 3, methods: ['POST'] }).modifyRequestBody((_ex, body) => {
            calls++;
            return `${body.toString()}!`;
          }),
        )
        .uri(upstream.origin),
    )
    .build();
  const { url } = await startGateway(t, definitions);
  const response = await client(t)(`${url}/x`, { method: 'POST', body: 'payload' });
  assert.equal(response.statusCode, 200);
  await response.body.dump();
  const sent = { body: 'payload!', contentLength: '8', transferEncoding: undefined };
  assert.deepEqual(received, [sent, sent, sent]);
  assert.equal(calls, 1);
});
