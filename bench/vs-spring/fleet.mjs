// The fleet both registries serve: N instances in A applications, registered through Eureka's
// REST API exactly as Spring's Java client registers (spring-wire.md §1.4), with 1-hour leases
// so nothing expires during a run. Same bodies, same ids, same lastDirtyTimestamp on every server.
import { Pool } from 'undici';

/**
 * One instance of the fleet: its app, id, register body and heartbeat path. The lease defaults
 * to 1 hour, renewed every 30 s; bench/registry passes its own heartbeat interval.
 */
export function fleetInstance(i, { apps, dirty, renewalIntervalS = 30, durationS = 3600 }) {
  const app = `BENCH-APP-${String(i % apps).padStart(3, '0')}`;
  const port = 10_000 + (i % 50_000);
  const host = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const id = `${host}:${app.toLowerCase()}:${port}`;
  const url = `http://${host}:${port}`;
  const body = JSON.stringify({
    instance: {
      instanceId: id,
      app,
      appGroupName: null,
      ipAddr: host,
      sid: 'na',
      homePageUrl: `${url}/`,
      statusPageUrl: `${url}/actuator/info`,
      healthCheckUrl: `${url}/actuator/health`,
      secureHealthCheckUrl: null,
      vipAddress: app.toLowerCase(),
      secureVipAddress: app.toLowerCase(),
      countryId: 1,
      dataCenterInfo: {
        '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo',
        name: 'MyOwn',
      },
      hostName: host,
      status: 'UP',
      overriddenStatus: 'UNKNOWN',
      leaseInfo: {
        renewalIntervalInSecs: renewalIntervalS,
        durationInSecs: durationS,
        registrationTimestamp: 0,
        lastRenewalTimestamp: 0,
        evictionTimestamp: 0,
        serviceUpTimestamp: 0,
      },
      isCoordinatingDiscoveryServer: false,
      lastUpdatedTimestamp: dirty,
      lastDirtyTimestamp: dirty,
      actionType: null,
      asgName: null,
      port: { $: port, '@enabled': 'true' },
      securePort: { $: 443, '@enabled': 'false' },
      metadata: { 'management.port': String(port) },
    },
  });
  const heartbeatPath = `/eureka/apps/${app}/${id}?status=UP&lastDirtyTimestamp=${dirty}`;
  return { app, id, body, heartbeatPath };
}

/** The whole fleet; `dirty` is shared so heartbeats match on every server. */
export function createFleet({ instances, apps }) {
  const dirty = Date.now();
  return Array.from({ length: instances }, (_, i) => fleetInstance(i, { apps, dirty }));
}

/** Registers `members` on `origin` with `concurrency` connections; every answer must be 204. */
export async function registerAll(origin, members, concurrency = 16) {
  const pool = new Pool(origin, { connections: concurrency });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < members.length) {
          const member = members[next++];
          const { statusCode, body } = await pool.request({
            method: 'POST',
            path: `/eureka/apps/${member.app}`,
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: member.body,
          });
          await body.dump();
          if (statusCode !== 204) throw new Error(`register on ${origin} answered ${statusCode}`);
        }
      }),
    );
  } finally {
    await pool.close();
  }
}

/** Instances in a registry document (`/apps` or `/apps/delta`, JSON), or -1 when not 200. */
export async function countInstances(origin, path) {
  const response = await fetch(`${origin}${path}`, { headers: { accept: 'application/json' } });
  if (response.status !== 200) return -1;
  const document = await response.json();
  return document.applications.application.reduce((n, app) => n + app.instance.length, 0);
}

/** Polls `path` until `accept(count)`; the elapsed ms, or throws after `timeoutMs`. */
export async function waitForCount(origin, path, accept, timeoutMs) {
  const started = performance.now();
  for (;;) {
    const count = await countInstances(origin, path);
    if (accept(count)) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${origin}${path}: ${count} instances after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
