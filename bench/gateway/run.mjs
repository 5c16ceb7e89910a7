#!/usr/bin/env node
// The gateway side by side in one run (bench/README.md): the same upstream called directly,
// through the Stratus gateway with 1 worker and with the default worker count, nginx, a bare
// undici stream() proxy and Spring Cloud Gateway; a 982-byte JSON and a 100 KiB answer, with and
// without the JWT filter (Stratus and undici only: nginx-light and the Spring fixture have none).
// Every candidate is warmed up, then measured with wrk (one thread, fixed connections and
// duration, loopback only) in interleaved rounds (order reversed every round); CPU is the
// candidate's whole process tree over the run (100 % = one core), RSS its sum after the run.
// Prints a table and writes bench/results/gateway.json. With --profile=<dir>, a last run of the
// 1-worker gateway under --cpu-prof writes a profile there and prints its top frames.
//
// Usage: node bench/gateway/run.mjs [--duration=12] [--rounds=2] [--warmup=60]
//   [--connections=30]
//   [--only=direct,stratus-1,stratus-1-nocache,stratus-default,nginx,undici,spring]
//   [--loads=small,large,small+jwt,large+jwt] [--profile=<dir>] [--profile-load=small]
//   [--open-loop=0]
// After the rounds, an open-loop run (fixed rate, latency from each request's due time) at half
// the 1-worker gateway's measured requests/s, direct and through each candidate, gives the p99
// the gateway adds at half of saturation (the target: under 2 ms).
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { runWrk, wrkScript } from '../vs-spring/wrk.mjs';
import { runOpenLoopC } from './paced.mjs';
import {
  startNginx,
  startSpring,
  startStratus,
  startUndici,
  startUpstream,
  usage,
} from './candidates.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Every process started so far (each with stop()), stopped if the run is interrupted. */
const running = [];
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, async () => {
    console.error(`${signal}: stopping the candidates`);
    await Promise.allSettled(running.map((server) => server.stop()));
    process.exit(130);
  });
const flag = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const opts = {
  durationS: Number(flag('duration', 12)),
  rounds: Number(flag('rounds', 2)),
  warmupS: Number(flag('warmup', 60)),
  connections: Number(flag('connections', 30)),
  only: flag(
    'only',
    'direct,stratus-1,stratus-1-nocache,stratus-default,nginx,undici,spring',
  ).split(','),
  profileDir: flag('profile', null),
  loads: flag('loads', 'small,large,small+jwt,large+jwt').split(','),
  openLoop: flag('open-loop', '1') !== '0',
  profileLoad: flag('profile-load', 'small'),
  // Node/V8 options for the Stratus candidates only (space-separated), e.g. GC settings.
  stratusNodeOptions: (flag('stratus-node-options', '') ?? '').split(' ').filter(Boolean),
};
const SECRET = 'bench-gateway-secret-'.padEnd(64, 'x');
const LOADS = [
  { name: 'small', path: '/svc/small', jwt: false },
  { name: 'large', path: '/svc/large', jwt: false },
  { name: 'small+jwt', path: '/jwt/small', jwt: true },
  { name: 'large+jwt', path: '/jwt/large', jwt: true },
].filter((l) => opts.loads.includes(l.name));
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

async function bearer() {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS512' })
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(SECRET));
  return `Bearer ${token}`;
}

async function startAll(upstream) {
  const common = { origin: upstream.origin, secret: SECRET };
  const stratus = { ...common, nodeOptions: opts.stratusNodeOptions };
  const starters = {
    direct: async () => ({
      label: 'direct',
      url: upstream.origin,
      pid: upstream.pid,
      stop: async () => undefined,
      hasJwt: false,
      isDirect: true,
    }),
    'stratus-1': () => startStratus({ ...stratus, label: 'stratus-1', workers: 1 }),
    // The JWT loads with the verified-token cache off: a signature check on every request, as
    // the bare undici proxy does.
    'stratus-1-nocache': async () => ({
      ...(await startStratus({
        ...stratus,
        label: 'stratus-1-nocache',
        workers: 1,
        extraFlags: ['--stratus.gateway.jwt.cache-size=0'],
      })),
      jwtOnly: true,
    }),
    'stratus-default': () =>
      startStratus({ ...stratus, label: `stratus-${availableParallelism()}`, workers: null }),
    nginx: () => startNginx({ ...common, label: 'nginx' }),
    undici: () => startUndici({ ...common, label: 'undici' }),
    spring: () => startSpring({ ...common, label: 'spring-cloud-gateway' }),
  };
  const servers = [];
  for (const name of opts.only) {
    const started = await starters[name]();
    console.error(`started ${started.label} (${started.url}); load ${load()}`);
    servers.push(started);
    running.push(started);
  }
  return servers;
}

const urlOf = (server, l) =>
  `${server.url}${server.isDirect ? l.path.replace(/^\/\w+/, '') : l.path}`;
const appliesTo = (server, l) => (l.jwt ? server.hasJwt : !server.jwtOnly);

async function measure(server, l, script, headers) {
  const before = await usage(server.pid);
  const result = await runWrk(urlOf(server, l), {
    script,
    headers: l.jwt ? headers : {},
    connections: opts.connections,
    durationS: opts.durationS,
  });
  const after = await usage(server.pid);
  const threadsPercent = {};
  for (const [name, seconds] of Object.entries(after.threadSeconds)) {
    const percent = ((seconds - (before.threadSeconds[name] ?? 0)) / opts.durationS) * 100;
    if (percent >= 1) threadsPercent[name] = Math.round(percent);
  }
  return {
    ...result,
    cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / opts.durationS) * 100,
    threadsPercent,
    rssBytes: after.rssBytes,
  };
}

const threadsText = (threads) =>
  Object.entries(threads)
    .sort((a, b) => b[1] - a[1])
    .map(([name, percent]) => `${name} ${percent}`)
    .join(', ');

async function run(servers, headers) {
  const script = await wrkScript('gateway-get');
  for (const server of servers) {
    for (const l of LOADS.filter((x) => appliesTo(server, x)))
      await runWrk(urlOf(server, l), {
        script,
        headers: l.jwt ? headers : {},
        connections: opts.connections,
        durationS: Math.max(1, Math.round(opts.warmupS / 4)),
      });
    console.error(`warmed up ${server.label}; load ${load()}`);
  }
  const samples = [];
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const l of LOADS)
      for (const server of order.filter((s) => appliesTo(s, l))) {
        const result = await measure(server, l, script, headers);
        samples.push({ round, load: l.name, server: server.label, ...result });
        console.error(
          `round ${round + 1} ${l.name} ${server.label}: ${Math.round(result.rps)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, cpu ${Math.round(result.cpuPercent)} % (${threadsText(result.threadsPercent)}), errors ${result.errors}; load ${load()}`,
        );
      }
  }
  return samples;
}

/**
 * Each server at half the 1-worker gateway's saturated requests/s (mean of the rounds), open
 * loop, for every load the 1-worker gateway ran; the p99 it adds is its p99 minus direct's.
 */
async function openLoopRun(servers, samples, headers) {
  const results = [];
  const gateway = servers.find((s) => s.label === 'stratus-1');
  if (gateway === undefined) return results;
  for (const l of LOADS) {
    const measured = samples.filter((s) => s.server === gateway.label && s.load === l.name);
    if (measured.length === 0) continue;
    const ratePerS = Math.round(measured.reduce((sum, s) => sum + s.rps, 0) / measured.length / 2);
    for (const server of servers.filter((s) => appliesTo(s, l) || s.isDirect)) {
      const result = await runOpenLoopC(urlOf(server, l), {
        ratePerS,
        durationS: opts.durationS,
        connections: 64,
        headers: l.jwt && !server.isDirect ? headers : {},
      });
      results.push({ load: l.name, server: server.label, ...result });
      console.error(
        `open loop ${l.name} ${server.label} at ${ratePerS}/s: p50 ${result.p50Ms.toFixed(2)} ms, p90 ${result.p90Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, p99.9 ${result.p999Ms.toFixed(2)} ms, errors ${result.errors}; load ${load()}`,
      );
    }
  }
  return results;
}

function printOpenLoop(results) {
  if (results.length === 0) return;
  const direct = new Map(
    results.filter((r) => r.server === 'direct').map((r) => [r.load, r.p99Ms]),
  );
  console.log("\nOpen loop at half the 1-worker gateway's saturation (latency from due time):");
  console.log('| load | server | rate/s | p50 ms | p99 ms | p99 added ms | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const added =
      r.server === 'direct' || !direct.has(r.load) ? '' : (r.p99Ms - direct.get(r.load)).toFixed(2);
    console.log(
      `| ${r.load} | ${r.server} | ${r.ratePerS} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${added} | ${r.errors} |`,
    );
  }
}

/** Mean of the rounds per load and server. */
function combine(samples) {
  const groups = new Map();
  for (const s of samples) {
    const key = `${s.load}|${s.server}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  const mean = (list, field) => list.reduce((sum, s) => sum + s[field], 0) / list.length;
  return [...groups.values()].map((list) => ({
    load: list[0].load,
    server: list[0].server,
    rps: mean(list, 'rps'),
    p50Ms: mean(list, 'p50Ms'),
    p99Ms: mean(list, 'p99Ms'),
    cpuPercent: mean(list, 'cpuPercent'),
    rssMiB: Math.max(...list.map((s) => s.rssBytes)) / 2 ** 20,
    errors: list.reduce((sum, s) => sum + s.errors, 0),
  }));
}

function printTable(rows) {
  const header = [
    'load',
    'server',
    'req/s',
    'vs direct',
    'p50 ms',
    'p99 ms',
    'CPU %',
    'RSS MiB',
    'errors',
  ];
  const direct = new Map(
    rows.filter((r) => r.server === 'direct').map((r) => [r.load.replace('+jwt', ''), r.rps]),
  );
  const lines = rows.map((r) => [
    r.load,
    r.server,
    Math.round(r.rps).toString(),
    direct.has(r.load.replace('+jwt', ''))
      ? (r.rps / direct.get(r.load.replace('+jwt', ''))).toFixed(2)
      : '',
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    Math.round(r.cpuPercent).toString(),
    r.rssMiB.toFixed(0),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(row(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(row(l));
}

/** The 1-worker gateway under --cpu-prof for one run of --profile-load; its top frames. */
async function profile(upstream, headers) {
  await mkdir(opts.profileDir, { recursive: true });
  const server = await startStratus({
    label: 'stratus-1 (profiled)',
    origin: upstream.origin,
    secret: SECRET,
    workers: 1,
    profileDir: opts.profileDir,
  });
  running.push(server);
  const script = await wrkScript('gateway-get');
  const l = LOADS.find((x) => x.name === opts.profileLoad) ?? LOADS[0];
  await runWrk(urlOf(server, l), {
    script,
    headers: l.jwt ? headers : {},
    connections: opts.connections,
    durationS: 5,
  });
  const result = await measure(server, l, script, headers);
  await server.stop();
  // The main thread's profile is the largest (runApplication's watchdog thread writes one too).
  const files = [];
  for (const name of await readdir(opts.profileDir))
    if (name.endsWith('.cpuprofile'))
      files.push({ name, bytes: (await stat(join(opts.profileDir, name))).size });
  const file = join(opts.profileDir, files.sort((a, b) => b.bytes - a.bytes)[0].name);
  const summary = execFileSync(
    process.execPath,
    [join(ROOT, 'bench/vs-spring/profile-summary.mjs'), file, '--top=15'],
    { encoding: 'utf8' },
  );
  console.log(
    `\nCPU profile of the 1-worker gateway (${l.name}, ${Math.round(result.rps)} req/s while profiled): ${file}\n${summary}`,
  );
  return { file, rps: result.rps, summary };
}

const upstream = await startUpstream();
running.push(upstream);
const servers = await startAll(upstream);
const headers = { authorization: await bearer() };
let samples;
let openLoop = [];
try {
  samples = await run(servers, headers);
  if (opts.openLoop) openLoop = await openLoopRun(servers, samples, headers);
} finally {
  for (const server of servers) await server.stop();
}
const rows = combine(samples);
printTable(rows);
printOpenLoop(openLoop);
const profiled = opts.profileDir === null ? null : await profile(upstream, headers);
await upstream.stop();
await mkdir(join(ROOT, 'bench/results'), { recursive: true });
await writeFile(
  join(ROOT, 'bench/results/gateway.json'),
  `${JSON.stringify({ at: new Date().toISOString(), options: opts, cores: availableParallelism(), loadAverageAtEnd: loadavg(), rows, samples, openLoop, profile: profiled }, null, 2)}\n`,
);
console.error('wrote bench/results/gateway.json');
