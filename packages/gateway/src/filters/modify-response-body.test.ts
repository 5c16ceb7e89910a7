import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BodyRewrite } from '../filter-api.js';
import { routes } from '../route-builder.js';
import { exchange, filter, validateDefinitions } from '../internal/test-units.js';
import { client, startGateway, startUpstream } from '../internal/test-servers.js';
import { modifyResponseBodyFilterFactory } from './modify-response-body.js';

const wrap: BodyRewrite = (_exchange, body) =>
  JSON.stringify({ data: JSON.parse(body.toString()) as unknown });

/** The compiled filter of a code-built route's first filter. */
function builtFilter(
  rewrite: BodyRewrite,
  contentType?: string,
  settings: { maxBufferedBodyBytes?: number } = {},
) {
  const definitions = routes()
    .route('r', (r) => r.filters((f) => f.modifyResponseBody(rewrite, contentType)).uri('http://x'))
    .build();
  return filter(modifyResponseBodyFilterFactory, definitions.routes[0]?.filters[0] ?? 'missing', {
    settings,
  });
}

test('a streamed upstream body is read whole, rewritten, and sent with its new length', async () => {
  const ex = exchange({
    responseBody: Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]),
    responseHeaders: { 'content-length': '7', 'content-type': 'text/plain' },
  });
  await builtFilter(wrap, 'application/json').post?.(ex);
  assert.deepEqual(ex.responseBody, Buffer.from('{"data":{"a":1}}'));
  assert.equal(ex.responseHeaders['content-length'], '16');
  assert.equal(ex.responseHeaders['content-type'], 'application/json');
});

test('HEAD, 204 and 304 answers are left alone', async () => {
  let calls = 0;
  const counting = builtFilter(() => {
    calls++;
    return 'x';
  });
  for (const ex of [
    exchange({ method: 'HEAD' }),
    exchange({ statusCode: 204 }),
    exchange({ statusCode: 304 }),
  ])
    await counting.post?.(ex);
  assert.equal(calls, 0);
});

test('a body over max-buffered-body-bytes is a 502, never a truncated answer', async () => {
  const ex = exchange({ responseBody: Readable.from([Buffer.alloc(10), Buffer.alloc(10)]) });
  await assert.rejects(
    async () => builtFilter(wrap, undefined, { maxBufferedBodyBytes: 16 }).post?.(ex),
    (error: Error & { code?: string; httpStatus?: number }) =>
      error.code === 'GW_ERR_BAD_GATEWAY' && error.httpStatus === 502,
  );
  assert.equal(ex.responseBody, null);
});

test('ModifyResponseBody from YAML is a clear problem: it is code-only, as in Spring', () => {
  assert.throws(
    () =>
      validateDefinitions({
        routes: [{ id: 'y', uri: 'http://x', filters: ['ModifyResponseBody=whatever'] }],
      }),
    /ModifyResponseBody: ModifyResponseBody takes a function, so it can only be configured in code .*modifyResponseBody\(rewrite\)/,
  );
});

test('the client receives the rewritten body with a matching Content-Length', async (t) => {
  const upstream = await startUpstream(t, (_request, reply) =>
    reply.header('content-type', 'application/json').send({ name: 'ada' }),
  );
  const definitions = routes()
    .route('r', (r) =>
      r
        .path('/**')
        .filters((f) => f.modifyResponseBody(wrap, 'application/vnd.wrapped+json'))
        .uri(upstream.origin),
    )
    .build();
  const { url } = await startGateway(t, definitions);
  const response = await client(t)(`${url}/x`);
  const text = await response.body.text();
  assert.equal(response.statusCode, 200);
  assert.equal(text, '{"data":{"name":"ada"}}');
  assert.equal(response.headers['content-length'], String(Buffer.byteLength(text)));
  assert.equal(response.headers['content-type'], 'application/vnd.wrapped+json');
  assert.equal(response.headers['transfer-encoding'], undefined);
});

test('an upstream body over max-buffered-body-bytes gets a 502 problem', async (t) => {
  const upstream = await startUpstream(t, (_request, reply) => reply.send('x'.repeat(5000)));
  const definitions = routes()
    .route('r', (r) =>
      r
        .path('/**')
        .filters((f) => f.modifyResponseBody(wrap))
        .uri(upstream.origin),
    )
    .build();
  const { url } = await startGateway(t, definitions, { settings: { maxBufferedBodyBytes: 1024 } });
  const response = await client(t)(`${url}/x`);
  assert.equal(response.statusCode, 502);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = (await response.body.json()) as { code: string };
  assert.equal(problem.code, 'GW_ERR_BAD_GATEWAY');
});
