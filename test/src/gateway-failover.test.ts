// Fault injection (reliability.md §3.A.1): two instances of a service behind the gateway, one is
// SIGKILLed under load. Once the first failure has been seen no GET may fail (a GET that meets a
// refused or reset connection is retried on the other instance), no POST may reach an upstream
// twice, and the failure makes the gateway fetch the registry early instead of waiting for its
// 30 s fetch interval.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import type { Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';
import { createGateway } from '@stratus/gateway';
import { createRegistryServer } from '@stratus/registry';
import { eventually, tempDir } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/counting-service.js', import.meta.url));
const LOAD_MS = 8_000;
const KILL_AT_MS = 2_000;
const GET_LOOPS = 3;
const POST_LOOPS = 1;
const logger = createSilentLogger();

interface Upstream {
  readonly child: ChildProcess;
  readonly port: number;
  readonly postLog: string;
}

interface Outcome {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly ok: boolean;
  readonly port: number | null;
  readonly detail: string;
}

/** Starts the counting service as a child process registered with `defaultZone`. */
async function spawnUpstream(
  t: TestContext,
  defaultZone: string,
  dir: string,
  name: string,
): Promise<Upstream> {
  const postLog = join(dir, `${name}-posts.log`);
  const child = fork(
    FIXTURE,
    [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.instance.prefer-ip-address=true',
      `--eureka.client.service-url.defaultZone=${defaultZone}`,
      '--eureka.client.fetch-registry=false',
      '--eureka.instance.lease-renewal-interval-in-seconds=1',
      '--eureka.instance.lease-expiration-duration-in-seconds=3',
      `--stratus.data-dir=${join(dir, name)}`,
      `--fixture.post-log=${postLog}`,
      '--logging.level.root=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 30_000);
    child.once('message', (message: { port?: number }) => {
      clearTimeout(timer);
      resolve(Number(message.port));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
  return { child, port, postLog };
}

async function startGateway(t: TestContext, defaultZone: string, dir: string) {
  const gateway: Application = await createGateway({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      `--stratus.data-dir=${join(dir, 'gateway')}`,
      `--eureka.client.service-url.defaultZone=${defaultZone}`,
      '--eureka.client.register-with-eureka=false',
      // Spring's default fetch interval: without an early refresh the dead instance stays 30 s.
      '--eureka.client.registry-fetch-interval-seconds=30',
      '--spring.cloud.gateway.routes[0].id=failover',
      '--spring.cloud.gateway.routes[0].uri=lb://FAILOVER-SERVICE',
      '--spring.cloud.gateway.routes[0].predicates[0]=Path=/failover-service/**',
      '--spring.cloud.gateway.routes[0].filters[0]=StripPrefix=1',
      '--spring.cloud.gateway.httpclient.response-timeout=5s',
    ],
    env: {},
    logger,
  });
  t.after(() => gateway.close());
  await gateway.start();
  return gateway;
}

/** One GET or POST through the gateway, never throwing. */
async function send(
  agent: Agent,
  url: string,
  init: { method: 'GET' | 'POST'; postId?: string },
): Promise<Outcome> {
  const startedMs = performance.now();
  try {
    const response = await request(url, {
      dispatcher: agent,
      method: init.method,
      headers:
        init.postId === undefined
          ? {}
          : { 'content-type': 'application/json', 'x-test-post-id': init.postId },
      body: init.postId === undefined ? undefined : JSON.stringify({ id: init.postId }),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const text = await response.body.text();
    const expected = init.method === 'GET' ? 200 : 201;
    const ok = response.statusCode === expected;
    const port = ok ? Number((JSON.parse(text) as { port: number }).port) : null;
    return {
      startedMs,
      endedMs: performance.now(),
      ok,
      port,
      detail: ok ? '' : `${response.statusCode} ${text.slice(0, 200)}`,
    };
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return { startedMs, endedMs: performance.now(), ok: false, port: null, detail: String(code) };
  }
}

function arrivals(upstreams: readonly Upstream[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const upstream of upstreams) {
    if (!existsSync(upstream.postLog)) continue;
    for (const id of readFileSync(upstream.postLog, 'utf8').split('\n')) {
      if (id !== '') counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

test(
  'an instance SIGKILLed under load: no GET fails after the first failure, no POST arrives twice, the registry is fetched early',
  { timeout: 120_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-failover-');
    const registry = await createRegistryServer({
      argv: [
        '--server.port=0',
        '--server.address=127.0.0.1',
        '--spring.config.import=',
        `--stratus.data-dir=${join(dir, 'registry')}`,
        '--eureka.server.enable-self-preservation=false',
        '--eureka.server.eviction-interval-timer-in-ms=1000',
      ],
      env: {},
      logger,
    });
    t.after(() => registry.close());
    await registry.start();
    const defaultZone = `http://127.0.0.1:${registry.port}/eureka/`;
    const [victim, survivor] = await Promise.all([
      spawnUpstream(t, defaultZone, dir, 'victim'),
      spawnUpstream(t, defaultZone, dir, 'survivor'),
    ]);
    const gateway = await startGateway(t, defaultZone, dir);
    await eventually('the gateway sees both instances', async () =>
      gateway.discovery?.getInstances('failover-service').length === 2 ? true : undefined,
    );
    const base = `http://127.0.0.1:${gateway.port}/failover-service`;
    const agent = new Agent({ keepAliveTimeout: 10_000, connections: GET_LOOPS + POST_LOOPS });
    t.after(() => agent.close());

    const gets: Outcome[] = [];
    const posts = new Map<string, Outcome>();
    const origin = performance.now();
    const endMs = origin + LOAD_MS;
    let killedAtMs = Number.NaN;
    const getLoop = async () => {
      while (performance.now() < endMs)
        gets.push(await send(agent, `${base}/items`, { method: 'GET' }));
    };
    const postLoop = async (loop: number) => {
      for (let n = 0; performance.now() < endMs; n++) {
        const postId = `p${loop}-${n}`;
        posts.set(postId, await send(agent, `${base}/orders`, { method: 'POST', postId }));
      }
    };
    const kill = async () => {
      // Scheduling the fault, not waiting for an outcome.
      await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
      killedAtMs = performance.now();
      victim.child.kill('SIGKILL');
    };
    let droppedAtMs = Number.NaN;
    const watchCache = async () => {
      while (Number.isNaN(droppedAtMs) && performance.now() < endMs) {
        if (gateway.discovery?.getInstances('failover-service').length === 1)
          droppedAtMs = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await Promise.all([
      watchCache(),
      kill(),
      ...Array.from({ length: GET_LOOPS }, getLoop),
      ...Array.from({ length: POST_LOOPS }, (_, i) => postLoop(i)),
    ]);

    // The registry drops the dead instance after its 3 s lease; the gateway's next fetch is
    // 30 s away, so only an early refresh triggered by the failures makes it forget it in time.
    if (Number.isNaN(droppedAtMs)) {
      droppedAtMs = await eventually(
        'the gateway forgets the killed instance',
        async () => {
          gets.push(await send(agent, `${base}/items`, { method: 'GET' }));
          return gateway.discovery?.getInstances('failover-service').length === 1
            ? performance.now()
            : undefined;
        },
        20_000,
      );
    }

    const failedGets = gets.filter((o) => !o.ok);
    const firstFailure = failedGets[0];
    const failuresAfterFirst = firstFailure
      ? failedGets.filter((o) => o.startedMs > firstFailure.endedMs)
      : [];
    const lastFailure = failedGets.reduce((last, o) => Math.max(last, o.endedMs), killedAtMs);
    const seen = arrivals([victim, survivor]);
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
    const okPosts = [...posts].filter(([, o]) => o.ok).map(([id]) => id);
    const lostPosts = okPosts.filter((id) => seen.get(id) !== 1);
    t.diagnostic(
      `GETs ${gets.length}, failed ${failedGets.length}; failover window ${Math.round(lastFailure - killedAtMs)} ms ` +
        `(kill → last failed GET); POSTs sent ${posts.size}, 201 ${okPosts.length}, ` +
        `arrived ${seen.size}, duplicated ${duplicated.length}; gateway dropped the dead ` +
        `instance ${Math.round(droppedAtMs - killedAtMs)} ms after the kill (fetch interval 30 s)`,
    );
    if (failedGets.length > 0)
      t.diagnostic(`GET failures: ${failedGets.map((o) => o.detail).join(' | ')}`);

    const servedBefore = new Set(
      gets.filter((o) => o.ok && o.endedMs < killedAtMs).map((o) => o.port),
    );
    assert.deepEqual(
      servedBefore,
      new Set([victim.port, survivor.port]),
      'both instances served before the kill',
    );
    assert.deepEqual(
      failuresAfterFirst.map((o) => o.detail),
      [],
      'no GET fails after the first failure',
    );
    assert.deepEqual(duplicated, [], 'no POST reached an upstream twice');
    assert.deepEqual(lostPosts, [], 'every POST the client saw succeed arrived exactly once');
    assert.ok(okPosts.length > 0, 'POSTs went through');
    assert.ok(
      droppedAtMs - killedAtMs < 15_000,
      'the gateway fetched the registry early, long before its 30 s interval',
    );
  },
);
