#!/usr/bin/env node
// Registry benchmark (issue 3, bench/README.md): N registered instances heartbeating at their real
// rate (30 s interval spread evenly: 10,000 instances ⇒ ~333 heartbeats/s), simulated clients over
// loopback HTTP with bounded concurrency. Measures full and delta fetch latency (p50/p99) and size
// (JSON, gzip and plain), heartbeats/s handled, the registry's resident memory and CPU at steady
// state (/proc/<pid> of the child). Runs the same scenario against the current working tree and
// against the skeleton's first registry (git commit ce4f49e, built in a temporary `git worktree`),
// one after the other in one run, prints one table and writes bench/results/registry.json.
//
// Usage: node bench/registry/run.mjs [--instances=10000] [--apps=100] [--duration=30]
//          [--interval=30] [--concurrency=64] [--retention=10] [--churn=2] [--fetch-every-ms=250]
//          [--baseline=ce4f49e] [--only=current|baseline] [--keep-worktree] [--out=registry.json]
// --duration is the measured steady state in seconds: the first half heartbeats only (CPU,
// memory), the second half adds fetch sampling. Before it, a warm-up of --retention + 2 s lets
// the registration burst leave the delta queue (retention-time-in-m-s-in-delta-queue is set to
// --retention on both servers, so the delta holds only the --churn re-registrations per second).
import { execFileSync, fork } from 'node:child_process';
import {
  mkdtemp,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { rssBytes } from '../load.mjs';
import { fleetInstance } from '../vs-spring/fleet.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const has = (name) => process.argv.includes(`--${name}`);
const opts = {
  instances: Number(flag('instances', 10_000)),
  apps: Number(flag('apps', 100)),
  durationS: Number(flag('duration', 30)),
  intervalS: Number(flag('interval', 30)),
  concurrency: Number(flag('concurrency', 64)),
  retentionS: Number(flag('retention', 10)),
  churnPerS: Number(flag('churn', 2)),
  fetchEveryMs: Number(flag('fetch-every-ms', 250)),
  baseline: flag('baseline', 'ce4f49e'),
  only: flag('only', ''),
  out: flag('out', 'registry.json'),
};
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const freePort = () =>
  new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
const cpuTicks = async (pid) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
};

/** A Spring-client-like register body (spring-wire.md §1.4), leases of 3 heartbeat intervals. */
const instanceBody = (i, dirty) =>
  fleetInstance(i, {
    apps: opts.apps,
    dirty,
    renewalIntervalS: opts.intervalS,
    durationS: opts.intervalS * 3,
  });

/** Prepares the baseline: a detached worktree of `commit` with node_modules linked, registry built. */
async function prepareBaseline(commit) {
  const dir = await mkdtemp(join(tmpdir(), `stratus-registry-${commit}-`));
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', '--force', dir, commit], {
    stdio: 'ignore',
  });
  // node_modules: every third-party entry links to the current install; @stratus/* are
  // recreated with the same relative targets so they resolve to the worktree's own packages.
  await mkdir(join(dir, 'node_modules/@stratus'), { recursive: true });
  for (const entry of await readdir(join(ROOT, 'node_modules'))) {
    if (entry === '@stratus') continue;
    await symlink(join(ROOT, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  for (const entry of await readdir(join(ROOT, 'node_modules/@stratus'))) {
    const target = await readlink(join(ROOT, 'node_modules/@stratus', entry));
    await symlink(target, join(dir, 'node_modules/@stratus', entry));
  }
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/registry'],
    { cwd: dir, stdio: 'inherit' },
  );
  const remove = async () => {
    if (has('keep-worktree')) return console.log(`baseline worktree kept at ${dir}`);
    try {
      execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', dir], { stdio: 'ignore' });
    } catch {
      // removed below; prune drops the stale entry
    }
    await rm(dir, { recursive: true, force: true });
    execFileSync('git', ['-C', ROOT, 'worktree', 'prune'], { stdio: 'ignore' });
  };
  return { entry: join(dir, 'packages/registry/dist/index.js'), remove };
}

async function startRegistryChild(entry) {
  const port = await freePort();
  const child = fork(
    fileURLToPath(new URL('./server.mjs', import.meta.url)),
    [
      entry,
      String(port),
      `--eureka.server.retention-time-in-m-s-in-delta-queue=${opts.retentionS * 1000}`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  await new Promise((done, fail) => {
    child.once('message', done);
    child.once('exit', (code) => fail(new Error(`registry exited with ${code}`)));
  });
  const stop = () =>
    new Promise((done) => {
      if (child.exitCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => (clearTimeout(timer), done()));
      child.kill('SIGTERM');
    });
  return { pid: child.pid, origin: `http://127.0.0.1:${port}`, stop };
}

/** Polls the delta until `id` is (or is no longer) in it; the elapsed ms. */
async function untilInDelta(fetchPool, id, present, startedAt) {
  for (;;) {
    const { body } = await fetchPool.request({
      method: 'GET',
      path: '/eureka/apps/delta',
      headers: { accept: 'application/json' },
    });
    if ((await body.text()).includes(id) === present) return performance.now() - startedAt;
    if (performance.now() - startedAt > 60_000) throw new Error(`${id} not visible in 60 s`);
    await sleep(5);
  }
}

/**
 * The time a client polling the delta needs to see a change, while heartbeats go on: from a
 * register's answer to the new instance in the delta, and from a status override's answer to
 * its DOWN (median of `samples`). A new id each time: the probes are not fleet members.
 */
async function changeVisibility(fetchPool, register, instances, samples = 5) {
  const registerMs = [];
  const overrideMs = [];
  for (let n = 0; n < samples; n++) {
    const probe = { i: instances + 1 + n, dirty: Date.now() };
    const { app, id } = instanceBody(probe.i, probe.dirty);
    let started = performance.now();
    await register(probe);
    registerMs.push(await untilInDelta(fetchPool, id, true, started));
    started = performance.now();
    const { body } = await fetchPool.request({
      method: 'PUT',
      path: `/eureka/apps/${app}/${encodeURIComponent(id)}/status?value=DOWN&lastDirtyTimestamp=${probe.dirty}`,
    });
    await body.dump();
    overrideMs.push(await untilStatus(fetchPool, id, 'DOWN', started));
  }
  registerMs.sort((a, b) => a - b);
  overrideMs.sort((a, b) => a - b);
  return { registerMs: pct(registerMs, 50), overrideMs: pct(overrideMs, 50) };
}

/** Polls the delta until the instance `id` shows `status`. */
async function untilStatus(fetchPool, id, status, startedAt) {
  for (;;) {
    const { body } = await fetchPool.request({
      method: 'GET',
      path: '/eureka/apps/delta',
      headers: { accept: 'application/json' },
    });
    const apps = JSON.parse(await body.text()).applications.application;
    const found = apps.flatMap((a) => a.instance).find((i) => i.instanceId === id);
    if (found?.status === status) return performance.now() - startedAt;
    if (performance.now() - startedAt > 60_000) throw new Error(`${id} not ${status} in 60 s`);
    await sleep(5);
  }
}

/** The dashboard at `/` while heartbeats go on: p50/p99 of `samples` GETs, and its size. */
async function dashboardLatency(fetchPool, samples = 20) {
  const latencies = [];
  let bytes = 0;
  for (let n = 0; n < samples; n++) {
    const started = performance.now();
    const { statusCode, body } = await fetchPool.request({ method: 'GET', path: '/' });
    bytes = (await body.arrayBuffer()).byteLength;
    if (statusCode !== 200) throw new Error(`dashboard answered ${statusCode}`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { p50Ms: pct(latencies, 50), p99Ms: pct(latencies, 99), bytes };
}

/** One full scenario against one registry build. */
async function scenario(label, entry) {
  console.log(`\n[${label}] starting registry (${entry})`);
  const server = await startRegistryChild(entry);
  const pool = new Pool(server.origin, { connections: opts.concurrency, pipelining: 1 });
  const fetchPool = new Pool(server.origin, { connections: 1 });
  try {
    const instances = Array.from({ length: opts.instances }, (_, i) => ({ i, dirty: Date.now() }));
    const register = async (inst) => {
      const { app, body } = instanceBody(inst.i, inst.dirty);
      const { statusCode, body: res } = await pool.request({
        method: 'POST',
        path: `/eureka/apps/${app}`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
      });
      await res.dump();
      if (statusCode !== 204) throw new Error(`register answered ${statusCode}`);
    };

    // 1. Register everything with bounded concurrency.
    const regStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < instances.length) await register(instances[next++]);
      }),
    );
    const registerMs = performance.now() - regStarted;
    console.log(`[${label}] registered ${opts.instances} in ${(registerMs / 1000).toFixed(1)} s`);

    // 2. Heartbeats at the real rate, evenly spread, bounded in-flight; plus churn.
    const hb = {
      sent: 0,
      ok: 0,
      notFound: 0,
      errors: 0,
      latencies: [],
      maxBacklog: 0,
      inFlight: 0,
    };
    let measuring = false;
    const heartbeat = async (inst) => {
      const { app, id } = instanceBody(inst.i, inst.dirty);
      const t0 = performance.now();
      hb.inFlight++;
      try {
        const { statusCode, body } = await pool.request({
          method: 'PUT',
          path: `/eureka/apps/${app}/${encodeURIComponent(id)}?status=UP&lastDirtyTimestamp=${inst.dirty}`,
          headers: { accept: 'application/json' },
        });
        await body.dump();
        if (statusCode === 200) hb.ok++;
        else if (statusCode === 404) {
          hb.notFound++;
          await register(inst); // what a real client does (spring-wire.md §1.5)
        } else hb.errors++;
      } catch {
        hb.errors++;
      } finally {
        hb.inFlight--;
        if (measuring) hb.latencies.push(performance.now() - t0);
      }
    };
    const hbStart = performance.now();
    const intervalMs = opts.intervalS * 1000;
    let due = 0;
    let running = true;
    const ticker = (async () => {
      while (running) {
        const shouldHave = Math.floor(
          ((performance.now() - hbStart) / intervalMs) * opts.instances,
        );
        while (due < shouldHave && hb.inFlight < opts.concurrency * 4) {
          void heartbeat(instances[due % opts.instances]);
          due++;
          hb.sent++;
        }
        hb.maxBacklog = Math.max(hb.maxBacklog, shouldHave - due);
        await sleep(10);
      }
    })();
    const churner = (async () => {
      if (opts.churnPerS <= 0) return;
      while (running) {
        await sleep(1000 / opts.churnPerS);
        const inst = instances[Math.floor(Math.random() * instances.length)];
        const { app, id } = instanceBody(inst.i, inst.dirty);
        const { body } = await pool.request({
          method: 'DELETE',
          path: `/eureka/apps/${app}/${encodeURIComponent(id)}`,
        });
        await body.dump();
        inst.dirty = Date.now();
        await register(inst);
      }
    })();

    const warmupMs = opts.retentionS * 1000 + 2000;
    console.log(
      `[${label}] warm-up ${(warmupMs / 1000).toFixed(0)} s, then ${opts.durationS} s measured`,
    );
    await sleep(warmupMs);

    // 3a. Steady state: heartbeats (and churn) only: CPU, memory, heartbeat rate.
    const halfMs = (opts.durationS * 1000) / 2;
    measuring = true;
    const okAtStart = hb.ok;
    const ticks0 = await cpuTicks(server.pid);
    const t0 = performance.now();
    const rss = [];
    while (performance.now() - t0 < halfMs) {
      rss.push(await rssBytes(server.pid));
      await sleep(1000);
    }
    const steadyS = (performance.now() - t0) / 1000;
    const cpuPercent = (((await cpuTicks(server.pid)) - ticks0) / CLK_TCK / steadyS) * 100;
    const heartbeatsPerS = (hb.ok - okAtStart) / steadyS;
    rss.sort((a, b) => a - b);

    // 3b. Fetch sampling (one fetch at a time) while heartbeats continue.
    const kinds = {
      'full json': { path: '/eureka/apps/', gzip: false },
      'full json+gzip': { path: '/eureka/apps/', gzip: true },
      'delta json': { path: '/eureka/apps/delta', gzip: false },
      'delta json+gzip': { path: '/eureka/apps/delta', gzip: true },
    };
    const fetches = Object.fromEntries(
      Object.keys(kinds).map((k) => [k, { latencies: [], bytes: [], errors: 0 }]),
    );
    const t1 = performance.now();
    let fullInstances = null;
    let deltaInstances = null;
    while (performance.now() - t1 < halfMs) {
      for (const [kind, k] of Object.entries(kinds)) {
        const start = performance.now();
        try {
          const { statusCode, body } = await fetchPool.request({
            method: 'GET',
            path: k.path,
            headers: {
              accept: 'application/json',
              'accept-encoding': k.gzip ? 'gzip' : 'identity',
            },
          });
          const buffer = Buffer.from(await body.arrayBuffer());
          const ms = performance.now() - start;
          if (statusCode !== 200) fetches[kind].errors++;
          else {
            fetches[kind].latencies.push(ms);
            fetches[kind].bytes.push(buffer.length);
            if (!k.gzip) {
              const apps = JSON.parse(buffer.toString()).applications.application;
              const count = apps.reduce((n, a) => n + a.instance.length, 0);
              if (kind.startsWith('full')) fullInstances = count;
              else deltaInstances = count;
            }
          }
        } catch {
          fetches[kind].errors++;
        }
      }
      await sleep(opts.fetchEveryMs);
    }
    const visible = await changeVisibility(fetchPool, register, opts.instances);
    const dashboard = await dashboardLatency(fetchPool);
    const rssEnd = await rssBytes(server.pid);
    running = false;
    await ticker;
    await churner.catch(() => undefined);
    hb.latencies.sort((a, b) => a - b);
    const fetchSummary = Object.fromEntries(
      Object.entries(fetches).map(([kind, f]) => {
        const sorted = [...f.latencies].sort((a, b) => a - b);
        const bytes = [...f.bytes].sort((a, b) => a - b);
        return [
          kind,
          {
            samples: sorted.length,
            errors: f.errors,
            p50Ms: pct(sorted, 50),
            p99Ms: pct(sorted, 99),
            medianBytes: pct(bytes, 50),
          },
        ];
      }),
    );
    return {
      label,
      entry,
      registerMs,
      registerPerS: opts.instances / (registerMs / 1000),
      heartbeatsPerS,
      heartbeatTargetPerS: opts.instances / opts.intervalS,
      heartbeat: {
        sent: hb.sent,
        ok: hb.ok,
        notFound: hb.notFound,
        errors: hb.errors,
        p50Ms: pct(hb.latencies, 50),
        p99Ms: pct(hb.latencies, 99),
        maxBacklog: hb.maxBacklog,
      },
      cpuPercent,
      rssMedianBytes: pct(rss, 50),
      rssMaxBytes: rss.at(-1) ?? 0,
      rssEndBytes: rssEnd,
      fullInstances,
      deltaInstances,
      fetch: fetchSummary,
      visible,
      dashboard,
    };
  } finally {
    await pool.close().catch(() => undefined);
    await fetchPool.close().catch(() => undefined);
    await server.stop();
  }
}

// Current build: rebuild when it compiles, otherwise measure the existing dist.
const currentEntry = resolve(ROOT, 'packages/registry/dist/index.js');
let currentNote = '';
if (opts.only !== 'baseline') {
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'packages/registry'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  } catch {
    currentNote = 'packages/registry did not compile; measured the existing dist';
    console.warn(`warning: ${currentNote}`);
  }
}
const gitHead = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
const dirty =
  execFileSync('git', ['-C', ROOT, 'status', '--porcelain', 'packages/registry'])
    .toString()
    .trim() !== '';
const results = [];
let baseline = null;
try {
  if (opts.only !== 'current') {
    console.log(`preparing baseline ${opts.baseline} (git worktree + tsc -b packages/registry)`);
    baseline = await prepareBaseline(opts.baseline);
    results.push(await scenario(`skeleton ${opts.baseline}`, baseline.entry));
  }
  if (opts.only !== 'baseline')
    results.push(await scenario(`current ${gitHead}${dirty ? '+wt' : ''}`, currentEntry));
} finally {
  await baseline?.remove();
}

const mib = (b) => (b / 1024 / 1024).toFixed(1);
const kib = (b) => (b / 1024).toFixed(1);
const rows = [
  ['registrations/s', (r) => r.registerPerS.toFixed(0)],
  [
    `heartbeats/s handled (target ${(opts.instances / opts.intervalS).toFixed(0)})`,
    (r) => r.heartbeatsPerS.toFixed(1),
  ],
  [
    'heartbeat p50 / p99 ms',
    (r) => `${r.heartbeat.p50Ms.toFixed(2)} / ${r.heartbeat.p99Ms.toFixed(2)}`,
  ],
  [
    'heartbeat 404 / errors / max backlog',
    (r) => `${r.heartbeat.notFound} / ${r.heartbeat.errors} / ${r.heartbeat.maxBacklog}`,
  ],
  ['registry CPU % (heartbeats only)', (r) => r.cpuPercent.toFixed(1)],
  ['registry RSS MiB (median / end)', (r) => `${mib(r.rssMedianBytes)} / ${mib(r.rssEndBytes)}`],
  ...['full json', 'full json+gzip', 'delta json', 'delta json+gzip'].flatMap((kind) => [
    [
      `${kind} p50 / p99 ms`,
      (r) => `${r.fetch[kind].p50Ms.toFixed(1)} / ${r.fetch[kind].p99Ms.toFixed(1)}`,
    ],
    [`${kind} size KiB`, (r) => kib(r.fetch[kind].medianBytes)],
  ]),
  ['fetch samples (each kind)', (r) => String(r.fetch['full json'].samples)],
  [
    'register / override visible in delta ms',
    (r) => `${r.visible.registerMs.toFixed(0)} / ${r.visible.overrideMs.toFixed(0)}`,
  ],
  [
    'dashboard / p50 / p99 ms, KiB',
    (r) =>
      `${r.dashboard.p50Ms.toFixed(1)} / ${r.dashboard.p99Ms.toFixed(1)}, ${kib(r.dashboard.bytes)}`,
  ],
  ['instances in full / delta', (r) => `${r.fullInstances} / ${r.deltaInstances}`],
];
const width = Math.max(...rows.map(([name]) => name.length));
const colWidth = Math.max(24, ...results.map((r) => r.label.length + 2));
console.log(
  `\nregistry: ${opts.instances} instances in ${opts.apps} apps, heartbeat every ${opts.intervalS} s, ` +
    `${opts.concurrency} connections, churn ${opts.churnPerS}/s, delta retention ${opts.retentionS} s, ${opts.durationS} s measured`,
);
console.log(
  `  ${'metric'.padEnd(width)}${results.map((r) => r.label.padStart(colWidth)).join('')}`,
);
for (const [name, value] of rows)
  console.log(`  ${name.padEnd(width)}${results.map((r) => value(r).padStart(colWidth)).join('')}`);
if (currentNote) console.log(`  note: ${currentNote}`);

await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`../results/${opts.out}`, import.meta.url),
  JSON.stringify(
    {
      when: new Date().toISOString(),
      node: process.version,
      head: gitHead,
      workingTreeChanged: dirty,
      options: opts,
      note: currentNote || undefined,
      results,
    },
    null,
    2,
  ),
);
