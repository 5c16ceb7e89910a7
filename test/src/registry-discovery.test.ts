import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fastify from 'fastify';
import { createEurekaRegistry, registerEurekaRoutes } from '@stratus/registry';
import {
  buildInstanceInfo,
  createEurekaClient,
  createRoundRobinLoadBalancer,
  type EurekaClientOptions,
  type ServiceInstance,
} from '@stratus/discovery';

const HOUR = 3_600_000;

async function startRegistry(t: TestContext) {
  const registry = createEurekaRegistry({ evictionIntervalMs: 0 });
  const app = fastify();
  const seen = { authorization: [] as string[], failing: false };
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.authorization) seen.authorization.push(request.headers.authorization);
    if (seen.failing) await reply.code(503).send();
  });
  await registerEurekaRoutes(app, { registry });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await registry.close();
  };
  t.after(close);
  return { registry, url, serviceUrl: `${url}/eureka/`, seen, close };
}

function client(t: TestContext, options: EurekaClientOptions) {
  // Timers far in the future: the test drives heartbeat() and refresh() itself.
  const created = createEurekaClient({
    renewalIntervalMs: HOUR,
    registryFetchIntervalMs: HOUR,
    requestTimeoutMs: 2_000,
    ...options,
  });
  t.after(() => created.close());
  return created;
}

const instance = (port: number, appName = 'catalog-service') =>
  buildInstanceInfo({ appName, hostName: '127.0.0.1', ipAddr: '127.0.0.1', port });

test('two instances register and a third client round-robins between them by VIP address', async (t) => {
  const server = await startRegistry(t);
  const a = client(t, {
    serviceUrls: [server.serviceUrl],
    instance: instance(9001),
    fetchRegistry: false,
  });
  const b = client(t, {
    serviceUrls: [server.serviceUrl],
    instance: instance(9002),
    fetchRegistry: false,
  });
  await a.start();
  await b.start();
  assert.equal(a.isRegistered, true);
  assert.equal(server.registry.getApplication('CATALOG-SERVICE')?.instances.length, 2);

  const consumer = client(t, { serviceUrls: [server.serviceUrl], registerWithEureka: false });
  const changes: (readonly ServiceInstance[])[] = [];
  consumer.onChange((instances) => changes.push(instances));
  await consumer.start();
  assert.equal(changes.length, 1);
  const found = consumer.getInstances('Catalog-Service');
  assert.deepEqual(found.map((i) => i.uri).sort(), [
    'http://127.0.0.1:9001',
    'http://127.0.0.1:9002',
  ]);
  assert.equal(found[0]?.serviceId, 'CATALOG-SERVICE');
  assert.deepEqual(consumer.getInstances('CATALOG-SERVICE').length, 2);

  const balancer = createRoundRobinLoadBalancer(consumer);
  const picks = [1, 2, 3, 4].map(() => balancer.choose('catalog-service')?.port);
  assert.equal(new Set(picks.slice(0, 2)).size, 2);
  assert.deepEqual(picks.slice(2), picks.slice(0, 2));

  await consumer.refresh();
  assert.equal(changes.length, 1, 'an unchanged registry does not notify listeners');
});

test('only UP instances are returned: a client that sets DOWN disappears after the next fetch', async (t) => {
  const server = await startRegistry(t);
  const a = client(t, {
    serviceUrls: [server.serviceUrl],
    instance: instance(9001),
    fetchRegistry: false,
  });
  const consumer = client(t, { serviceUrls: [server.serviceUrl], registerWithEureka: false });
  await a.start();
  await consumer.start();
  assert.equal(consumer.getInstances('catalog-service').length, 1);
  await a.setStatus('DOWN');
  await consumer.refresh();
  assert.equal(consumer.getInstances('catalog-service').length, 0);
  assert.equal(consumer.getAllInstances()[0]?.status, 'DOWN');
  await a.setStatus('UP');
  await consumer.refresh();
  assert.equal(consumer.getInstances('catalog-service').length, 1);
});

test('a heartbeat after the server forgot the instance re-registers it', async (t) => {
  const server = await startRegistry(t);
  const a = client(t, {
    serviceUrls: [server.serviceUrl],
    instance: instance(9001),
    fetchRegistry: false,
  });
  await a.start();
  assert.equal(await a.heartbeat(), 'ok');
  const cancelled = await fetch(
    `${server.url}/eureka/apps/CATALOG-SERVICE/127.0.0.1:catalog-service:9001`,
    { method: 'DELETE' },
  );
  assert.equal(cancelled.status, 200);
  assert.equal(
    server.registry.getInstance('CATALOG-SERVICE', '127.0.0.1:catalog-service:9001'),
    null,
  );
  assert.equal(await a.heartbeat(), 're-registered');
  assert.equal(
    server.registry.getInstance('CATALOG-SERVICE', '127.0.0.1:catalog-service:9001')?.status,
    'UP',
  );
});

test('close() deregisters the instance and is idempotent', async (t) => {
  const server = await startRegistry(t);
  const a = client(t, { serviceUrls: [server.serviceUrl], instance: instance(9001) });
  await a.start();
  assert.notEqual(server.registry.getApplication('CATALOG-SERVICE'), null);
  await Promise.all([a.close(), a.close()]);
  assert.equal(server.registry.getApplication('CATALOG-SERVICE'), null);
  assert.equal(a.isRegistered, false);
});

test('a client keeps its cached registry while every server is down', async (t) => {
  const server = await startRegistry(t);
  const a = client(t, {
    serviceUrls: [server.serviceUrl],
    instance: instance(9001),
    fetchRegistry: false,
  });
  const consumer = client(t, {
    serviceUrls: [server.serviceUrl],
    registerWithEureka: false,
    requestTimeoutMs: 500,
  });
  await a.start();
  await consumer.start();
  await server.close();
  assert.equal(await consumer.refresh(), false);
  assert.equal(consumer.getInstances('catalog-service').length, 1);
  assert.equal(await a.heartbeat(), 'failed');
});

test('registration failure does not throw and is retried on the next heartbeat', async (t) => {
  const server = await startRegistry(t);
  server.seen.failing = true;
  const a = client(t, { serviceUrls: [server.serviceUrl], instance: instance(9001) });
  await a.start();
  assert.equal(a.isRegistered, false);
  server.seen.failing = false;
  assert.equal(await a.heartbeat(), 're-registered');
  assert.equal(server.registry.getApplication('CATALOG-SERVICE')?.instances.length, 1);
});

test('calls fail over to the next service URL and send Basic auth from its userinfo', async (t) => {
  const down = await startRegistry(t);
  await down.close(); // its port now refuses connections
  const up = await startRegistry(t);
  const withAuth = up.serviceUrl.replace('http://', 'http://eureka:s3cret@');
  const a = client(t, {
    serviceUrls: [down.serviceUrl, withAuth],
    instance: instance(9001),
    requestTimeoutMs: 500,
  });
  await a.start();
  assert.equal(a.isRegistered, true);
  assert.equal(a.getInstances('catalog-service').length, 1);
  assert.ok(
    up.seen.authorization.includes(`Basic ${Buffer.from('eureka:s3cret').toString('base64')}`),
  );
});
