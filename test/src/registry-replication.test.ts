import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSilentLogger } from '@stratus/core';
import { createRegistryServer, type RegistryServer } from '@stratus/registry';
import { freePort, tempDir } from './support.js';

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const APPS = ['ORDERS', 'USERS', 'CATALOG'];
const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

interface Instance {
  app: string;
  id: string;
}

function body({ app, id }: Instance, port: number) {
  return {
    instance: {
      instanceId: id,
      app,
      hostName: 'host',
      ipAddr: '10.0.0.1',
      status: 'UP',
      vipAddress: app.toLowerCase(),
      port: { $: port, '@enabled': 'true' },
      dataCenterInfo: {
        '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
        name: 'MyOwn',
      },
    },
  };
}

/** The `id → status` set a server shows, or null on error; fails on a duplicated id. */
async function snapshot(port: number): Promise<Map<string, string> | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/eureka/apps/`, {
      headers: { accept: 'application/json' },
    });
    if (response.status !== 200) return null;
    const json = (await response.json()) as {
      applications: { application: { instance: { instanceId: string; status: string }[] }[] };
    };
    const seen = new Map<string, string>();
    for (const app of json.applications.application) {
      for (const instance of app.instance) {
        assert.equal(seen.has(instance.instanceId), false, `duplicated ${instance.instanceId}`);
        seen.set(instance.instanceId, instance.status);
      }
    }
    return seen;
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return null;
  }
}

const sorted = (map: Map<string, string>) => [...map].sort(([a], [b]) => a.localeCompare(b));

async function scenario(t: TestContext, seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const dataDir = await tempDir(t, 'stratus-replication-');
  const ports = [await freePort(), await freePort(), await freePort()];
  // Every server gets the same defaultZone, itself included, as Spring users write it.
  const zone = ports.map((port) => `http://127.0.0.1:${port}/eureka/`).join(',');
  const servers: (RegistryServer | null)[] = [null, null, null];
  const startServer = async (index: number): Promise<void> => {
    const server = await createRegistryServer({
      argv: [
        `--server.port=${ports[index]}`,
        '--server.address=127.0.0.1',
        '--spring.config.import=',
        `--stratus.data-dir=${dataDir}`,
        `--eureka.client.service-url.defaultZone=${zone}`,
        '--eureka.server.eviction-interval-timer-in-ms=0',
        '--eureka.server.peer-node-read-timeout-ms=1000',
        '--stratus.registry.replication.batch-delay-ms=20',
        '--stratus.registry.replication.retry-initial-ms=20',
        '--stratus.registry.replication.retry-max-ms=200',
        '--stratus.registry.replication.anti-entropy-interval-ms=300',
        '--stratus.registry.replication.anti-entropy-grace-ms=200',
      ],
      env: {},
      logger: createSilentLogger(),
    });
    await server.start();
    servers[index] = server;
  };
  t.after(async () => {
    await Promise.all(servers.map((server) => server?.close()));
  });
  for (const index of [0, 1, 2]) await startServer(index);
  assert.deepEqual(
    servers.map((server) => server!.peers.length),
    [2, 2, 2],
    'each server replicates to the two others, not to itself',
  );

  const model = new Map<string, { instance: Instance; status: string }>();
  const live = () => [0, 1, 2].filter((index) => servers[index] !== null);
  let counter = 0;

  const register = async (): Promise<void> => {
    counter += 1;
    const instance = { app: pick(APPS), id: `host:seed${seed}-${counter}` };
    const port = ports[pick(live())]!;
    const response = await fetch(`http://127.0.0.1:${port}/eureka/apps/${instance.app}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body(instance, 9000 + counter)),
    });
    assert.equal(response.status, 204);
    model.set(instance.id, { instance, status: 'UP' });
  };

  /** A write through a random live server; a 404 (replication not there yet) is retried, bounded. */
  const write = async (method: string, path: (i: Instance) => string): Promise<Instance | null> => {
    if (model.size === 0) return null;
    const { instance } = pick([...model.values()]);
    const deadline = Date.now() + 5000;
    for (;;) {
      const port = ports[pick(live())]!;
      const response = await fetch(`http://127.0.0.1:${port}${path(instance)}`, {
        method,
        headers: { accept: 'application/json' },
      });
      if (response.status === 200) return instance;
      assert.equal(response.status, 404);
      assert.ok(Date.now() < deadline, `${method} ${instance.id} kept answering 404`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const cancel = async (): Promise<void> => {
    const done = await write('DELETE', (i) => `/eureka/apps/${i.app}/${i.id}`);
    if (done !== null) model.delete(done.id);
  };
  const outOfService = async (): Promise<void> => {
    const done = await write(
      'PUT',
      (i) => `/eureka/apps/${i.app}/${i.id}/status?value=OUT_OF_SERVICE`,
    );
    if (done !== null) model.get(done.id)!.status = 'OUT_OF_SERVICE';
  };

  for (let i = 0; i < 12; i += 1) await register();
  for (let i = 0; i < 3; i += 1) await cancel();
  for (let i = 0; i < 2; i += 1) await outOfService();

  const victim = Math.floor(random() * 3);
  await servers[victim]!.close();
  servers[victim] = null;

  for (let i = 0; i < 8; i += 1) await register();
  for (let i = 0; i < 4; i += 1) await cancel();
  await outOfService();

  await startServer(victim);
  for (let i = 0; i < 3; i += 1) await register();
  await cancel();

  const expected = sorted(new Map([...model].map(([id, entry]) => [id, entry.status])));
  const deadline = Date.now() + 20_000;
  let views: (Map<string, string> | null)[] = [];
  for (;;) {
    views = await Promise.all(ports.map(snapshot));
    if (
      views.every(
        (view) => view !== null && JSON.stringify(sorted(view)) === JSON.stringify(expected),
      )
    )
      break;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const [index, view] of views.entries()) {
    assert.ok(view !== null, `server ${index} answers`);
    assert.deepEqual(
      sorted(view),
      expected,
      `seed ${seed}: server ${index} (victim ${victim}) converged`,
    );
  }
}

for (const seed of [11, 22, 33]) {
  test(`three registry peers converge after one is killed and restarted (seed ${seed})`, async (t) => {
    await scenario(t, seed);
  });
}
