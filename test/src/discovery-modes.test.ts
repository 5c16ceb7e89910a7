import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createApplication, type Application } from '@stratus/boot';
import { createSilentLogger } from '@stratus/core';
import { createEurekaClient, createLoadBalancer } from '@stratus/discovery';
import { createRegistryServer } from '@stratus/registry';
import { call, tempDir } from './support.js';

const logger = createSilentLogger();

/** A booted app on 127.0.0.1:0 with its own data dir, closed after the test. */
async function boot(
  t: TestContext,
  name: string,
  flags: string[],
  env: Record<string, string | undefined> = {},
): Promise<Application> {
  const dir = await tempDir(t, `stratus-${name}-`);
  const app = await createApplication({
    name,
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.instance.prefer-ip-address=true',
      `--stratus.data-dir=${dir}`,
      ...flags,
    ],
    env,
    logger,
  });
  t.after(() => app.close());
  return app;
}

/** A provider answering `GET /who` with its own name. */
async function provider(t: TestContext, label: string, flags: string[] = []): Promise<Application> {
  const app = await boot(t, 'user-service', ['--eureka.client.enabled=false', ...flags]);
  app.server.get('/who', async () => ({ label }));
  await app.start();
  return app;
}

test('static mode resolves lb:// from spring.cloud.discovery.client.simple.instances, weighted by metadata', async (t) => {
  const a = await provider(t, 'a');
  const b = await provider(t, 'b');
  const prefix = 'spring.cloud.discovery.client.simple.instances.user-service';
  const caller = await boot(t, 'order-service', [
    '--stratus.discovery.mode=static',
    '--spring.cloud.loadbalancer.configurations=weighted',
    `--${prefix}[0].uri=http://127.0.0.1:${a.port}`,
    `--${prefix}[0].metadata.weight=3`,
    `--${prefix}[1].uri=http://127.0.0.1:${b.port}`,
    `--${prefix}[1].instance-id=b-1`,
  ]);
  await caller.start();
  assert.equal(caller.discovery?.mode, 'static');
  assert.deepEqual(
    caller.discovery?.getInstances('USER-SERVICE').map((i) => i.instanceId),
    ['user-service-0', 'b-1'],
  );
  const labels: string[] = [];
  for (let i = 0; i < 8; i++) {
    labels.push((await caller.http.json<{ label: string }>('lb://user-service/who')).body.label);
  }
  assert.deepEqual(labels.sort(), ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b']);
});

test('kubernetes mode, detected from KUBERNETES_SERVICE_HOST, resolves lb:// to the Service DNS name and port', async (t) => {
  const target = await provider(t, 'k8s');
  // `localhost` stands in for a Service name that the cluster DNS would resolve.
  const caller = await boot(
    t,
    'order-service',
    [`--stratus.discovery.kubernetes.port=${target.port}`],
    { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
  );
  await caller.start();
  assert.equal(caller.discovery?.mode, 'kubernetes');
  const { body } = await caller.http.json<{ label: string }>('lb://localhost/who');
  assert.equal(body.label, 'k8s');
  assert.equal(
    caller.loadBalancer.choose('user-service')?.uri,
    `http://user-service:${target.port}`,
  );

  const namespaced = await boot(t, 'order-service', [
    '--stratus.discovery.mode=kubernetes',
    '--stratus.discovery.kubernetes.namespace=shop',
  ]);
  await namespaced.start();
  assert.equal(
    namespaced.loadBalancer.choose('user-service')?.uri,
    'http://user-service.shop.svc:80',
  );
  assert.equal(namespaced.loadBalancer.choose('not_a_dns_label'), null);
});

test('an instance whose health turns DOWN shows DOWN in the registry and other clients stop choosing it', async (t) => {
  const registry = await createRegistryServer({
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.server.enable-self-preservation=false',
    ],
    logger,
  });
  await registry.start();
  t.after(() => registry.close());
  const defaultZone = `http://127.0.0.1:${registry.port}/eureka/`;
  const flags = [
    `--eureka.client.service-url.defaultZone=${defaultZone}`,
    '--eureka.client.fetch-registry=false',
  ];
  const a = await boot(t, 'inventory-service', flags);
  const b = await boot(t, 'inventory-service', flags);
  let bHealth: 'UP' | 'DOWN' = 'UP';
  b.health.register('stock-db', () => ({ status: bHealth }));
  await a.start();
  await b.start();

  const consumer = createEurekaClient({
    serviceUrls: [defaultZone],
    registerWithEureka: false,
    registryFetchIntervalMs: 3_600_000,
    logger,
  });
  t.after(() => consumer.close());
  await consumer.start();
  const balancer = createLoadBalancer(consumer);
  const chosen = () => new Set([1, 2, 3, 4].map(() => balancer.choose('inventory-service')?.uri));
  assert.deepEqual(chosen(), new Set([a.url, b.url]));

  bHealth = 'DOWN';
  assert.equal(await b.discovery?.syncHealth(), 'DOWN');
  const registered = await call<{
    application: { instance: { status: string; port: { $: number } }[] };
  }>(`http://127.0.0.1:${registry.port}/eureka/apps/INVENTORY-SERVICE`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(
    registered.body.application.instance.find((i) => i.port.$ === b.port)?.status,
    'DOWN',
  );

  assert.equal(await consumer.refresh(), true);
  assert.deepEqual(
    consumer.fetchStats,
    { full: 1, delta: 1, reconciled: 0 },
    'applied as a delta, hashcode agreed',
  );
  assert.deepEqual(chosen(), new Set([a.url]));

  bHealth = 'UP';
  assert.equal(await b.discovery?.syncHealth(), 'UP');
  await consumer.refresh();
  assert.deepEqual(chosen(), new Set([a.url, b.url]));

  // Shutdown: OUT_OF_SERVICE first, then the lease is cancelled.
  await b.close();
  await consumer.refresh();
  assert.deepEqual(chosen(), new Set([a.url]));
  assert.equal(
    consumer.getAllInstances().some((i) => i.port === b.port),
    false,
  );
});

test('lb:// through a booted app keeps working from the cache when the registry goes down', async (t) => {
  const registry = await createRegistryServer({
    argv: ['--server.port=0', '--server.address=127.0.0.1'],
    logger,
  });
  await registry.start();
  const defaultZone = `http://127.0.0.1:${registry.port}/eureka/`;
  const target = await boot(t, 'user-service', [
    `--eureka.client.service-url.defaultZone=${defaultZone}`,
    '--eureka.client.fetch-registry=false',
  ]);
  target.server.get('/who', async () => ({ label: 'cached' }));
  await target.start();
  const caller = await boot(t, 'order-service', [
    `--eureka.client.service-url.defaultZone=${defaultZone}`,
    '--eureka.client.register-with-eureka=false',
    '--eureka.client.registry-fetch-interval-seconds=3600',
  ]);
  await caller.start();
  assert.equal(
    (await caller.http.json<{ label: string }>('lb://user-service/who')).body.label,
    'cached',
  );
  await registry.close();
  assert.equal(
    (await caller.http.json<{ label: string }>('lb://user-service/who')).body.label,
    'cached',
  );
});
