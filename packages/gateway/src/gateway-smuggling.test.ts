// Hostile-input suite: request smuggling (reliability.md §1.4, §3.F 28). Each framing trick gets
// 400 and a closed connection, the upstream's request counter proves nothing was forwarded, and a
// clean request on a fresh connection still works. The gateway re-frames every upstream request
// itself (undici), never piping the client's bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  client,
  rawRequest,
  singleRoute,
  startGateway,
  startUpstream,
} from './internal/test-servers.js';

const CASES: readonly (readonly [string, string])[] = [
  [
    'Content-Length with Transfer-Encoding',
    'POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
  [
    'Transfer-Encoding: chunked, identity',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  ],
  [
    'Transfer-Encoding not ending in chunked',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip\r\n\r\nabcd',
  ],
  [
    'an obfuscated coding name',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
  ],
  [
    'space before the colon',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  ],
  [
    'a vertical tab in Transfer-Encoding',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n',
  ],
  [
    'two Transfer-Encoding lines',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n',
  ],
  [
    'duplicate differing Content-Length',
    'POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde',
  ],
  ['a Content-Length list', 'POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 4, 5\r\n\r\nabcde'],
  ['a signed Content-Length', 'POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: +4\r\n\r\nabcd'],
  ['obs-fold', 'GET /x HTTP/1.1\r\nHost: g\r\nX-A: a\r\n b\r\n\r\n'],
  ['a bare CR in a header', 'GET /x HTTP/1.1\r\nHost: g\r\nX-A: a\rb\r\n\r\n'],
  ['a bare LF line ending', 'GET /x HTTP/1.1\nHost: g\nX-A: a\n\n'],
  ['a NUL in a header value', 'GET /x HTTP/1.1\r\nHost: g\r\nX-A: a\x00b\r\n\r\n'],
  [
    'an oversized chunk extension',
    `POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n4;${'e'.repeat(20_000)}\r\nabcd\r\n0\r\n\r\n`,
  ],
  [
    'a non-hex chunk size',
    'POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabcd\r\n0\r\n\r\n',
  ],
  [
    'an HTTP/1.0 request with Transfer-Encoding',
    'POST /x HTTP/1.0\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ],
];

for (const [label, bytes] of CASES) {
  test(`${label} gets 400, is never forwarded, and the next connection still works`, async (t) => {
    const upstream = await startUpstream(t);
    const { port, url } = await startGateway(t, singleRoute(upstream.origin));
    const text = await rawRequest(port, bytes, 1_500);
    assert.match(text, /^HTTP\/1\.[01] 400 /, `${label}: ${JSON.stringify(text.slice(0, 120))}`);
    assert.doesNotMatch(text.slice(12), /HTTP\/1\.1 200/, 'no second response was smuggled out');
    assert.equal(upstream.seen.length, 0, label);
    const clean = await client(t)(`${url}/after`);
    assert.equal(clean.statusCode, 200);
    await clean.body.dump();
    assert.equal(upstream.seen.length, 1);
  });
}

test('a smuggled request hidden in a body is forwarded as body bytes only, never as a second request', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin));
  const hidden = 'GET /admin HTTP/1.1\r\nHost: g\r\n\r\n';
  const text = await rawRequest(
    port,
    `POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: ${hidden.length}\r\nConnection: close\r\n\r\n${hidden}`,
  );
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.equal(upstream.seen.length, 1);
  assert.equal(upstream.seen[0]?.url, '/x');
  assert.equal(upstream.seen[0]?.bodyBytes, hidden.length);
});
