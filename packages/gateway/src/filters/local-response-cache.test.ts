import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { createManualClock } from '@stratus/core';
import { client, startGateway, startUpstream } from '../internal/test-servers.js';

/** An upstream that answers `n:<count>:<authorization>` with the response headers the request asks for. */
async function counting(t: TestContext) {
  let count = 0;
  const upstream = await startUpstream(t, async (request, reply) => {
    for await (const chunk of request.raw) void chunk;
    count++;
    const headers = request.headers['x-test-respond'];
    if (typeof headers === 'string') reply.headers(JSON.parse(headers) as Record<string, string>);
    const size = Number(request.headers['x-test-size'] ?? 0);
    return reply.send(
      size > 0 ? 'x'.repeat(size) : `n:${count}:${request.headers.authorization ?? '-'}`,
    );
  });
  return { upstream, count: () => count };
}

async function setup(t: TestContext, args = 'LocalResponseCache=30s, 1KB') {
  const { upstream, count } = await counting(t);
  const clock = createManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const { url } = await startGateway(
    t,
    { routes: [{ id: 'cached', uri: upstream.origin, filters: [args] }] },
    { clock },
  );
  const request = client(t);
  const get = async (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const response = await request(`${url}${path}`, { method: method as 'GET', headers });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: await response.body.text(),
    };
  };
  return { get, count, clock };
}

test('a GET is answered from the cache until its time to live passes, with max-age counting down', async (t) => {
  const { get, count, clock } = await setup(t);
  assert.equal((await get('/a')).body, 'n:1:-');
  clock.advance(10_000);
  const hit = await get('/a');
  assert.equal(hit.body, 'n:1:-');
  assert.equal(hit.headers['cache-control'], 'max-age=20');
  assert.equal(count(), 1);
  clock.advance(21_000);
  assert.equal((await get('/a')).body, 'n:2:-');
  assert.equal((await get('/a?page=2')).body, 'n:3:-', 'the query is part of the key');
});

test('an authorised answer is never served to another user', async (t) => {
  const { get, count } = await setup(t);
  assert.equal((await get('/me', { authorization: 'Bearer alice' })).body, 'n:1:Bearer alice');
  assert.equal((await get('/me', { authorization: 'Bearer bob' })).body, 'n:2:Bearer bob');
  assert.equal((await get('/me')).body, 'n:3:-');
  assert.equal((await get('/me', { authorization: 'Bearer alice' })).body, 'n:1:Bearer alice');
  assert.equal((await get('/me', { cookie: 'SESSION=1' })).body, 'n:4:-');
  assert.equal(count(), 4);
});

test("Cache-Control is honoured: no-store and private answers are not kept; a request's no-cache refreshes the entry", async (t) => {
  const { get, count } = await setup(t);
  for (const directive of ['no-store', 'private, max-age=60']) {
    const headers = { 'x-test-respond': JSON.stringify({ 'cache-control': directive }) };
    await get(`/cc-${directive.length}`, headers);
    await get(`/cc-${directive.length}`, headers);
  }
  assert.equal(count(), 4);
  await get('/fresh');
  assert.equal((await get('/fresh', { 'cache-control': 'no-cache' })).body, 'n:6:-');
  assert.equal((await get('/fresh')).body, 'n:6:-', 'the revalidated answer replaced the entry');
  await get('/nostore', { 'cache-control': 'no-store' });
  await get('/nostore');
  assert.equal(count(), 8, "a request's no-store bypasses the cache");
});

test('a response max-age shorter than the TTL wins; Vary: * and Set-Cookie answers are not kept', async (t) => {
  const { get, count, clock } = await setup(t);
  await get('/short', { 'x-test-respond': JSON.stringify({ 'cache-control': 'max-age=5' }) });
  clock.advance(6_000);
  await get('/short');
  assert.equal(count(), 2);
  await get('/vary', { 'x-test-respond': JSON.stringify({ vary: '*' }) });
  await get('/vary');
  await get('/cookie', { 'x-test-respond': JSON.stringify({ 'set-cookie': 'a=1' }) });
  await get('/cookie');
  assert.equal(count(), 6);
});

test('the size bounds the cache: an answer over it is not kept; POST is never cached', async (t) => {
  const { get, count } = await setup(t);
  await get('/big', { 'x-test-size': '2000' });
  await get('/big', { 'x-test-size': '2000' });
  assert.equal(count(), 2);
  await get('/p', {}, 'POST');
  await get('/p', {}, 'POST');
  assert.equal(count(), 4);
});
