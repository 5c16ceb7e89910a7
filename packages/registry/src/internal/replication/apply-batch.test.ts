import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fastify from 'fastify';
import { createManualClock } from '@stratus/core';
import { instanceJson } from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry } from '../../registry.js';
import { mountEurekaApi } from '../http/eureka-api.js';
import { Tombstones } from './tombstones.js';

async function start(t: TestContext) {
  const clock = createManualClock(1_700_000_000_000);
  const registry = createEurekaRegistry({ clock, evictionIntervalMs: 0 });
  const tombstones = new Tombstones(clock, 180_000);
  const app = fastify();
  await mountEurekaApi(app, { registry, clock, tombstones });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await registry.close();
  });
  const batch = (list: unknown, path = '/eureka/peerreplication/batch/') =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-netflix-discovery-replication': 'true',
      },
      body: typeof list === 'string' ? list : JSON.stringify({ replicationList: list }),
    });
  return { registry, clock, batch, base };
}

const instance = sampleInstance({ lastDirtyTimestamp: 5_000 });
const id = 'host:myapp:8080';

test('a batch answers one response per item, in order, with Eureka status codes', async (t) => {
  const { batch, registry } = await start(t);
  const response = await batch([
    {
      appName: 'MYAPP',
      id,
      lastDirtyTimestamp: 5_000,
      status: 'UP',
      overriddenStatus: 'UNKNOWN',
      action: 'Register',
      instanceInfo: instanceJson(instance),
    },
    { appName: 'MYAPP', id, lastDirtyTimestamp: 5_000, status: 'UP', action: 'Heartbeat' },
    { appName: 'MYAPP', id: 'unknown', action: 'Heartbeat' },
    { appName: 'MYAPP', id, status: 'OUT_OF_SERVICE', action: 'StatusUpdate' },
    { appName: 'MYAPP', id, status: 'UP', action: 'DeleteStatusOverride' },
    { appName: 'MYAPP', id: 'unknown', action: 'Cancel' },
    { appName: 'MYAPP', id, action: 'Explode' },
    'not an item',
  ]);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(await response.json(), {
    responseList: [
      { statusCode: 200 },
      { statusCode: 200 },
      { statusCode: 404 },
      { statusCode: 200 },
      { statusCode: 200 },
      { statusCode: 404 },
      { statusCode: 400 },
      { statusCode: 400 },
    ],
  });
  assert.equal(registry.getInstance('MYAPP', id)?.status, 'UP');
});

test('a replicated heartbeat older than the stored instance gets 409 with the stored instance', async (t) => {
  const { batch, registry } = await start(t);
  registry.register(instance);
  const response = await batch([
    { appName: 'MYAPP', id, lastDirtyTimestamp: 4_000, status: 'UP', action: 'Heartbeat' },
    { appName: 'MYAPP', id, lastDirtyTimestamp: 6_000, status: 'UP', action: 'Heartbeat' },
  ]);
  const { responseList } = (await response.json()) as {
    responseList: { statusCode: number; responseEntity?: Record<string, unknown> }[];
  };
  assert.equal(responseList[0]?.statusCode, 409);
  assert.equal(responseList[0]?.responseEntity?.instanceId, id);
  assert.equal(responseList[0]?.responseEntity?.lastDirtyTimestamp, '5000');
  assert.equal('instance' in (responseList[0]?.responseEntity ?? {}), false);
  assert.deepEqual(responseList[1], { statusCode: 404 });
});

test('a replicated register older than a recorded cancel is refused with 409 (no resurrection)', async (t) => {
  const { batch, registry } = await start(t);
  const register = {
    appName: 'MYAPP',
    id,
    lastDirtyTimestamp: 5_000,
    action: 'Register',
    instanceInfo: instanceJson(instance),
  };
  const cancel = { appName: 'MYAPP', id, lastDirtyTimestamp: 5_000, action: 'Cancel' };
  const first = await batch([cancel, register]);
  assert.deepEqual(await first.json(), {
    responseList: [{ statusCode: 404 }, { statusCode: 409 }],
  });
  assert.equal(registry.getInstance('MYAPP', id), null);
  const newer = instanceJson(sampleInstance({ lastDirtyTimestamp: 6_000 }));
  const second = await batch([{ ...register, lastDirtyTimestamp: 6_000, instanceInfo: newer }]);
  assert.deepEqual(await second.json(), { responseList: [{ statusCode: 200 }] });
  assert.equal(registry.getInstance('MYAPP', id)?.lastDirtyTimestamp, 6_000);
});

test('replicated items are applied without the replication listener re-sending them', async (t) => {
  const { batch, registry } = await start(t);
  const seen: boolean[] = [];
  registry.subscribe((change) => seen.push(change.isReplication));
  await batch([
    { appName: 'MYAPP', id, action: 'Register', instanceInfo: instanceJson(instance) },
    { appName: 'MYAPP', id, action: 'Cancel' },
  ]);
  assert.deepEqual(seen, [true, true]);
});

test('an item that throws gets a 500 entry and the rest still apply', async (t) => {
  const { batch, registry } = await start(t);
  await registry.close(); // register now throws REG_ERR_CLOSED
  const response = await batch([
    { appName: 'MYAPP', id, action: 'Register', instanceInfo: instanceJson(instance) },
    { appName: 'MYAPP', id, action: 'Cancel' },
  ]);
  assert.deepEqual(await response.json(), {
    responseList: [{ statusCode: 500 }, { statusCode: 404 }],
  });
});

test('bad batch bodies are 4xx: not JSON, wrong shape, bad timestamps, too many items, too large', async (t) => {
  const { batch } = await start(t);
  assert.equal((await batch('{nope')).status, 400);
  assert.equal((await batch('{"replicationList":{}}')).status, 400);
  assert.equal((await batch(JSON.stringify([1, 2]))).status, 400);
  const badTimestamp = await batch([
    { appName: 'A', id: 'x', lastDirtyTimestamp: 'soon', action: 'Cancel' },
  ]);
  assert.deepEqual(await badTimestamp.json(), { responseList: [{ statusCode: 400 }] });
  const many = Array.from({ length: 1001 }, () => ({ appName: 'A', id: 'x', action: 'Cancel' }));
  assert.equal((await batch(many)).status, 400);
  const huge = JSON.stringify({ replicationList: [{ pad: 'x'.repeat(9 * 1024 * 1024) }] });
  assert.equal((await batch(huge)).status, 413);
});

test('the batch endpoint answers under /eureka/v2 and without the trailing slash', async (t) => {
  const { batch } = await start(t);
  assert.equal((await batch([], '/eureka/v2/peerreplication/batch')).status, 200);
  assert.equal((await batch([], '/eureka/peerreplication/batch')).status, 200);
});
