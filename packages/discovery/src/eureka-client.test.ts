import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEurekaClient, type EurekaClientOptions } from './eureka-client.js';
import { buildInstanceInfo } from './instance-info.js';
import { appsHashCode } from './eureka/model.js';
import type { InstanceStatus } from './types.js';

const HOUR = 3_600_000;

interface WireInstance {
  instanceId: string;
  app: string;
  hostName: string;
  vipAddress: string;
  status: InstanceStatus;
  port: { $: number; '@enabled': 'true' };
  actionType?: string;
}

const wire = (port: number, status: InstanceStatus = 'UP', app = 'CATALOG'): WireInstance => ({
  instanceId: `h:${app.toLowerCase()}:${port}`,
  app,
  hostName: '127.0.0.1',
  vipAddress: app.toLowerCase(),
  status,
  port: { $: port, '@enabled': 'true' },
});

const document = (instances: WireInstance[], hashcode = appsHashCode(instances)) => ({
  applications: {
    versions__delta: '1',
    apps__hashcode: hashcode,
    application: [...new Set(instances.map((i) => i.app))].map((name) => ({
      name,
      instance: instances.filter((i) => i.app === name),
    })),
  },
});

/** A scripted Eureka server on 127.0.0.1:0 whose answers the test sets. */
async function startFakeRegistry(t: TestContext) {
  const state = {
    full: [] as WireInstance[],
    delta: [] as WireInstance[],
    /** When set, overrides the delta's hashcode (default: that of `full`). */
    deltaHashcode: null as string | null,
    deltaStatus: 200,
    fullStatus: 200,
    /** False after a simulated registry restart: heartbeats get 404 until the next register. */
    leaseKnown: true,
    down: false,
    requests: [] as string[],
    registered: [] as { status: string }[],
  };
  const readBody = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?')[0]!;
      state.requests.push(`${request.method} ${path}`);
      const body = await readBody(request);
      if (state.down) return response.writeHead(503).end();
      if (request.method === 'GET' && path === '/eureka/apps/' && state.fullStatus !== 200)
        return response.writeHead(state.fullStatus).end();
      if (request.method === 'GET' && path === '/eureka/apps/')
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(document(state.full)));
      if (request.method === 'GET' && path === '/eureka/apps/delta') {
        if (state.deltaStatus !== 200) return response.writeHead(state.deltaStatus).end();
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify(document(state.delta, state.deltaHashcode ?? appsHashCode(state.full))),
          );
      }
      if (request.method === 'POST') {
        state.registered.push((JSON.parse(body) as { instance: { status: string } }).instance);
        state.leaseKnown = true;
        return response.writeHead(204).end();
      }
      if (request.method === 'PUT' && !state.leaseKnown) return response.writeHead(404).end();
      response.writeHead(200).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const count = (line: string) => state.requests.filter((r) => r === line).length;
  return {
    state,
    serviceUrl: `http://127.0.0.1:${port}/eureka/`,
    fullFetches: () => count('GET /eureka/apps/'),
    deltaFetches: () => count('GET /eureka/apps/delta'),
  };
}

function client(t: TestContext, options: EurekaClientOptions) {
  const created = createEurekaClient({
    renewalIntervalMs: HOUR,
    registryFetchIntervalMs: HOUR,
    instanceInfoReplicationIntervalMs: HOUR,
    requestTimeoutMs: 2_000,
    registerWithEureka: false,
    ...options,
  });
  t.after(() => created.close());
  return created;
}

const ports = (instances: { port: number }[]) => instances.map((i) => i.port).sort();

test('fetches the full registry first, then applies ADDED, MODIFIED and DELETED deltas', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1), wire(2), wire(3)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl] });
  await consumer.start();
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 2, 3]);
  assert.equal(registry.fullFetches(), 1);

  registry.state.full = [wire(1), wire(2, 'DOWN'), wire(4)];
  registry.state.delta = [
    { ...wire(4), actionType: 'ADDED' },
    { ...wire(2, 'DOWN'), actionType: 'MODIFIED' },
    { ...wire(3), actionType: 'DELETED' },
  ];
  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 4]);
  assert.deepEqual(ports(consumer.getAllInstances()), [1, 2, 4]);
  assert.equal(consumer.getAllInstances().find((i) => i.port === 2)?.status, 'DOWN');
  assert.equal(registry.deltaFetches(), 1);
  assert.equal(registry.fullFetches(), 1, 'a matching hashcode needs no full fetch');

  // Eureka repeats a change in consecutive deltas while it stays in the retention queue.
  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(ports(consumer.getAllInstances()), [1, 2, 4]);
  assert.equal(registry.fullFetches(), 1);
  assert.deepEqual(consumer.fetchStats, { full: 1, delta: 2, reconciled: 0 });
});

test('does a full fetch when the hashcode after a delta differs from the registry', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1), wire(2)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl] });
  await consumer.start();
  // The registry lost instance 2 but the delta that said so has left the retention queue.
  registry.state.full = [wire(1), wire(5)];
  registry.state.delta = [{ ...wire(5), actionType: 'ADDED' }];
  assert.equal(await consumer.refresh(), true);
  assert.equal(registry.fullFetches(), 2);
  assert.deepEqual(ports(consumer.getAllInstances()), [1, 5]);
  assert.deepEqual(consumer.fetchStats, { full: 2, delta: 1, reconciled: 1 });
});

test('falls back to a full fetch when the registry refuses deltas with 403', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl] });
  await consumer.start();
  registry.state.deltaStatus = 403;
  registry.state.full = [wire(1), wire(2)];
  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(ports(consumer.getInstances('CATALOG')), [1, 2]);
  assert.equal(registry.deltaFetches(), 1);
  assert.equal(registry.fullFetches(), 2);
});

test('only fetches the full registry when shouldUseDelta is false', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl], shouldUseDelta: false });
  await consumer.start();
  await consumer.refresh();
  await consumer.refresh();
  assert.equal(registry.deltaFetches(), 0);
  assert.equal(registry.fullFetches(), 3);
});

test('keeps serving its cache with delta on when every registry is down, and resumes after', async (t) => {
  const first = await startFakeRegistry(t);
  const second = await startFakeRegistry(t);
  first.state.full = second.state.full = [wire(1), wire(2)];
  const consumer = client(t, { serviceUrls: [first.serviceUrl, second.serviceUrl] });
  await consumer.start();
  first.state.down = second.state.down = true;
  assert.equal(await consumer.refresh(), false);
  assert.equal(await consumer.refresh(), false);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 2]);
  assert.equal(first.deltaFetches() + second.deltaFetches(), 4, 'both servers were tried twice');

  second.state.down = false;
  second.state.full = [wire(1), wire(2), wire(3)];
  second.state.delta = [{ ...wire(3), actionType: 'ADDED' }];
  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 2, 3]);
});

test('a failed delta fetch keeps the cache', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl] });
  await consumer.start();
  registry.state.deltaStatus = 500;
  assert.equal(await consumer.refresh(), false);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1]);
});

test('reports the service health as its status and re-registers only when it changes', async (t) => {
  const registry = await startFakeRegistry(t);
  let health: InstanceStatus | Error = 'UP';
  const self = client(t, {
    serviceUrls: [registry.serviceUrl],
    registerWithEureka: true,
    fetchRegistry: false,
    instance: buildInstanceInfo({ appName: 'orders', hostName: 'h', ipAddr: '127.0.0.1', port: 7 }),
    healthStatus: () => {
      if (health instanceof Error) throw health;
      return health;
    },
  });
  await self.start();
  assert.deepEqual(
    registry.state.registered.map((i) => i.status),
    ['UP'],
  );
  assert.equal(await self.checkHealth(), 'UP');
  assert.equal(registry.state.registered.length, 1, 'no change, no registration');
  health = 'DOWN';
  assert.equal(await self.checkHealth(), 'DOWN');
  health = 'OUT_OF_SERVICE';
  assert.equal(await self.checkHealth(), 'OUT_OF_SERVICE');
  health = new Error('indicator broke');
  assert.equal(await self.checkHealth(), 'DOWN');
  health = 'UP';
  assert.equal(await self.checkHealth(), 'UP');
  assert.deepEqual(
    registry.state.registered.map((i) => i.status),
    ['UP', 'DOWN', 'OUT_OF_SERVICE', 'DOWN', 'UP'],
  );
  assert.equal(self.status, 'UP');
});

const self = (port: number) =>
  buildInstanceInfo({ appName: 'orders', hostName: 'h', ipAddr: '127.0.0.1', port });

test('keeps its cached registry while a restarted registry refuses full and delta fetches with 403', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1), wire(2)];
  const consumer = client(t, { serviceUrls: [registry.serviceUrl] });
  const published: number[][] = [];
  consumer.onChange((instances) => published.push(ports([...instances])));
  await consumer.start();

  // Restarted and still empty: Eureka answers 403 until its wait-time-in-ms-when-sync-empty passed.
  registry.state.full = [];
  registry.state.deltaStatus = 403;
  registry.state.fullStatus = 403;
  assert.equal(await consumer.refresh(), false);
  assert.equal(await consumer.fullRefresh(), false);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 2]);
  assert.equal(registry.deltaFetches(), 1);
  assert.equal(registry.fullFetches(), 3);

  registry.state.fullStatus = 200;
  registry.state.full = [wire(1), wire(2), wire(3)];
  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(ports(consumer.getInstances('catalog')), [1, 2, 3]);
  assert.deepEqual(published, [
    [1, 2],
    [1, 2, 3],
  ]);
});

test('a heartbeat answered 404 registers the instance again at once', async (t) => {
  const registry = await startFakeRegistry(t);
  const service = client(t, {
    serviceUrls: [registry.serviceUrl],
    registerWithEureka: true,
    fetchRegistry: false,
    instance: self(7),
  });
  await service.start();
  assert.equal(await service.heartbeat(), 'ok');
  registry.state.leaseKnown = false;
  registry.state.requests.length = 0;
  assert.equal(await service.heartbeat(), 're-registered');
  assert.deepEqual(registry.state.requests, [
    'PUT /eureka/apps/ORDERS/h:orders:7',
    'POST /eureka/apps/ORDERS',
  ]);
  assert.equal(service.isRegistered, true);
  assert.equal(await service.heartbeat(), 'ok');
});

test('a full fetch refused with 403 sends one heartbeat at once, so a lost lease comes back now', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1)];
  const service = client(t, {
    serviceUrls: [registry.serviceUrl],
    registerWithEureka: true,
    instance: self(7),
    shouldUseDelta: false,
  });
  await service.start();
  registry.state.leaseKnown = false;
  registry.state.fullStatus = 403;
  registry.state.requests.length = 0;
  assert.equal(await service.refresh(), false);
  assert.equal(await service.heartbeat(), 're-registered', 'joins the heartbeat the 403 started');
  assert.deepEqual(registry.state.requests, [
    'GET /eureka/apps/',
    'PUT /eureka/apps/ORDERS/h:orders:7',
    'POST /eureka/apps/ORDERS',
  ]);

  registry.state.requests.length = 0;
  assert.equal(await service.refresh(), false);
  assert.deepEqual(
    registry.state.requests,
    ['GET /eureka/apps/'],
    'once per refusal, not per fetch',
  );
  assert.deepEqual(ports(service.getInstances('catalog')), [1]);
});

test('each new refusal after a served fetch sends its heartbeat again, delta fetches included', async (t) => {
  const registry = await startFakeRegistry(t);
  registry.state.full = [wire(1)];
  const service = client(t, {
    serviceUrls: [registry.serviceUrl],
    registerWithEureka: true,
    instance: self(7),
  });
  await service.start();
  const heartbeats = () =>
    registry.state.requests.filter((r) => r === 'PUT /eureka/apps/ORDERS/h:orders:7').length;
  const heartbeatsReach = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (heartbeats() < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    return heartbeats();
  };
  for (let restart = 1; restart <= 2; restart += 1) {
    registry.state.fullStatus = registry.state.deltaStatus = 403;
    assert.equal(await service.refresh(), false);
    assert.equal(await heartbeatsReach(restart), restart, `refusal ${restart} sent a heartbeat`);
    registry.state.fullStatus = registry.state.deltaStatus = 200;
    registry.state.delta = [];
    assert.equal(await service.refresh(), true, 'served by a delta');
  }
  assert.equal(heartbeats(), 2);
});
