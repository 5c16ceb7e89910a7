import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '@stratus/core';
import type { BusActivity } from '@stratus/messaging';
import { createApplication, type Application } from './index.js';

const ADMIN = `Basic ${Buffer.from('admin:s3cret-pw').toString('base64')}`;
const SECURITY = 'spring:\n  security:\n    user:\n      name: admin\n      password: s3cret-pw\n';

/** A folder holding `<name>.yml` files the apps read, and the embedded log they share. */
async function fleetDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-bus-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts an app named `name` reading `dir/application.yml`, on the bus of `dir`. */
async function startApp(
  t: TestContext,
  dir: string,
  name: string,
  argv: string[] = [],
): Promise<{ app: Application; base: string; activity: BusActivity[] }> {
  const app = await createApplication({
    name,
    baseDir: dir,
    argv: [
      '--server.port=0',
      '--server.address=127.0.0.1',
      '--eureka.client.enabled=false',
      `--stratus.data-dir=${join(dir, 'data', name)}`,
      `--stratus.messaging.embedded.path=${join(dir, 'events.db')}`,
      '--stratus.messaging.embedded.poll-interval-ms=20',
      '--management.endpoints.web.exposure.include=health,env,refresh,busrefresh,busenv',
      '--management.endpoint.env.show-values=always',
      ...argv,
    ],
    env: {},
    logger: createSilentLogger(),
  });
  t.after(() => app.close());
  await app.start();
  const activity: BusActivity[] = [];
  app.bus?.observe((entry) => activity.push(entry));
  return { app, base: `http://127.0.0.1:${app.port}`, activity };
}

function post(url: string, body?: unknown, authorization = ADMIN): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      authorization,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function eventually(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('POST /actuator/busrefresh refreshes every instance on the bus and answers 204', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: first\n`);
  const a = await startApp(t, dir, 'customers');
  const b = await startApp(t, dir, 'stores');
  assert.match(a.app.bus!.id, new RegExp(`^customers:${a.app.port}:[0-9a-f]{32}$`));
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: second\n`);
  const response = await post(`${a.base}/actuator/busrefresh`);
  assert.equal(response.status, 204);
  assert.equal(
    a.app.config.getString('greeting'),
    'second',
    'the sender refreshes before answering',
  );
  await eventually(
    'the other instance refreshed',
    () => b.app.config.getString('greeting') === 'second',
  );
  await eventually(
    'both acks at the sender',
    () =>
      a.activity.filter(
        (x) => x.kind === 'received' && x.event.type === 'AckRemoteApplicationEvent',
      ).length === 2,
  );
  const applied = b.activity.find((x) => x.kind === 'applied');
  assert.deepEqual(applied?.kind === 'applied' ? applied.changed : null, ['greeting']);
});

test('POST /actuator/busrefresh/{destination} refreshes only the instances it names', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: first\n`);
  const sender = await startApp(t, dir, 'config-service');
  const customers = await startApp(t, dir, 'customers');
  const stores = await startApp(t, dir, 'stores');
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: second\n`);
  assert.equal((await post(`${sender.base}/actuator/busrefresh/customers/**`)).status, 204);
  await eventually(
    'customers refreshed',
    () => customers.app.config.getString('greeting') === 'second',
  );
  await eventually('stores saw the event', () =>
    stores.activity.some(
      (x) => x.kind === 'received' && x.event.type === 'RefreshRemoteApplicationEvent',
    ),
  );
  const seen = stores.activity.find((x) => x.kind === 'received');
  assert.equal(seen?.kind === 'received' && seen.event.destinationService, 'customers:**');
  assert.equal(stores.app.config.getString('greeting'), 'first');
  assert.equal(sender.app.config.getString('greeting'), 'first');
});

test('POST /actuator/busenv sets the property above every source on every instance, and a refresh keeps it', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: from-file\n`);
  const a = await startApp(t, dir, 'customers');
  const b = await startApp(t, dir, 'stores', ['--greeting=from-flag']);
  const response = await post(`${a.base}/actuator/busenv`, { name: 'greeting', value: 'from-bus' });
  assert.equal(response.status, 204);
  assert.equal(a.app.config.getString('greeting'), 'from-bus');
  await eventually(
    'the other instance changed',
    () => b.app.config.getString('greeting') === 'from-bus',
  );
  const env = (await (
    await fetch(`${b.base}/actuator/env`, { headers: { authorization: ADMIN } })
  ).json()) as {
    propertySources: Array<{ name: string; properties: Record<string, { value: unknown }> }>;
  };
  assert.equal(env.propertySources[0]!.name, 'manager');
  assert.deepEqual(env.propertySources[0]!.properties.greeting, { value: 'from-bus' });
  assert.equal((await post(`${b.base}/actuator/refresh`)).status, 200);
  assert.equal(b.app.config.getString('greeting'), 'from-bus');
});

test('an environment change the configuration rejects is taken back, and the instance keeps working', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: first\n`);
  const a = await startApp(t, dir, 'customers');
  const rejected = await post(`${a.base}/actuator/busenv`, {
    name: 'server.port',
    value: 'not-a-port',
  });
  assert.equal(rejected.status, 400);
  assert.equal(((await rejected.json()) as { code: string }).code, 'BOOT_ERR_REFRESH_REJECTED');
  await writeFile(join(dir, 'application.yml'), `${SECURITY}greeting: second\n`);
  const refreshed = await post(`${a.base}/actuator/refresh`);
  assert.equal(refreshed.status, 200);
  assert.deepEqual(await refreshed.json(), ['greeting']);
});

test('the bus endpoints need credentials, refuse a bad busenv body with problem+json, and exist only when exposed', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), SECURITY);
  const a = await startApp(t, dir, 'customers');
  const anonymous = await fetch(`${a.base}/actuator/busrefresh`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
  for (const body of [
    {},
    { name: 'x' },
    { name: '', value: 'v' },
    { name: 'x', value: { nested: 1 } },
  ]) {
    const bad = await post(`${a.base}/actuator/busenv`, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
  }
  const malformed = await fetch(`${a.base}/actuator/busenv`, {
    method: 'POST',
    headers: { authorization: ADMIN, 'content-type': 'application/json' },
    body: '{"name":',
  });
  assert.equal(malformed.status, 400);
  assert.equal(
    (await post(`${a.base}/actuator/busshutdown`)).status,
    404,
    'shutdown is off by default',
  );
  const hidden = await startApp(t, dir, 'stores', [
    '--management.endpoints.web.exposure.include=health',
  ]);
  assert.equal((await post(`${hidden.base}/actuator/busrefresh`)).status, 404);
  assert.ok(hidden.app.bus !== null, 'the bus runs even when its endpoints are not exposed');
});

test('spring.cloud.bus.enabled=false leaves the bus out; a bad bus setting fails start-up listing it', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), SECURITY);
  const off = await startApp(t, dir, 'customers', ['--spring.cloud.bus.enabled=false']);
  assert.equal(off.app.bus, null);
  assert.equal((await post(`${off.base}/actuator/busrefresh`)).status, 404);
  await assert.rejects(
    startApp(t, dir, 'stores', [
      '--spring.cloud.bus.destination=bad topic',
      '--spring.cloud.bus.ack.enabled=maybe',
    ]),
    (error: { code?: string; details?: { problems?: string[] } }) => {
      assert.equal(error.code, 'BOOT_ERR_INVALID_CONFIG');
      assert.equal(error.details?.problems?.length, 2);
      return true;
    },
  );
});

test('spring.cloud.bus.id and spring.cloud.bus.destination are used as configured', async (t) => {
  const dir = await fleetDir(t);
  await writeFile(join(dir, 'application.yml'), SECURITY);
  const flags = ['--spring.cloud.bus.destination=otherBus'];
  const a = await startApp(t, dir, 'customers', [
    ...flags,
    '--spring.cloud.bus.id=customers:blue:1',
  ]);
  const b = await startApp(t, dir, 'stores', flags);
  assert.equal(a.app.bus!.id, 'customers:blue:1');
  assert.equal(a.app.bus!.destination, 'otherBus');
  assert.equal((await post(`${b.base}/actuator/busrefresh/customers:blue`)).status, 204);
  await eventually('customers acked on otherBus', () =>
    b.activity.some(
      (x) =>
        x.kind === 'received' &&
        x.event.type === 'AckRemoteApplicationEvent' &&
        x.event.originService === 'customers:blue:1',
    ),
  );
});
