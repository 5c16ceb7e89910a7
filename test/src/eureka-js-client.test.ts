// The npm `eureka-js-client` (4.5.0, unmodified) against `stratus registry`
// (createRegistryServer): register, heartbeat, full and delta fetch, a status override made
// through the REST API, and deregistration, under both `/eureka/apps/` and `/eureka/v2/apps/`.
// What the client needs from the server is spring-wire.md §1.9 (read from lib/EurekaClient.js).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createSilentLogger } from '@stratus/core';
import { createRegistryServer } from '@stratus/registry';
import { call, eventually, tempDir } from './support.js';

/** The parts of eureka-js-client's `Eureka` class this test uses (the package ships no types). */
interface JsInstance {
  app: string;
  instanceId?: string;
  hostName: string;
  status: string;
  vipAddress: string;
  port: { $: number; '@enabled': string | boolean };
  actionType?: string;
}
interface JsEureka {
  readonly instanceId: string;
  start(callback: (error?: Error | null) => void): void;
  stop(callback: (error?: Error | null) => void): void;
  getInstancesByAppId(appId: string): JsInstance[];
  getInstancesByVipAddress(vipAddress: string): JsInstance[];
  on(event: 'heartbeat' | 'registered' | 'deregistered' | 'registryUpdated', fn: () => void): void;
}
type JsEurekaClass = new (config: Record<string, unknown>) => JsEureka;

// It is CommonJS with a Babel default export.
const require = createRequire(import.meta.url);
const { Eureka } = require('eureka-js-client') as { Eureka: JsEurekaClass };

const silentLogger = { debug() {}, info() {}, warn() {}, error() {}, level() {} };
const SERVICE_PATHS = ['/eureka/apps/', '/eureka/v2/apps/'] as const;
const FAST_MS = 100;

async function startRegistry(t: TestContext) {
  const app = await createRegistryServer({
    argv: ['--server.port=0', '--server.address=127.0.0.1', '--spring.config.import='],
    env: {},
    logger: createSilentLogger(),
  });
  await app.start();
  t.after(() => app.close());
  return { port: app.port, url: `http://127.0.0.1:${app.port}` };
}

interface Recorded {
  method: string;
  uri: string;
}

interface ClientSpec {
  app: string;
  port: number;
  vipAddress?: string;
  shouldUseDelta?: boolean;
  registerWithEureka?: boolean;
  /** ms; a slow heartbeat keeps a renew from being in flight when stop() deregisters. */
  heartbeatIntervalMs?: number;
}

/** An unmodified eureka-js-client, configured the way Spring users point it at Eureka (§1.9). */
async function startClient(
  t: TestContext,
  registryPort: number,
  servicePath: string,
  cwd: string,
  spec: ClientSpec,
) {
  const requests: Recorded[] = [];
  const heartbeats = { count: 0 };
  const client = new Eureka({
    cwd, // no eureka-client.yml there: the config below is the whole configuration
    logger: silentLogger,
    shouldUseDelta: spec.shouldUseDelta ?? false,
    // The client's documented hook, used here only to record which URLs it calls.
    requestMiddleware: (opts: { method?: string; uri: string }, done: (o: unknown) => void) => {
      requests.push({ method: opts.method ?? 'GET', uri: opts.uri });
      done(opts);
    },
    instance: {
      app: spec.app,
      instanceId: `127.0.0.1:${spec.app}:${spec.port}`,
      hostName: '127.0.0.1',
      ipAddr: '127.0.0.1',
      statusPageUrl: `http://127.0.0.1:${spec.port}/actuator/info`,
      healthCheckUrl: `http://127.0.0.1:${spec.port}/actuator/health`,
      // §1.4: the README's users send the port as an object with a boolean @enabled.
      port: { $: spec.port, '@enabled': true },
      vipAddress: spec.vipAddress ?? spec.app,
      dataCenterInfo: {
        '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
        name: 'MyOwn',
      },
      metadata: { 'management.port': String(spec.port) },
    },
    eureka: {
      host: '127.0.0.1',
      port: registryPort,
      servicePath,
      maxRetries: 0,
      heartbeatInterval: spec.heartbeatIntervalMs ?? FAST_MS,
      registryFetchInterval: FAST_MS,
      fetchRegistry: true,
      registerWithEureka: spec.registerWithEureka ?? true,
    },
  });
  client.on('heartbeat', () => (heartbeats.count += 1));
  let stopped = false;
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      if (stopped) return resolve();
      stopped = true;
      client.stop((error) => (error ? reject(error) : resolve()));
    });
  t.after(() => stop().catch(() => undefined));
  await new Promise<void>((resolve, reject) =>
    client.start((error) => (error ? reject(error) : resolve())),
  );
  return { client, requests, heartbeats, stop, id: client.instanceId };
}

const ports = (instances: JsInstance[]) => instances.map((i) => i.port.$).sort();

/** Waits until `read()` equals `expected` (the client refreshes its cache on its own timer). */
async function until<T>(what: string, read: () => T, expected: T): Promise<void> {
  await eventually(
    what,
    async () => {
      try {
        assert.deepEqual(read(), expected);
        return true;
      } catch {
        return undefined;
      }
    },
    10_000,
  ).catch(() => assert.deepEqual(read(), expected, what));
}

for (const servicePath of SERVICE_PATHS) {
  test(`eureka-js-client registers, heartbeats, full-fetches, sees a status override and deregisters under ${servicePath}`, async (t) => {
    const registry = await startRegistry(t);
    const cwd = await tempDir(t);
    const base = `${registry.url}${servicePath}`;
    const start = (spec: ClientSpec) => startClient(t, registry.port, servicePath, cwd, spec);

    // §1.9: register succeeds only on 204; the app keeps its configured (lower) case in URLs.
    const a = await start({ app: 'js-orders', port: 9101 });
    const b = await start({ app: 'js-orders', port: 9102 });
    const c = await start({ app: 'js-orders', port: 9103 });
    const d = await start({ app: 'js-catalog', port: 9201, vipAddress: 'js-catalog,catalog-v2' });
    assert.equal(a.requests[0]?.method, 'POST');
    assert.equal(a.requests[0]?.uri, 'js-orders');

    // Full fetch (GET '' with Accept: application/json), read by app id and by each VIP.
    await until(
      'three js-orders instances',
      () => ports(a.client.getInstancesByAppId('js-orders')),
      [9101, 9102, 9103],
    );
    await until(
      'catalog by its second VIP',
      () => ports(a.client.getInstancesByVipAddress('catalog-v2')),
      [9201],
    );
    assert.deepEqual(ports(a.client.getInstancesByVipAddress('js-catalog')), [9201]);
    const seen = a.client.getInstancesByAppId('JS-ORDERS')[0]!;
    assert.equal(seen.app, 'JS-ORDERS'); // the server upper-cases app names (§1.3)
    assert.equal(seen.status, 'UP');
    assert.equal(typeof seen.port.$, 'number'); // §1.7: port.$ is a number, @enabled a string
    assert.equal(seen.port['@enabled'], 'true');
    assert.ok(a.requests.some((r) => r.method === 'GET' && r.uri === ''));

    // Heartbeats: a bare PUT {app}/{id} that needs exactly 200 (§1.5); the lease is renewed.
    const before = await call<{ instance: { leaseInfo: { lastRenewalTimestamp: number } } }>(
      `${base}js-orders/${b.id}`,
      { headers: { accept: 'application/json' } },
    );
    assert.equal(before.status, 200);
    await until(
      'heartbeats from every client',
      () => [a, b, c, d].every((x) => x.heartbeats.count >= 2),
      true,
    );
    await eventually('the lease renewed', async () => {
      const after = await call<typeof before.body>(`${base}js-orders/${b.id}`, {
        headers: { accept: 'application/json' },
      });
      return after.body.instance.leaseInfo.lastRenewalTimestamp >
        before.body.instance.leaseInfo.lastRenewalTimestamp
        ? true
        : undefined;
    });
    assert.ok(b.requests.some((r) => r.method === 'PUT' && r.uri === `js-orders/${b.id}`));

    // An operator takes one instance out of service through the REST API (§1.6). The client
    // keeps only UP instances, so it disappears from every client's cache, and the client's own
    // heartbeats (which carry no status) do not undo the override.
    const out = await call(`${base}js-orders/${c.id}/status?value=OUT_OF_SERVICE`, {
      method: 'PUT',
    });
    assert.equal(out.status, 200);
    await until(
      'c filtered out',
      () => ports(a.client.getInstancesByAppId('js-orders')),
      [9101, 9102],
    );
    await until(
      'c filtered out of the VIP',
      () => ports(b.client.getInstancesByVipAddress('js-orders')),
      [9101, 9102],
    );
    const beats = c.heartbeats.count;
    await until('c still heartbeating', () => c.heartbeats.count >= beats + 2, true);
    const status = await call<{ instance: { status: string } }>(`${base}js-orders/${c.id}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(status.body.instance.status, 'OUT_OF_SERVICE');
    assert.deepEqual(ports(a.client.getInstancesByAppId('js-orders')), [9101, 9102]);

    // Removing the override puts it back.
    const back = await call(`${base}js-orders/${c.id}/status?value=UP`, { method: 'DELETE' });
    assert.equal(back.status, 200);
    await until(
      'c back in service',
      () => ports(a.client.getInstancesByAppId('js-orders')),
      [9101, 9102, 9103],
    );

    // stop() deregisters: DELETE {app}/{id}, which needs exactly 200 (§1.6).
    await b.stop();
    assert.ok(b.requests.some((r) => r.method === 'DELETE' && r.uri === `js-orders/${b.id}`));
    const gone = await call(`${base}js-orders/${b.id}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(gone.status, 404);
    await until('b gone', () => ports(a.client.getInstancesByAppId('js-orders')), [9101, 9103]);
    await d.stop();
    await until(
      'the catalog VIP empty',
      () => a.client.getInstancesByVipAddress('catalog-v2').length,
      0,
    );
    await until('the catalog app gone', () => a.client.getInstancesByAppId('js-catalog').length, 0);
  });

  test(`eureka-js-client with shouldUseDelta applies ADDED, MODIFIED and DELETED deltas after one full fetch under ${servicePath}`, async (t) => {
    const registry = await startRegistry(t);
    const cwd = await tempDir(t);
    const base = `${registry.url}${servicePath}`;
    const start = (spec: ClientSpec) => startClient(t, registry.port, servicePath, cwd, spec);

    const a = await start({ app: 'js-users', port: 9301 });
    const watcher = await start({
      app: 'js-watcher',
      port: 9399,
      registerWithEureka: false,
      shouldUseDelta: true,
    });
    await until(
      'the first instance',
      () => ports(watcher.client.getInstancesByAppId('js-users')),
      [9301],
    );

    // ADDED: new registrations reach the watcher through GET delta only.
    const b = await start({ app: 'js-users', port: 9302 });
    // eureka-js-client re-registers when a renew that was in flight at stop() comes back 404;
    // a slow heartbeat for the instance we later delete keeps that race out of the test.
    const c = await start({
      app: 'js-users',
      port: 9303,
      vipAddress: 'js-users,users-v2',
      heartbeatIntervalMs: 60_000,
    });
    await until(
      'ADDED by delta',
      () => ports(watcher.client.getInstancesByAppId('js-users')),
      [9301, 9302, 9303],
    );
    await until(
      'ADDED by delta, second VIP',
      () => ports(watcher.client.getInstancesByVipAddress('users-v2')),
      [9303],
    );

    // MODIFIED: the override arrives as a MODIFIED delta entry. eureka-js-client 4.5.0's
    // modifyInstance replaces the cached entry without its UP filter, so a delta user sees the
    // instance with status OUT_OF_SERVICE (a full fetch would drop it, as the test above shows).
    const out = await call(`${base}js-users/${b.id}/status?value=OUT_OF_SERVICE`, {
      method: 'PUT',
    });
    assert.equal(out.status, 200);
    const statusOf = (port: number) =>
      watcher.client.getInstancesByVipAddress('js-users').find((i) => i.port.$ === port)?.status;
    await until('MODIFIED by delta', () => statusOf(9302), 'OUT_OF_SERVICE');
    assert.equal(statusOf(9301), 'UP');

    // DELETED: stop() deregisters; the delta removes it. Only the VIP cache is exact in delta
    // mode: 4.5.0's modifyInstance/deleteInstance splice the app cache at index
    // `cache.vip[instance.vipAddress]` (coerced to 0), and the retained ADDED entries re-add what
    // that displaced, so `getInstancesByAppId` is unreliable after a MODIFIED delta.
    await c.stop();
    await until(
      'DELETED by delta',
      () => ports(watcher.client.getInstancesByVipAddress('js-users')),
      [9301, 9302],
    );
    await until(
      'DELETED by delta, second VIP',
      () => watcher.client.getInstancesByVipAddress('users-v2').length,
      0,
    );

    const fetches = watcher.requests.filter((r) => r.method === 'GET');
    assert.equal(fetches.filter((r) => r.uri === '').length, 1, 'exactly one full fetch');
    assert.ok(fetches.filter((r) => r.uri === 'delta').length >= 3, 'then deltas');
    await a.stop();
    await b.stop();
  });
}
