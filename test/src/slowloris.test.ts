// Slowloris (reliability.md §3.F 32, CVE-2018-12122): sockets that send one header byte a second
// are cut by the servers' headers timeout within 10 s, while a normal client keeps a p99 under
// 200 ms and sees no error. Run against the gateway and against a plain service; the gateway's
// per-client connection limit closes the sockets over it at once.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { createApplication, type Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';
import { createGateway } from '@stratus/gateway';
import { tempDir } from './support.js';

const SLOW_SOCKETS = 50;
const MAX_TEST_MS = 20_000;
const CUT_WITHIN_MS = 10_000;
const logger = createSilentLogger();

interface SlowSocket {
  /** ms from connect to the server closing the socket; null if still open at the end. */
  readonly closedAfterMs: number | null;
  readonly received: string;
}

/** Opens `count` sockets that trickle one header byte a second until the server closes them. */
function slowloris(port: number, count: number, maxMs: number): Promise<SlowSocket[]> {
  return Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<SlowSocket>((resolve) => {
          const socket = connect(port, '127.0.0.1');
          let received = '';
          let openedMs = performance.now();
          let trickle: NodeJS.Timeout | undefined;
          const giveUp = setTimeout(() => {
            clearInterval(trickle);
            socket.removeAllListeners('close');
            socket.destroy();
            resolve({ closedAfterMs: null, received });
          }, maxMs);
          socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
          socket.on('error', () => undefined);
          socket.once('connect', () => {
            openedMs = performance.now();
            socket.write('GET /slow-service/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
            trickle = setInterval(() => socket.writable && socket.write('a'), 1_000);
          });
          socket.once('close', () => {
            clearInterval(trickle);
            clearTimeout(giveUp);
            resolve({ closedAfterMs: performance.now() - openedMs, received });
          });
        }),
    ),
  );
}

/** Sequential GETs on 2 connections until `done` settles: latencies and errors. */
async function normalTraffic(url: string, done: Promise<unknown>) {
  const agent = new Agent({ connections: 2 });
  const latencies: number[] = [];
  const errors: string[] = [];
  let isDone = false;
  void done.finally(() => (isDone = true));
  const loop = async () => {
    while (!isDone) {
      const started = performance.now();
      try {
        const response = await request(url, { dispatcher: agent, headersTimeout: 5_000 });
        await response.body.dump();
        if (response.statusCode !== 200) errors.push(String(response.statusCode));
      } catch (error) {
        errors.push((error as { code?: string }).code ?? String(error));
      }
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await Promise.all([loop(), loop()]);
  await agent.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: latencies.length, p50: p(0.5), p99: p(0.99), errors };
}

async function startService(t: TestContext): Promise<Application> {
  const dir = await tempDir(t, 'stratus-slowloris-');
  const app = await createApplication({
    name: 'slow-service',
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${dir}`,
    ],
    env: {},
    logger,
  });
  app.server.get('/ping', async () => ({ pong: true }));
  app.server.get('/slow-service/ping', async () => ({ pong: true }));
  t.after(() => app.close());
  await app.start();
  return app;
}

async function startGatewayTo(t: TestContext, service: Application, flags: string[] = []) {
  const dir = await tempDir(t, 'stratus-slowloris-gw-');
  const gateway = await createGateway({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      '--spring.config.import=',
      `--stratus.data-dir=${dir}`,
      '--spring.cloud.gateway.routes[0].id=slow-service',
      `--spring.cloud.gateway.routes[0].uri=http://127.0.0.1:${service.port}`,
      '--spring.cloud.gateway.routes[0].predicates[0]=Path=/slow-service/**',
      '--spring.cloud.gateway.routes[0].filters[0]=StripPrefix=1',
      ...flags,
    ],
    env: {},
    logger,
  });
  t.after(() => gateway.close());
  await gateway.start();
  return gateway;
}

async function assertSlowlorisHandled(t: TestContext, port: number, normalUrl: string) {
  const attack = slowloris(port, SLOW_SOCKETS, MAX_TEST_MS);
  const traffic = await normalTraffic(normalUrl, attack);
  const sockets = await attack;
  const cut = sockets.map((s) => s.closedAfterMs).filter((ms): ms is number => ms !== null);
  const slowest =
    cut.length === 0 ? 'none closed' : `slowest after ${Math.round(Math.max(...cut))} ms`;
  t.diagnostic(
    `${SLOW_SOCKETS} slow sockets: closed ${cut.length}, ${slowest} ` +
      `(limit ${CUT_WITHIN_MS}); normal GETs ${traffic.count}, p50 ${traffic.p50.toFixed(1)} ms, ` +
      `p99 ${traffic.p99.toFixed(1)} ms, errors ${traffic.errors.length}`,
  );
  assert.equal(cut.length, SLOW_SOCKETS, 'every slow socket was closed by the server');
  assert.ok(Math.max(...cut) < CUT_WITHIN_MS, 'every slow socket was closed within 10 s');
  assert.ok(
    sockets.every((s) => /^HTTP\/1\.1 408 /.test(s.received)),
    'they were told 408 Request Timeout',
  );
  assert.deepEqual(traffic.errors, [], 'normal requests never failed');
  assert.ok(traffic.count >= 20, `normal traffic ran (${traffic.count} requests)`);
  assert.ok(traffic.p99 < 200, `normal p99 ${traffic.p99.toFixed(1)} ms < 200 ms`);
}

test(
  'slow-header sockets against a plain service are cut within 10 s while normal requests stay fast',
  { timeout: 60_000 },
  async (t) => {
    const service = await startService(t);
    await assertSlowlorisHandled(t, service.port, `http://127.0.0.1:${service.port}/ping`);
  },
);

test(
  'slow-header sockets against the gateway are cut within 10 s while requests through it stay fast',
  { timeout: 60_000 },
  async (t) => {
    const service = await startService(t);
    const gateway = await startGatewayTo(t, service);
    await assertSlowlorisHandled(
      t,
      gateway.port,
      `http://127.0.0.1:${gateway.port}/slow-service/ping`,
    );
  },
);

test(
  'the gateway closes connections over stratus.gateway.max-connections-per-client at once',
  { timeout: 60_000 },
  async (t) => {
    const service = await startService(t);
    const gateway = await startGatewayTo(t, service, [
      '--stratus.gateway.max-connections-per-client=5',
    ]);
    const sockets = await slowloris(gateway.port, 15, MAX_TEST_MS);
    const closedAfter = sockets.map((s) => s.closedAfterMs ?? Infinity).sort((a, b) => a - b);
    const refused = closedAfter.slice(0, 10);
    const held = closedAfter.slice(10);
    t.diagnostic(
      `limit 5: 10 excess sockets closed after at most ${Math.round(Math.max(...refused))} ms, ` +
        `the 5 admitted ones after ${Math.round(Math.min(...held))}–${Math.round(Math.max(...held))} ms`,
    );
    assert.ok(Math.max(...refused) < 1_000, 'the 10 sockets over the limit were closed at once');
    assert.ok(Math.min(...held) >= 1_000, 'the 5 admitted sockets were held until the timeout');
    assert.ok(Math.max(...held) < CUT_WITHIN_MS, 'and cut by it');
    const response = await request(`http://127.0.0.1:${gateway.port}/slow-service/ping`);
    assert.equal(response.statusCode, 200);
    await response.body.dump();
  },
);
