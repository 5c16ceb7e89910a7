// RemoveJsonAttributesResponseBody through a real gateway and upstream: the filtered answer on
// the wire, and the fail-closed cases where the upstream's body must never reach the client.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { client, singleRoute, startGateway, startUpstream } from './internal/test-servers.js';

const SECRET = 'hunter2-do-not-leak';
const LIMIT = 1000;

/** A gateway in front of an upstream answering with `answer`, the JSON filter on its route. */
async function gatewayFor(
  t: TestContext,
  answer: (reply: FastifyReply) => unknown,
): Promise<
  (path?: string) => Promise<{ status: number; headers: Record<string, unknown>; text: string }>
> {
  const upstream = await startUpstream(t, (_request, reply) => answer(reply));
  const { url } = await startGateway(
    t,
    singleRoute(upstream.origin, { filters: ['RemoveJsonAttributesResponseBody=password,true'] }),
    { settings: { maxBufferedBodyBytes: LIMIT } },
  );
  const request = client(t);
  return async (path = '/') => {
    const response = await request(`${url}${path}`, { headers: { 'accept-encoding': 'gzip' } });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  };
}

test('a gzip JSON answer reaches the client filtered, uncompressed, with its length', async (t) => {
  const json = JSON.stringify({
    user: 'ann',
    password: SECRET,
    sessions: [{ password: SECRET, id: 1 }],
  });
  const get = await gatewayFor(t, (reply) =>
    reply
      .header('content-type', 'application/json')
      .header('content-encoding', 'gzip')
      .send(gzipSync(json)),
  );
  const out = await get();
  assert.equal(out.status, 200);
  assert.deepEqual(JSON.parse(out.text), { user: 'ann', sessions: [{ id: 1 }] });
  assert.equal(out.headers['content-encoding'], undefined);
  assert.equal(out.headers['content-length'], String(Buffer.byteLength(out.text)));
  assert.equal(out.headers['transfer-encoding'], undefined);
});

test('fails closed: a streamed JSON body over the limit or not JSON is a 502 problem, never the body', async (t) => {
  const big = `{"password":"${SECRET}","pad":"${'x'.repeat(LIMIT * 4)}"}`;
  const get = await gatewayFor(t, (reply) => {
    const path = reply.request.url;
    reply.header('content-type', 'application/json');
    if (path === '/big') return reply.send(Readable.from([big.slice(0, 500), big.slice(500)]));
    return reply.send(`{"password":"${SECRET}",`);
  });
  for (const path of ['/big', '/broken']) {
    const out = await get(path);
    assert.equal(out.status, 502, path);
    assert.match(String(out.headers['content-type']), /^application\/problem\+json/);
    assert.equal(JSON.parse(out.text).code, 'GW_ERR_BAD_GATEWAY');
    assert.ok(!out.text.includes(SECRET), `${path}: the upstream body never reaches the client`);
  }
});

test('a non-JSON answer larger than the limit streams through untouched', async (t) => {
  const text = `password=${SECRET};${'y'.repeat(LIMIT * 10)}`;
  const get = await gatewayFor(t, (reply) =>
    reply
      .header('content-type', 'text/plain')
      .send(Readable.from([text.slice(0, 100), text.slice(100)])),
  );
  const out = await get();
  assert.equal(out.status, 200);
  assert.equal(out.text, text);
});
