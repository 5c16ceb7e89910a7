import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fastify from 'fastify';
import { instanceJson } from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';
import { createEurekaRegistry } from '../../registry.js';
import type { EurekaRegistry } from '../../registry-types.js';
import type { PeerEndpoint } from '../../replication-types.js';
import { mountEurekaApi } from '../http/eureka-api.js';
import { parsePeerUrl } from './peers.js';
import { createPeerReplicator, type PeerReplicatorOptions } from './replicator.js';
import { Tombstones } from './tombstones.js';
import type { TransportRequest, TransportResponse } from './transport.js';

const peer = parsePeerUrl('http://u:pw@peer:8762/eureka/')!;
const id = (port: number) => `host:myapp:${port}`;

interface Sent {
  request: TransportRequest;
  items: { action: string; id: string; lastDirtyTimestamp?: number }[];
}

function setup(
  t: TestContext,
  answer: (sent: Sent) => TransportResponse | Promise<TransportResponse>,
  options: Partial<PeerReplicatorOptions> = {},
) {
  const registry = createEurekaRegistry({ evictionIntervalMs: 0 });
  const sent: Sent[] = [];
  const replicator = createPeerReplicator({
    registry,
    peers: [peer],
    batchDelayMs: 5,
    retryInitialMs: 5,
    retryMaxMs: 20,
    antiEntropyIntervalMs: 0,
    transport: async (request) => {
      const items =
        request.body === undefined
          ? []
          : (JSON.parse(request.body) as { replicationList: Sent['items'] }).replicationList;
      const entry = { request, items };
      sent.push(entry);
      return answer(entry);
    },
    ...options,
  });
  t.after(async () => {
    await replicator.close();
    await registry.close();
  });
  return { registry, replicator, sent };
}

const allOk = ({ items }: Sent): TransportResponse => ({
  status: 200,
  body: JSON.stringify({ responseList: items.map(() => ({ statusCode: 200 })) }),
});

const until = async (condition: () => boolean, timeoutMs = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

test('local writes are batched to each peer with the replication header and Basic credentials', async (t) => {
  const { registry, replicator, sent } = setup(t, allOk, { maxBatchSize: 3 });
  for (let port = 1; port <= 5; port += 1)
    registry.register(sampleInstance({ port: { port, enabled: true } }));
  registry.renew('MYAPP', id(1));
  registry.statusUpdate('MYAPP', id(2), 'OUT_OF_SERVICE');
  registry.deleteStatusOverride('MYAPP', id(2), 'UP');
  registry.cancel('MYAPP', id(3));
  await replicator.flush();
  const actions = sent.flatMap((s) => s.items.map((i) => `${i.action}:${i.id}`));
  assert.deepEqual(actions, [
    ...[1, 2, 3, 4, 5].map((port) => `Register:${id(port)}`),
    `Heartbeat:${id(1)}`,
    `StatusUpdate:${id(2)}`,
    `DeleteStatusOverride:${id(2)}`,
    `Cancel:${id(3)}`,
  ]);
  assert.ok(sent.every((s) => s.items.length <= 3));
  const { request } = sent[0]!;
  assert.equal(request.url, 'http://peer:8762/eureka/peerreplication/batch/');
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['x-netflix-discovery-replication'], 'true');
  assert.equal(request.headers.authorization, peer.authorization);
  assert.equal(replicator.peers()[0]?.isHealthy, true);
});

test('replicated changes are not replicated again', async (t) => {
  const { registry, replicator, sent } = setup(t, allOk);
  registry.register(sampleInstance(), { isReplication: true });
  registry.renew('MYAPP', id(8080), { isReplication: true });
  registry.cancel('MYAPP', id(8080), { isReplication: true });
  await replicator.flush();
  assert.equal(sent.length, 0);
});

test('a heartbeat answered 404 is followed by a Register of the local instance', async (t) => {
  const { registry, replicator, sent } = setup(t, ({ items }) => ({
    status: 200,
    body: JSON.stringify({
      responseList: items.map((item) => ({ statusCode: item.action === 'Heartbeat' ? 404 : 200 })),
    }),
  }));
  registry.register(sampleInstance(), { isReplication: true });
  registry.renew('MYAPP', id(8080));
  await replicator.flush();
  await until(() => sent.length === 2);
  assert.deepEqual(
    sent.map((s) => s.items.map((i) => i.action)),
    [['Heartbeat'], ['Register']],
  );
});

test('a heartbeat answered 409 applies the peer instance locally', async (t) => {
  const newer = sampleInstance({ lastDirtyTimestamp: 9_000, metadata: { zone: 'b' } });
  const { registry, replicator } = setup(t, () => ({
    status: 200,
    body: JSON.stringify({
      responseList: [{ statusCode: 409, responseEntity: instanceJson(newer) }],
    }),
  }));
  registry.register(sampleInstance({ lastDirtyTimestamp: 1_000 }), { isReplication: true });
  registry.renew('MYAPP', id(8080));
  await replicator.flush();
  await until(() => registry.getInstance('MYAPP', id(8080))?.lastDirtyTimestamp === 9_000);
  assert.deepEqual(registry.getInstance('MYAPP', id(8080))?.metadata, { zone: 'b' });
});

test('transient failures are retried with backoff until the peer answers', async (t) => {
  let calls = 0;
  const { registry, replicator, sent } = setup(t, (entry) => {
    calls += 1;
    if (calls === 1)
      throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    if (calls === 2) return { status: 503, body: '' };
    return allOk(entry);
  });
  registry.register(sampleInstance());
  await until(() => calls >= 1);
  await until(() => replicator.peers()[0]?.lastError === 'ECONNREFUSED' || calls >= 2);
  await until(() => calls === 3 && replicator.peers()[0]?.isHealthy === true);
  assert.ok(sent.every((s) => s.items.length === 1 && s.items[0]?.action === 'Register'));
  assert.equal(replicator.peers()[0]?.queued, 0);
});

test('a permanent rejection drops the batch and a full queue drops the oldest tasks', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const { registry, replicator, sent } = setup(
    t,
    async (entry) => {
      await gate;
      return sent.length === 1 ? { status: 400, body: '' } : allOk(entry);
    },
    { maxQueueSize: 2, maxBatchSize: 1 },
  );
  registry.register(sampleInstance({ port: { port: 1, enabled: true } }));
  await until(() => sent.length === 1); // port 1 in flight
  for (let port = 2; port <= 5; port += 1)
    registry.register(sampleInstance({ port: { port, enabled: true } }));
  assert.equal(replicator.peers()[0]?.dropped, 2);
  release();
  await replicator.flush();
  await until(() => sent.length === 3);
  assert.deepEqual(
    sent.map((s) => s.items[0]?.id),
    [id(1), id(4), id(5)],
  );
});

async function server(t: TestContext, registry: EurekaRegistry, tombstones: Tombstones) {
  const app = fastify();
  await mountEurekaApi(app, { registry, tombstones });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  return parsePeerUrl(`${base}/eureka/`) as PeerEndpoint;
}

test('two real servers replicate to each other over HTTP and a late peer syncs at start-up', async (t) => {
  const a = createEurekaRegistry({ evictionIntervalMs: 0 });
  const b = createEurekaRegistry({ evictionIntervalMs: 0 });
  const aTomb = new Tombstones({ now: () => Date.now() }, 60_000);
  const bTomb = new Tombstones({ now: () => Date.now() }, 60_000);
  const aUrl = await server(t, a, aTomb);
  const bUrl = await server(t, b, bTomb);
  const common = { batchDelayMs: 5, antiEntropyIntervalMs: 0 };
  const ra = createPeerReplicator({ registry: a, peers: [bUrl], tombstones: aTomb, ...common });
  const rb = createPeerReplicator({ registry: b, peers: [aUrl], tombstones: bTomb, ...common });
  t.after(async () => {
    await Promise.all([ra.close(), rb.close(), a.close(), b.close()]);
  });
  a.register(sampleInstance({ port: { port: 1, enabled: true } }));
  b.register(sampleInstance({ port: { port: 2, enabled: true } }));
  await Promise.all([ra.flush(), rb.flush()]);
  a.statusUpdate('MYAPP', id(2), 'OUT_OF_SERVICE');
  b.cancel('MYAPP', id(1));
  await Promise.all([ra.flush(), rb.flush()]);
  for (const registry of [a, b]) {
    const instances = registry.getApplications().applications.flatMap((app) => app.instances);
    assert.deepEqual(
      instances.map((i) => `${i.instanceId}:${i.status}`),
      [`${id(2)}:OUT_OF_SERVICE`],
    );
  }

  const c = createEurekaRegistry({ evictionIntervalMs: 0 });
  const rc = createPeerReplicator({ registry: c, peers: [aUrl, bUrl], ...common });
  t.after(async () => {
    await rc.close();
    await c.close();
  });
  assert.equal(await rc.syncFromPeers(), 2);
  assert.equal(c.getInstance('MYAPP', id(2))?.status, 'OUT_OF_SERVICE');
  assert.equal(c.getInstance('MYAPP', id(1)), null);
  assert.deepEqual(
    rc.peers().map((p) => p.syncedInstances),
    [1, 1],
  );
});

test('anti-entropy pushes instances the peer lacks, but not ones it cancelled', async (t) => {
  const a = createEurekaRegistry({ evictionIntervalMs: 0 });
  const b = createEurekaRegistry({ evictionIntervalMs: 0 });
  const bTomb = new Tombstones({ now: () => Date.now() }, 60_000);
  const bUrl = await server(t, b, bTomb);
  const ra = createPeerReplicator({
    registry: a,
    peers: [bUrl],
    batchDelayMs: 5,
    antiEntropyIntervalMs: 0,
    antiEntropyGraceMs: 0,
  });
  t.after(async () => {
    await Promise.all([ra.close(), a.close(), b.close()]);
  });
  // Written "as replication" on A, so only anti-entropy can bring them to B.
  a.register(sampleInstance({ port: { port: 1, enabled: true } }), { isReplication: true });
  a.register(sampleInstance({ port: { port: 2, enabled: true } }), { isReplication: true });
  bTomb.record('MYAPP', id(2), a.getInstance('MYAPP', id(2))!.lastDirtyTimestamp);
  await ra.antiEntropy();
  await ra.flush();
  assert.notEqual(b.getInstance('MYAPP', id(1)), null);
  assert.equal(b.getInstance('MYAPP', id(2)), null);
});

test('a peer that never answers does not block the start-up sync of a standalone-like server', async (t) => {
  const { replicator } = setup(t, () => {
    throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  });
  assert.equal(await replicator.syncFromPeers(), 0);
  assert.equal(replicator.peers()[0]?.syncedInstances, null);
  assert.equal(replicator.peers()[0]?.isHealthy, false);
});
