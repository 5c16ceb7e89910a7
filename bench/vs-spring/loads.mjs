// The loads of the side-by-side run and the state each needs on every server before it is
// measured (a fresh burst of registrations in the delta, or a delta aged down to 10 changes).
import { cyclingPutScript, wrkScript } from './wrk.mjs';
import { countInstances, registerAll, waitForCount } from './fleet.mjs';

const JSON_ACCEPT = { Accept: 'application/json' };
const GZIP = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };

/**
 * Registry loads, in the order a round runs them. `setup` prepares all servers at once, before
 * the first load of a run of loads with the same setup.
 */
export function registryLoads() {
  return [
    { name: 'full', label: 'GET /eureka/apps JSON', path: '/eureka/apps/', headers: JSON_ACCEPT },
    {
      name: 'full-gzip',
      label: 'GET /eureka/apps JSON, gzip',
      path: '/eureka/apps/',
      headers: GZIP,
    },
    {
      name: 'heartbeat',
      label: 'heartbeat PUT ?status=UP&lastDirtyTimestamp',
      heartbeat: true,
    },
    {
      name: 'delta-steady',
      label: 'GET /eureka/apps/delta, steady (10 changes)',
      path: '/eureka/apps/delta',
      headers: JSON_ACCEPT,
      setup: 'steady',
    },
    {
      name: 'delta-steady-gzip',
      label: 'delta, steady, gzip',
      path: '/eureka/apps/delta',
      headers: GZIP,
      setup: 'steady',
    },
    { name: 'visibility', label: 'a registration visible in the delta (ms)', visibility: true },
    {
      name: 'delta-burst',
      label: 'GET /eureka/apps/delta just after N registrations',
      path: '/eureka/apps/delta',
      headers: JSON_ACCEPT,
      setup: 'burst',
    },
    {
      name: 'delta-burst-gzip',
      label: 'delta just after N registrations, gzip',
      path: '/eureka/apps/delta',
      headers: GZIP,
      setup: 'burst',
    },
  ];
}

/** wrk scripts: a plain GET, and the fleet's heartbeats in a cycle. */
export async function registryScripts(fleet) {
  return {
    get: await wrkScript('get'),
    heartbeat: await wrkScript(
      `heartbeat-${fleet.length}`,
      cyclingPutScript(fleet.map((m) => m.heartbeatPath)),
    ),
  };
}

/**
 * A delta of exactly `changes` instances on every server: waits until the earlier changes
 * have left each delta (retention plus the purge timer, plus the read-only cache interval),
 * then registers `changes` fleet members again and waits until each delta shows them.
 */
export async function steadyDelta(servers, fleet, { changes = 10, timeoutMs }) {
  await Promise.all(
    servers.map((s) => waitForCount(s.origin, '/eureka/apps/delta', (n) => n === 0, timeoutMs)),
  );
  const step = Math.max(1, Math.floor(fleet.length / changes));
  const members = Array.from({ length: changes }, (_, i) => fleet[i * step]);
  await Promise.all(servers.map((s) => registerAll(s.origin, members, 4)));
  await Promise.all(
    servers.map((s) =>
      waitForCount(s.origin, '/eureka/apps/delta', (n) => n === changes, timeoutMs),
    ),
  );
}

/** Registers the whole fleet again on every server; waits until each delta holds all of it. */
export async function burstDelta(servers, fleet, { timeoutMs }) {
  await Promise.all(servers.map((s) => registerAll(s.origin, fleet, 16)));
  await Promise.all(
    servers.map((s) =>
      waitForCount(s.origin, '/eureka/apps/delta', (n) => n >= fleet.length, timeoutMs),
    ),
  );
}

/**
 * Time from a registration's 204 to the instance in the delta clients fetch, then the same
 * for its cancel; per server, all servers at once.
 */
export async function visibility(servers, probe, { timeoutMs }) {
  return Promise.all(
    servers.map(async (s) => {
      const before = await countInstances(s.origin, '/eureka/apps/');
      await registerAll(s.origin, [probe], 1);
      const seen = await waitForText(s.origin, probe.id, true, timeoutMs);
      const cancel = await fetch(`${s.origin}/eureka/apps/${probe.app}/${probe.id}`, {
        method: 'DELETE',
      });
      await cancel.arrayBuffer();
      await waitForCount(s.origin, '/eureka/apps/', (n) => n === before, timeoutMs);
      return { server: s.label, registerVisibleMs: seen };
    }),
  );
}

async function waitForText(origin, text, present, timeoutMs) {
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${origin}/eureka/apps/delta`, { headers: JSON_ACCEPT });
    const body = await response.text();
    if (body.includes(text) === present) return performance.now() - started;
    if (performance.now() - started > timeoutMs)
      throw new Error(`${origin}: ${text} not ${present ? 'shown' : 'gone'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
