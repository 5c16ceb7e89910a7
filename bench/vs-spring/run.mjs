#!/usr/bin/env node
// Stratus vs Spring, side by side in one run (bench/README.md): Spring Cloud's Eureka server and
// Config Server (Boot 4.0.7, Cloud 2025.1.4, built from Maven Central by build.sh, run on the
// machine's Java) next to Stratus's registry and config server. Every registry gets the same
// fleet through its REST API; both config servers read the same copy of config-repo/. Loads are
// wrk runs (one thread, fixed connections and duration, loopback only), warmed up on every
// server, then measured in interleaved rounds (server order reversed every round). Prints one
// table per fleet and read-only-cache mode, and writes bench/results/vs-spring.json.
//
// Usage: node bench/vs-spring/run.mjs [--instances=1000,10000] [--stratus-only=50000]
//   [--apps=100] [--modes=ro,rw] [--duration=12] [--warmup=30] [--rounds=2] [--connections=30]
//   [--retention-ms=N] [--loads=full,heartbeat,…] [--profile=<dir>] [--no-config] [--no-registry]
// --retention-ms sets the delta retention on every registry (and the purge timer to a tenth of
// it) for quick runs; the default keeps Eureka's 180 s / 30 s, as the issue's run did.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFleet, fleetInstance, registerAll, waitForCount } from './fleet.mjs';
import { burstDelta, registryLoads, registryScripts, steadyDelta, visibility } from './loads.mjs';
import { rssBytes, startServer } from './servers.mjs';
import { printConfigTable, printRegistryTable } from './report.mjs';
import { runWrk, wrkScript } from './wrk.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const list = (text) => (text === '' ? [] : text.split(',').map((v) => v.trim()));
const opts = {
  instances: list(flag('instances', '1000,10000')).map(Number),
  stratusOnly: list(flag('stratus-only', '')).map(Number),
  apps: Number(flag('apps', 100)),
  modes: list(flag('modes', 'ro,rw')),
  durationS: Number(flag('duration', 12)),
  warmupS: Number(flag('warmup', 30)),
  rounds: Number(flag('rounds', 2)),
  connections: Number(flag('connections', 30)),
  retentionMs: flag('retention-ms', '') === '' ? null : Number(flag('retention-ms', '')),
  loads: list(flag('loads', '')),
  profileDir: flag('profile', null),
  config: !process.argv.includes('--no-config'),
  registry: !process.argv.includes('--no-registry'),
};
// Spring's delta can keep purged changes until its read/write cache entry expires (180 s after
// the last change) and was reloaded just before a purge: up to about 6 minutes.
const WAIT_MS = 600_000;
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

async function measure(server, url, options) {
  const result = await runWrk(url, { connections: opts.connections, ...options });
  return { ...result, rssBytes: await rssBytes(server.pid) };
}

/** Runs wrk against every server for `seconds`, cycling through `loads`: JIT and caches warm. */
async function warmUp(servers, loads, scripts) {
  const gets = loads.filter((l) => l.path !== undefined || l.heartbeat);
  const each = Math.max(1, Math.round(opts.warmupS / gets.length));
  for (const server of servers)
    for (const l of gets)
      await runWrk(l.heartbeat ? `${server.origin}/` : `${server.origin}${l.path}`, {
        connections: opts.connections,
        durationS: each,
        script: l.heartbeat ? scripts.heartbeat : scripts.get,
        headers: l.headers,
      });
}

async function registryServers(instances, stratusOnly) {
  const servers = [];
  for (const mode of opts.modes) {
    const cacheFlag = `--eureka.server.use-read-only-response-cache=${mode === 'ro'}`;
    const kinds = stratusOnly ? ['stratus-registry'] : ['spring-eureka', 'stratus-registry'];
    for (const kind of kinds) {
      const label = `${kind.startsWith('spring') ? 'Spring' : 'Stratus'} ${mode}`;
      console.log(`[${instances}] starting ${label}`);
      const flags = [cacheFlag];
      if (opts.retentionMs !== null)
        flags.push(
          `--eureka.server.retention-time-in-m-s-in-delta-queue=${opts.retentionMs}`,
          `--eureka.server.delta-retention-timer-interval-in-ms=${Math.ceil(opts.retentionMs / 10)}`,
        );
      if (kind === 'spring-eureka') flags.push('--logging.level.root=warn');
      const profileDir = kind === 'spring-eureka' ? null : opts.profileDir;
      servers.push({
        mode,
        ...(await startServer({ label, kind, flags, readyPath: '/eureka/apps', profileDir })),
      });
    }
  }
  return servers;
}

/** One fleet size: start, seed, warm, then the rounds. */
async function registryRun(instances, stratusOnly) {
  const fleet = createFleet({ instances, apps: opts.apps });
  const probe = fleetInstance(instances, { apps: opts.apps, dirty: Date.now() });
  const servers = await registryServers(instances, stratusOnly);
  const results = [];
  try {
    for (const s of servers) {
      const t0 = performance.now();
      await registerAll(s.origin, fleet);
      s.registerPerS = instances / ((performance.now() - t0) / 1000);
      await waitForCount(s.origin, '/eureka/apps/', (n) => n === instances, WAIT_MS);
    }
    const loads = registryLoads().filter(
      (l) => opts.loads.length === 0 || opts.loads.includes(l.name),
    );
    const scripts = await registryScripts(fleet);
    console.log(`[${instances}] warm-up ${opts.warmupS} s per server (load ${load()})`);
    await warmUp(servers, loads, scripts);
    for (let round = 1; round <= opts.rounds; round++) {
      const order = round % 2 === 1 ? servers : [...servers].reverse();
      let prepared;
      for (const l of loads) {
        if (l.setup !== prepared && l.setup === 'steady')
          await steadyDelta(servers, fleet, { timeoutMs: WAIT_MS });
        if (l.setup !== prepared && l.setup === 'burst')
          await burstDelta(servers, fleet, { timeoutMs: WAIT_MS });
        prepared = l.setup;
        if (l.visibility) {
          for (const v of await visibility(order, probe, { timeoutMs: WAIT_MS }))
            results.push({ round, load: l.name, ...v });
          continue;
        }
        for (const s of order) {
          const url = l.heartbeat ? `${s.origin}/` : `${s.origin}${l.path}`;
          const script = l.heartbeat ? scripts.heartbeat : scripts.get;
          const r = await measure(s, url, {
            script,
            headers: l.headers,
            durationS: opts.durationS,
          });
          results.push({ round, load: l.name, server: s.label, loadavg: load(), ...r });
          console.log(
            `[${instances}] round ${round} ${l.name.padEnd(18)} ${s.label.padEnd(11)} ` +
              `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(1)} p99 ${r.p99Ms.toFixed(1)} ms` +
              `${r.errors > 0 ? `  errors ${JSON.stringify(r.errorKinds)}` : ''}  (load ${load()})`,
          );
        }
      }
    }
    const sizes = await payloadSizes(servers);
    const memory = await Promise.all(
      servers.map(async (s) => ({ server: s.label, rssBytes: await rssBytes(s.pid) })),
    );
    const registered = servers.map((s) => ({
      server: s.label,
      registerPerS: s.registerPerS,
      startMs: s.startMs,
    }));
    return { instances, apps: opts.apps, loads, results, sizes, memory, registered };
  } finally {
    for (const s of servers) await s.stop();
  }
}

/** Response sizes (identity and gzip) of the full registry on each server. */
async function payloadSizes(servers) {
  return Promise.all(
    servers.map(async (s) => {
      const sizeOf = async (encoding) => {
        const response = await fetch(`${s.origin}/eureka/apps/`, {
          headers: { accept: 'application/json', 'accept-encoding': encoding },
        });
        return Number(
          response.headers.get('content-length') ?? (await response.arrayBuffer()).byteLength,
        );
      };
      return {
        server: s.label,
        fullBytes: await sizeOf('identity'),
        fullGzipBytes: await sizeOf('gzip'),
      };
    }),
  );
}

/** The config servers on one copy of config-repo: GET /{app}/default, and an edit's visibility. */
async function configRun() {
  const work = await mkdtemp(join(tmpdir(), 'stratus-vs-spring-config-'));
  const repo = join(work, 'config-repo');
  await cp(join(ROOT, 'config-repo'), repo, { recursive: true });
  const location = `--spring.cloud.config.server.native.search-locations=file:${repo}/`;
  const common = ['--spring.profiles.active=native', location];
  const servers = [];
  const results = [];
  try {
    servers.push(
      await startServer({
        label: 'Spring',
        kind: 'spring-config',
        flags: common,
        readyPath: '/user-service/default',
      }),
      await startServer({
        label: 'Stratus',
        kind: 'stratus-config',
        flags: [...common, `--stratus.data-dir=${join(work, 'data')}`],
        readyPath: '/user-service/default',
        profileDir: opts.profileDir,
      }),
    );
    const script = await wrkScript('get');
    const path = '/user-service/default';
    for (const s of servers)
      await runWrk(`${s.origin}${path}`, {
        script,
        connections: opts.connections,
        durationS: opts.warmupS,
      });
    for (let round = 1; round <= opts.rounds; round++) {
      for (const s of round % 2 === 1 ? servers : [...servers].reverse()) {
        const r = await measure(s, `${s.origin}${path}`, { script, durationS: opts.durationS });
        results.push({ round, load: 'config', server: s.label, loadavg: load(), ...r });
        console.log(
          `[config] round ${round} ${s.label.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(1)} p99 ${r.p99Ms.toFixed(1)} ms (load ${load()})`,
        );
      }
      results.push(...(await editVisibility(servers, repo, round)));
    }
    const memory = await Promise.all(
      servers.map(async (s) => ({ server: s.label, rssBytes: await rssBytes(s.pid) })),
    );
    return { results, memory };
  } finally {
    for (const s of servers) await s.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Appends a key to user-service.yml and times until each server serves it. */
async function editVisibility(servers, repo, round) {
  const file = join(repo, 'user-service.yml');
  const original = await readFile(file, 'utf8');
  const marker = `bench-edit-${round}-${Date.now()}`;
  const started = performance.now();
  await writeFile(file, `${original}\nbench:\n  marker: ${marker}\n`);
  const seen = await Promise.all(
    servers.map(async (s) => {
      for (;;) {
        const body = await (await fetch(`${s.origin}/user-service/default`)).text();
        if (body.includes(marker))
          return {
            round,
            load: 'config-edit-visible',
            server: s.label,
            visibleMs: performance.now() - started,
          };
        if (performance.now() - started > WAIT_MS) throw new Error(`${s.label}: edit not served`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }),
  );
  await writeFile(file, original);
  return seen;
}

const head = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
const runs = [];
let config = null;
/** Writes what has been measured so far: a failure late in a long run keeps the rest. */
async function writeResults() {
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(
    join(ROOT, 'bench/results/vs-spring.json'),
    JSON.stringify(
      {
        when: new Date().toISOString(),
        node: process.version,
        head,
        options: opts,
        registry: runs,
        config,
      },
      null,
      2,
    ),
  );
}

console.log(`vs-spring: ${JSON.stringify(opts)}; load ${load()}`);
if (opts.registry) {
  for (const [n, stratusOnly] of [
    ...opts.instances.map((n) => [n, false]),
    ...opts.stratusOnly.map((n) => [n, true]),
  ]) {
    runs.push(await registryRun(n, stratusOnly));
    printRegistryTable(runs.at(-1), opts);
    await writeResults();
  }
}
if (opts.config) {
  config = await configRun();
  await writeResults();
}
for (const run of runs) printRegistryTable(run, opts);
if (config !== null) printConfigTable(config);
console.log('\nwrote bench/results/vs-spring.json');
