// RequestRateLimiter over a real Redis (127.0.0.1:6379): Spring's script and key names, so Java
// and Stratus gateways share buckets; the configured rate holds over time; a Redis failure lets
// requests through. Every test uses its own route id, so its keys are its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { client, startGateway, startUpstream } from './internal/test-servers.js';

const REDIS = { host: '127.0.0.1', port: 6379 };

const reachable = await new Promise<boolean>((resolve) => {
  const socket = connect(REDIS.port, REDIS.host);
  socket.setTimeout(1_000);
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
});
const skip =
  reachable || process.env['CI'] === 'true' ? false : 'Redis is not reachable on 127.0.0.1:6379';

async function redisFor(t: TestContext, routeId: string): Promise<Redis> {
  const redis = new Redis({ ...REDIS, lazyConnect: true });
  await redis.connect();
  t.after(async () => {
    const keys = await redis.keys(`request_rate_limiter.{${routeId}.*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  return redis;
}

const definitions = (routeId: string, origin: string, rate: number, burst: number) => ({
  routes: [
    {
      id: routeId,
      uri: origin,
      filters: [
        {
          name: 'RequestRateLimiter',
          args: {
            'key-resolver': '#{@remoteAddrKeyResolver}',
            'redis-rate-limiter': {
              replenishRate: String(rate),
              burstCapacity: String(burst),
              requestedTokens: '1',
            },
          },
        },
      ],
    },
  ],
});

test(
  "buckets live under Spring's keys with Spring's TTL, and the burst is enforced",
  { skip },
  async (t) => {
    const routeId = `rl-${randomUUID()}`;
    const redis = await redisFor(t, routeId);
    const upstream = await startUpstream(t);
    const { url } = await startGateway(t, definitions(routeId, upstream.origin, 5, 10), {
      settings: { redis: REDIS },
    });
    const request = client(t);
    const codes: number[] = [];
    const startedAt = performance.now();
    for (let i = 0; i < 11; i++) {
      const response = await request(`${url}/x`);
      codes.push(response.statusCode);
      await response.body.dump();
    }
    // Ten tokens in the bucket; the eleventh request finds it empty unless Redis's clock ticked a
    // second in between (then it has refilled by one).
    assert.ok(
      codes.slice(0, 10).every((code) => code === 200),
      codes.join(),
    );
    assert.ok(codes[10] === 429 || codes[10] === 200, codes.join());
    const tokens = `request_rate_limiter.{${routeId}.127.0.0.1}.tokens`;
    const timestamp = `request_rate_limiter.{${routeId}.127.0.0.1}.timestamp`;
    // Redis refills 5 a second on its whole-second clock: a slow machine sees a few more.
    const refill = 5 * Math.ceil((performance.now() - startedAt) / 1000);
    const left = Number(await redis.get(tokens));
    assert.ok(left <= 1 + refill, `${left} tokens left, at most ${1 + refill}`);
    assert.ok(
      Math.abs(Number(await redis.get(timestamp)) - Date.now() / 1000) < 5,
      'timestamp is Redis TIME seconds',
    );
    const ttl = await redis.ttl(tokens);
    assert.ok(ttl > 0 && ttl <= 4, `ttl ${ttl} = floor(10 / 5 * 2)`);
  },
);

test(
  'the configured rate holds over three seconds of back-to-back requests',
  { skip },
  async (t) => {
    const routeId = `rl-${randomUUID()}`;
    await redisFor(t, routeId);
    const upstream = await startUpstream(t);
    const rate = 5;
    const burst = 5;
    const { url } = await startGateway(t, definitions(routeId, upstream.origin, rate, burst), {
      settings: { redis: REDIS },
    });
    const request = client(t);
    const started = performance.now();
    let allowed = 0;
    let sent = 0;
    while (performance.now() - started < 3_000 && sent < 3_000) {
      const response = await request(`${url}/x`);
      sent++;
      if (response.statusCode === 200) allowed++;
      else assert.equal(response.statusCode, 429);
      await response.body.dump();
    }
    const elapsedSec = (performance.now() - started) / 1000;
    // Redis TIME has whole seconds: the bucket refills in steps, so allow one step either way.
    const low = burst + rate * (Math.floor(elapsedSec) - 1);
    const high = burst + rate * (Math.ceil(elapsedSec) + 1);
    assert.ok(sent > allowed, 'some requests were refused');
    assert.ok(
      allowed >= low && allowed <= high,
      `allowed ${allowed} of ${sent} in ${elapsedSec.toFixed(2)} s, expected ${low}..${high}`,
    );
    assert.equal(upstream.seen.length, allowed, 'refused requests never reached the upstream');
  },
);

test(
  'two gateways on one Redis share the bucket of a route and key (as a Java gateway would)',
  { skip },
  async (t) => {
    const routeId = `rl-${randomUUID()}`;
    await redisFor(t, routeId);
    const upstream = await startUpstream(t);
    const one = await startGateway(t, definitions(routeId, upstream.origin, 1, 4), {
      settings: { redis: REDIS },
    });
    const two = await startGateway(t, definitions(routeId, upstream.origin, 1, 4), {
      settings: { redis: REDIS },
    });
    const request = client(t);
    let allowed = 0;
    for (let i = 0; i < 4; i++) {
      for (const url of [one.url, two.url]) {
        const response = await request(`${url}/x`);
        if (response.statusCode === 200) allowed++;
        await response.body.dump();
      }
    }
    assert.ok(
      allowed >= 4 && allowed <= 5,
      `allowed ${allowed}: one bucket of 4 (plus at most one refill)`,
    );
  },
);

test(
  'when Redis cannot be reached, requests are allowed with X-RateLimit-Remaining -1',
  { skip },
  async (t) => {
    const upstream = await startUpstream(t);
    // A port that was free a moment ago: nothing listens there.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const { url } = await startGateway(
      t,
      definitions(`rl-${randomUUID()}`, upstream.origin, 1, 1),
      {
        settings: { redis: { host: '127.0.0.1', port: closedPort, commandTimeoutMs: 200 } },
      },
    );
    const request = client(t);
    for (let i = 0; i < 3; i++) {
      const response = await request(`${url}/x`);
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['x-ratelimit-remaining'], '-1');
      await response.body.dump();
    }
  },
);
