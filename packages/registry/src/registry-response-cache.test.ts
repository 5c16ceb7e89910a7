import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import fastify from 'fastify';
import fc from 'fast-check';
import { createManualClock, type ManualClock } from '@stratus/core';
import {
  applicationsToJson,
  applicationsToXml,
  instanceJson,
  type Applications,
  type InstanceStatus,
} from '@stratus/discovery';
import { sampleInstance } from '@stratus/discovery/testing';
import { mountEurekaApi } from './internal/http/eureka-api.js';
import { createReadOnlyResponseCache } from './internal/response-cache.js';
import { createEurekaRegistry } from './registry.js';
import type { EurekaRegistry } from './registry-types.js';

const INTERVAL_MS = 30_000;
const VIP = 'fleet';

interface Served {
  status: number;
  body: Buffer;
  etag: string;
  encoding: string | undefined;
}

/** A GET with raw bytes (fetch would decompress). */
function get(base: string, path: string, headers: Record<string, string>): Promise<Served> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks),
          etag: String(response.headers.etag ?? ''),
          encoding: response.headers['content-encoding'],
        }),
      );
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** `joinMaxBytes` 0 serves every body as its application fragments, streamed. */
async function start(t: TestContext, readOnly: boolean, joinMaxBytes?: number) {
  const clock = createManualClock(1_700_000_000_000);
  const registry = createEurekaRegistry({
    clock,
    evictionIntervalMs: 0,
    enableSelfPreservation: false,
    random: () => 0,
  });
  const snapshots = readOnly
    ? createReadOnlyResponseCache(registry, { updateIntervalMs: INTERVAL_MS, clock })
    : undefined;
  const app = fastify();
  await mountEurekaApi(app, { registry, clock, snapshots, payloadJoinMaxBytes: joinMaxBytes });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await registry.close();
  });
  return { clock, registry, base, snapshots };
}

const member = (i: number, overrides: Record<string, unknown> = {}) =>
  sampleInstance({
    app: `APP${i % 3}`,
    instanceId: `host:app${i % 3}:${9000 + i}`,
    port: { port: 9000 + i, enabled: true },
    vipAddress: VIP,
    lastDirtyTimestamp: 1_000,
    ...overrides,
  });
const appOf = (i: number) => `APP${i % 3}`;
const idOf = (i: number) => `host:app${i % 3}:${9000 + i}`;

type Command =
  | { kind: 'register'; i: number; status: InstanceStatus; meta: string }
  | { kind: 'cancel'; i: number }
  | { kind: 'override'; i: number; status: InstanceStatus }
  | { kind: 'delete-override'; i: number }
  | { kind: 'metadata'; i: number; meta: string }
  | { kind: 'heartbeat'; i: number }
  | { kind: 'expire-and-evict'; advanceMs: number }
  | { kind: 'replicate'; i: number; action: 'Register' | 'Cancel' | 'StatusUpdate' | 'Heartbeat' };

const index = fc.integer({ min: 0, max: 5 });
const status = fc.constantFrom<InstanceStatus>('UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE');
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('register' as const),
    i: index,
    status,
    meta: fc.constantFrom('a', 'b'),
  }),
  fc.record({ kind: fc.constant('cancel' as const), i: index }),
  fc.record({ kind: fc.constant('override' as const), i: index, status }),
  fc.record({ kind: fc.constant('delete-override' as const), i: index }),
  fc.record({ kind: fc.constant('metadata' as const), i: index, meta: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('heartbeat' as const), i: index }),
  fc.record({
    kind: fc.constant('expire-and-evict' as const),
    advanceMs: fc.integer({ min: 0, max: 100_000 }),
  }),
  fc.record({
    kind: fc.constant('replicate' as const),
    i: index,
    action: fc.constantFrom(
      'Register' as const,
      'Cancel' as const,
      'StatusUpdate' as const,
      'Heartbeat' as const,
    ),
  }),
);

async function apply(base: string, registry: EurekaRegistry, clock: ManualClock, command: Command) {
  switch (command.kind) {
    case 'register':
      registry.register(
        member(command.i, { status: command.status, metadata: { m: command.meta } }),
      );
      return;
    case 'cancel':
      registry.cancel(appOf(command.i), idOf(command.i));
      return;
    case 'override':
      registry.statusUpdate(appOf(command.i), idOf(command.i), command.status);
      return;
    case 'delete-override':
      registry.deleteStatusOverride(appOf(command.i), idOf(command.i), 'UP');
      return;
    case 'metadata':
      registry.updateMetadata(appOf(command.i), idOf(command.i), { n: command.meta });
      return;
    case 'heartbeat':
      registry.renew(appOf(command.i), idOf(command.i));
      return;
    case 'expire-and-evict':
      clock.advance(command.advanceMs);
      registry.evict();
      return;
    case 'replicate': {
      // A replicated heartbeat newer than the lease sets the peer's override (spring-wire §1.5).
      const item = {
        appName: appOf(command.i),
        id: idOf(command.i),
        lastDirtyTimestamp: command.action === 'Heartbeat' ? 2_000 : 1_000,
        status: 'DOWN',
        overriddenStatus: 'OUT_OF_SERVICE',
        action: command.action,
        ...(command.action === 'Register' ? { instanceInfo: instanceJson(member(command.i)) } : {}),
      };
      const response = await fetch(`${base}/eureka/peerreplication/batch/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-netflix-discovery-replication': 'true' },
        body: JSON.stringify({ replicationList: [item] }),
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
  }
}

const KEYS = [
  { path: '/eureka/apps/', kind: 'full' },
  { path: '/eureka/apps/delta', kind: 'delta' },
] as const;

/** Every key served equals a fresh rendering of `expected`; gzip and identity agree. */
async function assertServes(base: string, expected: { full: Applications; delta: Applications }) {
  for (const { path, kind } of KEYS) {
    for (const [accept, render] of [
      ['application/json', applicationsToJson],
      ['application/xml', applicationsToXml],
    ] as const) {
      const fresh = render(expected[kind]);
      const identity = await get(base, path, { accept, 'accept-encoding': 'identity' });
      assert.equal(identity.status, 200);
      assert.equal(identity.encoding, undefined);
      assert.equal(identity.body.toString(), fresh, `${kind} ${accept}`);
      const gzip = await get(base, path, { accept, 'accept-encoding': 'gzip, deflate' });
      assert.equal(gzip.encoding, 'gzip');
      assert.equal(gunzipSync(gzip.body).toString(), fresh, `${kind} ${accept} gzip`);
      assert.notEqual(gzip.etag, identity.etag);
    }
  }
}

/** The read model against the registry's uncached read path (VIP lookup), renewal times aside. */
function assertReadModelFresh(registry: EurekaRegistry) {
  const withoutRenewalTimes = (apps: Applications) =>
    apps.applications.map((app) => ({
      name: app.name,
      instances: app.instances.map((i) => ({
        ...i,
        leaseInfo: { ...i.leaseInfo, lastRenewalTimestamp: 0 },
      })),
    }));
  const cached = registry.getApplications();
  const fresh = registry.getByVip(VIP);
  assert.deepEqual(withoutRenewalTimes(cached), withoutRenewalTimes(fresh));
  assert.equal(cached.appsHashCode, fresh.appsHashCode);
  assert.equal(registry.getDelta().appsHashCode, fresh.appsHashCode);
}

test('every served key is byte-identical to a fresh rendering after every kind of change, also when streamed as fragments (fast-check)', async (t) => {
  const joined = await start(t, false);
  const streamed = await start(t, false, 0);
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { maxLength: 20 }), async (commands) => {
      for (const { clock, registry, base } of [joined, streamed]) {
        for (const i of [0, 1, 2, 3, 4, 5]) registry.cancel(appOf(i), idOf(i));
        for (const command of commands) {
          await apply(base, registry, clock, command);
          assertReadModelFresh(registry);
          await assertServes(base, {
            full: registry.getApplications(),
            delta: registry.getDelta(),
          });
        }
      }
    }),
    { numRuns: 30 },
  );
});

test('with the read-only cache every key is the fresh rendering of its snapshot, and of the registry once the interval has passed (fast-check)', async (t) => {
  const { clock, registry, base } = await start(t, true);
  let snapshot = {
    full: registry.getApplications(),
    delta: registry.getDelta(),
    atMs: clock.now(),
  };
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { maxLength: 15 }), async (commands) => {
      for (const command of commands) {
        await apply(base, registry, clock, command);
        if (clock.now() - snapshot.atMs >= INTERVAL_MS)
          snapshot = {
            full: registry.getApplications(),
            delta: registry.getDelta(),
            atMs: clock.now(),
          };
        await assertServes(base, snapshot);
      }
      clock.advance(INTERVAL_MS);
      snapshot = {
        full: registry.getApplications(),
        delta: registry.getDelta(),
        atMs: clock.now(),
      };
      await assertServes(base, snapshot);
    }),
    { numRuns: 25 },
  );
});

test('heartbeats never invalidate the cached bytes; a burst of registrations is encoded once', async (t) => {
  const { registry, base } = await start(t, false);
  const json = { accept: 'application/json' };
  registry.register(member(0));
  const first = await get(base, '/eureka/apps/', json);
  for (let n = 0; n < 20; n++) registry.renew(appOf(0), idOf(0));
  assert.equal((await get(base, '/eureka/apps/', json)).etag, first.etag);

  for (let i = 1; i <= 5; i++) registry.register(member(i));
  const after = await get(base, '/eureka/apps/', json);
  const again = await get(base, '/eureka/apps/', json);
  const serial = (etag: string) => Number(/-(\d+)"$/.exec(etag)?.[1]);
  assert.equal(again.etag, after.etag);
  assert.equal(serial(after.etag), serial(first.etag) + 1, 'five registrations, one encoding');
  assert.equal(
    (await get(base, '/eureka/apps/', { ...json, 'if-none-match': after.etag })).status,
    304,
  );
});

test('a change is served at once without the read-only cache, and exactly once the interval has passed with it', async (t) => {
  const rw = await start(t, false);
  const ro = await start(t, true);
  const json = { accept: 'application/json' };
  const count = async (base: string) =>
    (
      JSON.parse((await get(base, '/eureka/apps/', json)).body.toString()) as {
        applications: { application: unknown[] };
      }
    ).applications.application.length;
  for (const { registry } of [rw, ro]) registry.register(member(0));
  assert.equal(await count(rw.base), 1);
  assert.equal(await count(ro.base), 0);
  ro.clock.advance(INTERVAL_MS - 1);
  assert.equal(await count(ro.base), 0, 'the snapshot may be up to the interval old');
  ro.clock.advance(1);
  assert.equal(await count(ro.base), 1, 'never older than the interval');
});
