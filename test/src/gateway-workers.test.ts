// `stratus gateway --workers=2`: two processes share the port (node:cluster), each a complete
// gateway. A worker killed outright is replaced and traffic keeps flowing through the other; a
// configuration refresh or a bus refresh received by one worker reaches the other; with Redis the
// RequestRateLimiter holds the configured rate across both workers, and without Redis a rate
// limit with two workers is refused at start instead of silently doubling.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { createSilentLogger } from '@stratus/core';
import { createConfigServer } from '@stratus/config-server';
import {
  getOnNewConnection,
  postOnNewConnection,
  startGatewayCluster,
} from './gateway-workers-support.js';
import { tempDir } from './support.js';

const logger = createSilentLogger();
const ADMIN = { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` };
const TIMEOUT = { timeout: 240_000 };

async function startUpstream(t: TestContext, name: string): Promise<string> {
  const app = Fastify();
  app.all('/*', async (request) => ({ name, url: request.url }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return url;
}

const routesYml = (routes: Record<string, string>, filters = '') => `
spring:
  cloud:
    gateway:
      server:
        webflux:
          routes:
${Object.entries(routes)
  .map(
    ([id, uri]) => `            - id: ${id}
              uri: ${uri}
              predicates:
                - Path=/${id}/**
              filters:
                - StripPrefix=1
${filters}`,
  )
  .join('')}`;

async function startConfigServer(t: TestContext, repo: string): Promise<string> {
  const app = await createConfigServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.profiles.active=native',
      `--spring.cloud.config.server.native.search-locations=file:${repo}`,
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${await tempDir(t, 'stratus-gw-workers-cs-')}`,
    ],
    env: {},
    logger,
  });
  t.after(() => app.close());
  await app.start();
  return app.url;
}

async function gatewayFlags(t: TestContext, configUrl: string, extra: string[] = []) {
  return [
    '--workers=2',
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    `--spring.config.import=configserver:${configUrl}`,
    `--stratus.data-dir=${await tempDir(t, 'stratus-gw-workers-')}`,
    '--spring.security.user.name=admin',
    '--spring.security.user.password=pw',
    '--management.endpoints.web.exposure.include=health,refresh,busrefresh,gateway',
    '--logging.level.root=WARN',
    ...extra,
  ];
}

/** `count` GETs, each on its own connection, so the cluster spreads them over the workers. */
async function namesSeen(port: number, path: string, count: number): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await getOnNewConnection(port, path);
    names.push(
      response.status === 200
        ? (JSON.parse(response.body) as { name: string }).name
        : `${response.status}`,
    );
  }
  return names;
}

test(
  'a worker killed outright is replaced and requests keep succeeding through the other',
  TIMEOUT,
  async (t) => {
    const repo = await tempDir(t, 'stratus-gw-workers-repo-');
    await writeFile(
      join(repo, 'apigateway-service.yml'),
      routesYml({ first: await startUpstream(t, 'first') }),
    );
    const gateway = await startGatewayCluster(
      t,
      await gatewayFlags(t, await startConfigServer(t, repo)),
      2,
    );
    const [victim, survivor] = gateway.startedPids as [number, number];
    assert.notEqual(victim, survivor);
    assert.deepEqual(await namesSeen(gateway.port, '/first/x', 4), [
      'first',
      'first',
      'first',
      'first',
    ]);

    process.kill(victim, 'SIGKILL');
    // A connection handed to the victim in the instant it died is lost with it (node:cluster
    // cannot take it back); from the primary's noticing on, it hands every new connection to the
    // survivor until the replacement listens.
    await gateway.exitedWorker(victim, 10_000);
    const during = await namesSeen(gateway.port, '/first/during', 10);
    assert.deepEqual(during, Array(10).fill('first'));
    const pids = await gateway.startedWorkers(3, 90_000);
    const replacement = pids[2]!;
    assert.ok(![victim, survivor].includes(replacement), `a new worker: ${pids.join()}`);
    assert.doesNotThrow(() => process.kill(survivor, 0), 'the other worker kept running');
    assert.deepEqual(await namesSeen(gateway.port, '/first/after', 6), Array(6).fill('first'));
  },
);

test(
  'a refresh or a bus refresh received by one worker changes the routes of both',
  TIMEOUT,
  async (t) => {
    const repo = await tempDir(t, 'stratus-gw-workers-repo-');
    const first = await startUpstream(t, 'first');
    const second = await startUpstream(t, 'second');
    const third = await startUpstream(t, 'third');
    const file = join(repo, 'apigateway-service.yml');
    await writeFile(file, routesYml({ svc: first }));
    const gateway = await startGatewayCluster(
      t,
      await gatewayFlags(t, await startConfigServer(t, repo)),
      2,
    );
    assert.deepEqual(await namesSeen(gateway.port, '/svc/x', 6), Array(6).fill('first'));

    await writeFile(file, routesYml({ svc: second }));
    // One POST, on one connection: it reaches exactly one worker.
    assert.equal(await postOnNewConnection(gateway.port, '/actuator/refresh', ADMIN), 200);
    await waitForEveryWorker(gateway.port, '/svc/x', 'second');

    await writeFile(file, routesYml({ svc: third }));
    const status = await postOnNewConnection(gateway.port, '/actuator/busrefresh', ADMIN);
    assert.ok(status === 200 || status === 204, `busrefresh answered ${status}`);
    await waitForEveryWorker(gateway.port, '/svc/x', 'third');
  },
);

/** Ten requests in a row on fresh connections (five per worker, round robin) all name `name`. */
async function waitForEveryWorker(port: number, path: string, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await namesSeen(port, path, 10);
    if (names.every((seen) => seen === name)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`not every worker routes to ${name}: ${names.join()}`);
}

const redisReachable = await new Promise<boolean>((resolve) => {
  const socket = connect(6379, '127.0.0.1');
  socket.setTimeout(1_000);
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
});
const redisSkip =
  redisReachable || process.env.CI === 'true' ? false : 'Redis is not reachable on 127.0.0.1:6379';

const RATE = 10;
const BURST = 20;
const limiterFilter = `                - name: RequestRateLimiter
                  args:
                    key-resolver: '#{@remoteAddrKeyResolver}'
                    redis-rate-limiter.replenishRate: ${RATE}
                    redis-rate-limiter.burstCapacity: ${BURST}
                    redis-rate-limiter.requestedTokens: 1
`;

test(
  'RequestRateLimiter over Redis holds the configured rate across two workers',
  { ...TIMEOUT, skip: redisSkip },
  async (t) => {
    const repo = await tempDir(t, 'stratus-gw-workers-repo-');
    // A route id of its own: the buckets in Redis are this run's.
    const routeId = `limited${randomUUID().slice(0, 8)}`;
    await writeFile(
      join(repo, 'apigateway-service.yml'),
      routesYml({ [routeId]: await startUpstream(t, 'limited') }, limiterFilter),
    );
    const flags = await gatewayFlags(t, await startConfigServer(t, repo), [
      '--spring.data.redis.host=127.0.0.1',
      '--spring.data.redis.port=6379',
    ]);
    const gateway = await startGatewayCluster(t, flags, 2);
    const counts = new Map<number, number>();
    const startedAt = Date.now();
    const durationMs = 3_000;
    const loop = async (): Promise<void> => {
      while (Date.now() - startedAt < durationMs) {
        const { status } = await getOnNewConnection(gateway.port, `/${routeId}/x`);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    const seconds = (Date.now() - startedAt) / 1000;
    const allowed = counts.get(200) ?? 0;
    const limited = counts.get(429) ?? 0;
    const table = JSON.stringify(Object.fromEntries(counts));
    t.diagnostic(`statuses over ${seconds.toFixed(1)} s: ${table}`);
    assert.equal(
      allowed + limited,
      [...counts.values()].reduce((a, b) => a + b),
      table,
    );
    assert.ok(limited > 0, `the limit was reached: ${table}`);
    // One shared bucket: the burst plus the rate over the run (one more second of refill for
    // Redis's whole-second clock); per-worker buckets would allow about twice as much.
    const ceiling = BURST + RATE * (Math.ceil(seconds) + 1);
    assert.ok(allowed <= ceiling, `${allowed} allowed in ${seconds}s > ${ceiling}: ${table}`);
    assert.ok(allowed >= BURST, `at least the burst passes: ${table}`);
  },
);

test(
  'with two workers and no Redis, a RequestRateLimiter route stops the gateway at start',
  TIMEOUT,
  async (t) => {
    const repo = await tempDir(t, 'stratus-gw-workers-repo-');
    await writeFile(
      join(repo, 'apigateway-service.yml'),
      routesYml({ limited: await startUpstream(t, 'limited') }, limiterFilter),
    );
    const flags = await gatewayFlags(t, await startConfigServer(t, repo));
    await assert.rejects(startGatewayCluster(t, flags, 1), (error: Error) => {
      assert.match(error.message, /gateway exited early/);
      assert.match(error.message, /RequestRateLimiter with 2 workers needs spring\.data\.redis/);
      return true;
    });
  },
);
