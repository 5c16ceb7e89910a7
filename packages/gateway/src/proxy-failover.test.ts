import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  client,
  describeRequest,
  singleRoute,
  startGateway,
  startUpstream,
  staticBalancer,
  type SeenRequest,
} from './internal/test-servers.js';

// Failover of lb:// routes (reliability.md §3.A.1): which failures mark an instance failed, and
// which requests are sent again to another instance.

const lbRoute = { routes: [{ id: 'svc', uri: 'lb://SVC', predicates: ['Path=/**'] }] };

/** An origin whose connections are refused: an upstream that was started and closed. */
async function refusingOrigin(t: TestContext): Promise<string> {
  const upstream = await startUpstream(t);
  await upstream.app.close();
  return upstream.origin;
}

/** Records the request, then resets the connection after reading `readBytes` of its body. */
const resetAfter =
  (readBytes = 0) =>
  async (request: FastifyRequest, reply: FastifyReply, seen: SeenRequest[]) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, bodyBytes: 0 });
    const socket = request.raw.socket;
    if (readBytes > 0) {
      await new Promise<void>((resolve) => {
        let read = 0;
        const onData = (chunk: Buffer): void => {
          read += chunk.length;
          if (read < readBytes) return;
          request.raw.off('data', onData);
          request.raw.pause();
          resolve();
        };
        request.raw.on('data', onData);
        request.raw.once('end', resolve);
      });
    }
    socket.destroy();
    return reply;
  };

const answer503 = async (request: FastifyRequest, reply: FastifyReply, seen: SeenRequest[]) => {
  seen.push({ method: request.method, url: request.url, headers: request.headers, bodyBytes: 0 });
  return reply.code(503).send({ reason: 'draining' });
};

test('a GET refused by one instance is answered by the other, which alone gets the next GETs', async (t) => {
  const alive = await startUpstream(t);
  const balancer = staticBalancer({ SVC: [await refusingOrigin(t), alive.origin] });
  const { url } = await startGateway(t, lbRoute, { loadBalancer: balancer });
  const request = client(t);
  for (let i = 0; i < 4; i++) assert.equal((await request(`${url}/x`)).statusCode, 200);
  assert.equal(alive.seen.length, 4);
  assert.deepEqual(balancer.reports, [
    'failed SVC-0',
    'ok SVC-1',
    'ok SVC-1',
    'ok SVC-1',
    'ok SVC-1',
  ]);
});

test('a GET whose connection is reset by the upstream is retried on another instance', async (t) => {
  const broken = await startUpstream(t, resetAfter());
  const alive = await startUpstream(t);
  const balancer = staticBalancer({ SVC: [broken.origin, alive.origin] });
  const { url } = await startGateway(t, lbRoute, { loadBalancer: balancer });
  const response = await client(t)(`${url}/items?page=2`);
  assert.equal(response.statusCode, 200);
  assert.equal(((await response.body.json()) as SeenRequest).url, '/items?page=2');
  assert.equal(broken.seen.length, 1);
  assert.deepEqual(balancer.reports, ['failed SVC-0', 'ok SVC-1']);
});

test('a POST whose connection is reset is never sent again: 502, one upstream saw it', async (t) => {
  const broken = await startUpstream(t, resetAfter(1));
  const alive = await startUpstream(t);
  const balancer = staticBalancer({ SVC: [broken.origin, alive.origin] });
  const { url } = await startGateway(t, lbRoute, { loadBalancer: balancer });
  const response = await client(t)(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"qty":1}',
  });
  assert.equal(response.statusCode, 502);
  assert.equal(((await response.body.json()) as { code: string }).code, 'GW_ERR_BAD_GATEWAY');
  assert.equal(broken.seen.length, 1);
  assert.equal(alive.seen.length, 0);
  assert.deepEqual(balancer.reports, ['failed SVC-0']);
});

test('a POST refused before connecting goes to another instance with its whole body, once', async (t) => {
  const alive = await startUpstream(t);
  const { url } = await startGateway(t, lbRoute, {
    loadBalancer: staticBalancer({ SVC: [await refusingOrigin(t), alive.origin] }),
  });
  const request = client(t);
  const body = Buffer.alloc(300_000, 'x'); // larger than the buffered-body limit: streamed
  const sized = await request(`${url}/orders`, { method: 'POST', body });
  assert.equal(sized.statusCode, 200);
  assert.equal(((await sized.body.json()) as SeenRequest).bodyBytes, body.length);
  const chunked = await request(`${url}/orders`, {
    method: 'POST',
    body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]),
  });
  assert.equal(chunked.statusCode, 200);
  assert.equal(((await chunked.body.json()) as SeenRequest).bodyBytes, 4);
  assert.deepEqual(
    alive.seen.map((s) => `${s.method} ${s.bodyBytes}`),
    [`POST ${body.length}`, 'POST 4'],
  );
});

test('a POST with an Idempotency-Key is retried after a reset, body and key intact', async (t) => {
  const broken = await startUpstream(t, resetAfter(2));
  const alive = await startUpstream(t);
  const { url } = await startGateway(t, lbRoute, {
    loadBalancer: staticBalancer({ SVC: [broken.origin, alive.origin] }),
  });
  const response = await client(t)(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'order-7' },
    body: '{"qty":12345}',
  });
  assert.equal(response.statusCode, 200);
  const seen = (await response.body.json()) as SeenRequest;
  assert.equal(seen.bodyBytes, 13);
  assert.equal(seen.headers['idempotency-key'], 'order-7');
  assert.equal(broken.seen.length, 1);
});

test('a keyed POST too large to hold in memory is not retried once its body was read', async (t) => {
  const broken = await startUpstream(t, resetAfter(1));
  let arrivals = 0;
  const alive = await startUpstream(t, (request, reply, seen) => {
    arrivals++;
    return describeRequest(request, reply, seen);
  });
  const balancer = staticBalancer({ SVC: [broken.origin, alive.origin] });
  const { url } = await startGateway(t, lbRoute, {
    loadBalancer: balancer,
    settings: { maxBufferedBodyBytes: 1_000 },
  });
  const response = await client(t)(`${url}/orders`, {
    method: 'POST',
    headers: { 'idempotency-key': 'order-8' },
    body: Buffer.alloc(200_000, 'y'),
  });
  assert.equal(response.statusCode, 502);
  await response.body.dump();
  assert.equal(arrivals, 0, 'the other instance never saw it');
  assert.deepEqual(balancer.chosen, ['SVC-0'], 'no second instance was even chosen');
});

test('a 503 marks the instance failed: a GET is retried elsewhere, a POST gets the 503 as is', async (t) => {
  const draining = await startUpstream(t, answer503);
  const alive = await startUpstream(t);
  const balancer = staticBalancer({ SVC: [draining.origin, alive.origin] });
  const { url } = await startGateway(t, lbRoute, { loadBalancer: balancer });
  const request = client(t);
  assert.equal((await request(`${url}/x`)).statusCode, 200);
  assert.deepEqual(balancer.reports, ['failed SVC-0', 'ok SVC-1']);

  const posting = staticBalancer({ SVC: [draining.origin, alive.origin] });
  const gateway = await startGateway(t, lbRoute, { loadBalancer: posting });
  const post = await request(`${gateway.url}/orders`, { method: 'POST', body: '{}' });
  assert.equal(post.statusCode, 503);
  assert.deepEqual(await post.body.json(), { reason: 'draining' });
  assert.deepEqual(posting.reports, ['failed SVC-0']);
  assert.deepEqual(
    alive.seen.map((s) => s.method),
    ['GET'],
  );
});

test('when every instance refuses, the client gets 503 problem+json, body or not', async (t) => {
  const balancer = staticBalancer({ SVC: [await refusingOrigin(t), await refusingOrigin(t)] });
  const { url } = await startGateway(t, lbRoute, { loadBalancer: balancer });
  const request = client(t);
  for (const init of [{}, { method: 'POST', body: Buffer.alloc(100_000, 'z') }]) {
    const response = await request(`${url}/x`, init);
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.equal(
      ((await response.body.json()) as { code: string }).code,
      'GW_ERR_UPSTREAM_UNAVAILABLE',
    );
  }
  assert.deepEqual(balancer.reports.slice(0, 2), ['failed SVC-0', 'failed SVC-1']);
});

test('the retry fits in the route timeout: reset after 150 ms, slow other instance, 504 at the timeout', async (t) => {
  const timers = new Set<NodeJS.Timeout>();
  t.after(() => timers.forEach(clearTimeout));
  const resetLate = await startUpstream(t, (request, reply) => {
    timers.add(setTimeout(() => request.raw.socket.destroy(), 150));
    return reply;
  });
  const slow = await startUpstream(t, (request, reply, seen) => {
    timers.add(setTimeout(() => void describeRequest(request, reply, seen), 1_500));
    return reply;
  });
  const balancer = staticBalancer({ SVC: [resetLate.origin, slow.origin] });
  const { url } = await startGateway(t, lbRoute, {
    loadBalancer: balancer,
    settings: { responseTimeoutMs: 400 },
  });
  const started = performance.now();
  const response = await client(t)(`${url}/x`);
  const elapsed = performance.now() - started;
  assert.equal(response.statusCode, 504);
  await response.body.dump();
  assert.ok(elapsed >= 390 && elapsed < 1_200, `answered after ${Math.round(elapsed)} ms`);
  assert.deepEqual(balancer.reports, ['failed SVC-0'], 'a slow instance is not marked failed');
});

test('a direct route has no other instance to try', async (t) => {
  const { url } = await startGateway(t, singleRoute(await refusingOrigin(t)));
  const response = await client(t)(`${url}/x`);
  assert.equal(response.statusCode, 503);
  await response.body.dump();
});

/** Opens a TCP connection and resolves with whether the server closed it within `withinMs`. */
function openSocket(t: TestContext, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    t.after(() => socket.destroy());
  });
}

const closedWithin = (socket: Socket, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (socket.destroyed || socket.readableEnded) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

test('connections over the per-client limit are closed at once; closing one makes room', async (t) => {
  const upstream = await startUpstream(t);
  const { port, url } = await startGateway(t, singleRoute(upstream.origin), {
    settings: { maxConnectionsPerClient: 3 },
  });
  const held = await Promise.all([1, 2, 3].map(() => openSocket(t, port)));
  const excess = await openSocket(t, port);
  assert.equal(await closedWithin(excess, 2_000), true, 'the fourth connection is closed');
  assert.equal(await closedWithin(held[0]!, 100), false, 'the first three stay open');
  held[0]!.destroy();
  await closedWithin(held[0]!, 2_000);
  // The server sees the close a moment later; a new connection is accepted once it has.
  let accepted: Socket | null = null;
  for (let i = 0; i < 50 && accepted === null; i++) {
    const next = await openSocket(t, port);
    if (!(await closedWithin(next, 100))) accepted = next;
    else next.destroy();
  }
  assert.notEqual(accepted, null, 'a new connection is accepted once one closed');
  for (const socket of [...held, accepted!]) socket.destroy();
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = await client(t)(`${url}/x`).then(
      async (response) => (await response.body.dump(), response.statusCode),
      () => 0,
    );
  }
  assert.equal(status, 200, 'requests go through once the sockets are gone');
});

test('trusted proxies are exempt from the per-client connection limit', async (t) => {
  const upstream = await startUpstream(t);
  const { port } = await startGateway(t, singleRoute(upstream.origin), {
    settings: { maxConnectionsPerClient: 1, trustedProxies: /^127\.0\.0\.1$/ },
  });
  const sockets = await Promise.all([1, 2, 3].map(() => openSocket(t, port)));
  for (const socket of sockets) assert.equal(await closedWithin(socket, 200), false);
});
