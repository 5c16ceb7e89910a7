// A registry restart must not blind its clients (issue 8). Registry, gateway and three small
// services run in this process; the registry is stopped and started again on the same port
// while requests flow through the gateway. A restarted registry is empty until the services'
// next heartbeats get 404 and they register again; meanwhile it answers registry fetches 403
// (Eureka's `wait-time-in-ms-when-sync-empty`) and the gateway keeps its cached view.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { createApplication, type Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';
import { createGateway } from '@stratus/gateway';
import { createRegistryServer, type RegistryServer } from '@stratus/registry';
import { eventually, freePort, tempDir } from './support.js';

const logger = createSilentLogger();
const SERVICES = ['alpha-service', 'beta-service', 'gamma-service'] as const;
/**
 * Clients fetch more often than they renew, as under `npm start` (fetch 5 s, renew 10 s): the
 * gateway asks a restarted registry before the services' next heartbeats bring them back.
 */
const RENEWAL_SECS = 3;
/** The restarted registry's 403 window: one renewal interval plus a margin for a loaded machine. */
const WAIT_WHEN_SYNC_EMPTY_MS = 6_000;
/** How long the registry stays down: several failed fetches and heartbeats per client. */
const DOWN_MS = 1_500;

/** Client timings: fetch every second, renew every {@link RENEWAL_SECS}. */
function discoveryFlags(zone: string): string[] {
  return [
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--spring.config.import=',
    '--eureka.instance.prefer-ip-address=true',
    `--eureka.client.service-url.defaultZone=${zone}`,
    `--eureka.instance.lease-renewal-interval-in-seconds=${RENEWAL_SECS}`,
    '--eureka.instance.lease-expiration-duration-in-seconds=10',
    '--eureka.client.registry-fetch-interval-seconds=1',
  ];
}

async function startRegistry(port: number): Promise<RegistryServer> {
  const server = await createRegistryServer({
    argv: [
      `--server.port=${port}`,
      '--server.address=127.0.0.1',
      '--spring.config.import=',
      // Spring's switch for an empty start to wait (its default of 1 never waits).
      '--eureka.instance.registry.default-open-for-traffic-count=0',
      `--eureka.server.wait-time-in-ms-when-sync-empty=${WAIT_WHEN_SYNC_EMPTY_MS}`,
    ],
    env: {},
    logger,
  });
  await server.start();
  return server;
}

async function startService(t: TestContext, name: string, zone: string): Promise<Application> {
  const dir = await tempDir(t, `stratus-${name}-`);
  const app = await createApplication({
    name,
    baseDir: dir,
    argv: [...discoveryFlags(zone), `--stratus.data-dir=${dir}`],
    env: {},
    logger,
  });
  app.server.get('/hello', async () => ({ from: name }));
  await app.start();
  t.after(() => app.close());
  return app;
}

async function startGateway(t: TestContext, zone: string): Promise<Application> {
  const dir = await tempDir(t, 'stratus-gateway-');
  const routes: Record<string, string> = {};
  SERVICES.forEach((name, index) => {
    const key = `spring.cloud.gateway.routes[${index}]`;
    routes[`${key}.id`] = name;
    routes[`${key}.uri`] = `lb://${name.toUpperCase()}`;
    routes[`${key}.predicates[0]`] = `Path=/${name}/**`;
    routes[`${key}.filters[0]`] = `RewritePath=/${name}/(?<segment>.*), /$\{segment}`;
  });
  const gateway = await createGateway({
    argv: [...discoveryFlags(zone), `--stratus.data-dir=${dir}`],
    env: {},
    defaults: routes,
    logger,
  });
  await gateway.start();
  t.after(() => gateway.close());
  return gateway;
}

interface Traffic {
  readonly statuses: Map<number, number>;
  /** First failures, for the assertion message. */
  readonly failures: string[];
  stop(): Promise<number>;
}

/** One sequential request loop per service through the gateway until stopped. */
function routeContinuously(gatewayUrl: string): Traffic {
  const dispatcher = new Agent({ connections: SERVICES.length });
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let running = true;
  let total = 0;
  const loop = async (name: string): Promise<void> => {
    while (running) {
      const response = await request(`${gatewayUrl}/${name}/hello`, { dispatcher });
      const body = await response.body.text();
      total += 1;
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode !== 200 && failures.length < 5)
        failures.push(`${name} ${response.statusCode} ${body.slice(0, 160)}`);
      await delay(10);
    }
  };
  const loops = Promise.all(SERVICES.map(loop));
  let stopped: Promise<number> | null = null;
  return {
    statuses,
    failures,
    stop() {
      running = false;
      stopped ??= loops.finally(() => dispatcher.close()).then(() => total);
      return stopped;
    },
  };
}

const everyAppRegistered = (server: RegistryServer): boolean =>
  [...SERVICES, 'apigateway-service'].every(
    (name) => server.registry.getApplication(name) !== null,
  );

test('the gateway keeps routing every service while the registry restarts on the same port', async (t) => {
  const port = await freePort();
  const zone = `http://127.0.0.1:${port}/eureka/`;
  let registry = await startRegistry(port);
  t.after(() => registry.close());
  // Heartbeats spread over the renewal interval, so the services come back one by one.
  for (const name of SERVICES) {
    await startService(t, name, zone);
    await delay((RENEWAL_SECS * 1000) / SERVICES.length);
  }
  const gateway = await startGateway(t, zone);
  const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  await eventually('the gateway routes every service', async () => {
    for (const name of SERVICES) {
      const response = await fetch(`${gatewayUrl}/${name}/hello`);
      await response.body?.cancel();
      if (response.status !== 200) return undefined;
    }
    return true;
  });

  const traffic = routeContinuously(gatewayUrl);
  try {
    await delay(500);
    await registry.close();
    await delay(DOWN_MS);
    registry = await startRegistry(port);
    const restartedAtMs = Date.now();
    const fetchDuringWait = await fetch(`${zone}apps`, { headers: { accept: 'application/json' } });
    await fetchDuringWait.body?.cancel();
    await eventually('every service registered again', async () =>
      everyAppRegistered(registry) ? true : undefined,
    );
    const restartWindowMs = Date.now() - restartedAtMs;
    t.diagnostic(
      `registry restart window (until every service is registered again): ${restartWindowMs} ms`,
    );
    // Keep routing past the end of the wait and two more fetch cycles: the gateway then holds
    // the restarted registry's own view.
    await delay(Math.max(0, restartedAtMs + WAIT_WHEN_SYNC_EMPTY_MS + 2_500 - Date.now()));
    const total = await traffic.stop();
    t.diagnostic(
      `requests through the gateway: ${total}; statuses ${JSON.stringify(Object.fromEntries(traffic.statuses))}`,
    );
    assert.equal(fetchDuringWait.status, 403, 'a restarted, empty registry refuses fetches');
    assert.ok(
      restartWindowMs < WAIT_WHEN_SYNC_EMPTY_MS,
      `every service is back (${restartWindowMs} ms) before the wait ends`,
    );
    assert.deepEqual([...traffic.statuses.keys()], [200], traffic.failures.join('\n'));
    assert.ok(total > 50, `traffic flowed throughout (${total} requests)`);
    const full = await fetch(`${zone}apps`, { headers: { accept: 'application/json' } });
    assert.equal(full.status, 200, 'after the wait the registry serves fetches again');
    const names = (
      (await full.json()) as { applications: { application: { name: string }[] } }
    ).applications.application.map((app) => app.name);
    for (const name of SERVICES) assert.ok(names.includes(name.toUpperCase()), name);
  } finally {
    await traffic.stop();
  }
});
