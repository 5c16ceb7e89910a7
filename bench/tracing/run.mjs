#!/usr/bin/env node
// The cost of tracing and metrics on the gateway path (bench/README.md): the same gateway route
// to the same upstream, with tracing off, sampling 0.1 and sampling 1.0 (spans exported as
// Zipkin v2 JSON to a collector stub that answers 202), in interleaved rounds: requests/s, p50,
// p99, the gateway process's CPU time per request (steadier than requests/s on a shared
// machine), and the spans the collector received. Loopback only, bounded by count and time.
// Usage: node bench/tracing/run.mjs [--requests=4000] [--connections=16] [--rounds=3]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { runLoad } from '../load.mjs';

/** CPU time a process has used, in microseconds (utime + stime from /proc, Linux). */
async function cpuMicros(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const requests = arg('requests', 4000);
const connections = arg('connections', 16);
const rounds = arg('rounds', 3);

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

// The upstream: a small JSON answer, as a service's GET would give.
const body = JSON.stringify({
  productId: 'CATALOG-001',
  productName: 'Berlin',
  unitPrice: 1500,
  stock: 100,
});
const upstream = createServer((_request, response) => {
  response.setHeader('content-type', 'application/json');
  response.end(body);
});
// The Zipkin stand-in: reads each batch, counts its spans per variant (/<variant>/api/v2/spans),
// answers 202 like Zipkin.
const spans = {};
const collector = createServer((request, response) => {
  const chunks = [];
  const variant = decodeURIComponent(request.url.split('/')[1] ?? '');
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    try {
      spans[variant] = (spans[variant] ?? 0) + JSON.parse(Buffer.concat(chunks).toString()).length;
    } catch {
      // counted as nothing
    }
    response.statusCode = 202;
    response.end();
  });
});
const upstreamPort = await listen(upstream);
const collectorPort = await listen(collector);
const endpoint = (variant) =>
  `http://127.0.0.1:${collectorPort}/${encodeURIComponent(variant)}/api/v2/spans`;

const variants = {
  'tracing off': ['--management.tracing.enabled=false'],
  'sampling 0.1': [
    '--management.tracing.sampling.probability=0.1',
    `--management.zipkin.tracing.endpoint=${endpoint('sampling 0.1')}`,
  ],
  'sampling 1.0': [
    '--management.tracing.sampling.probability=1.0',
    `--management.zipkin.tracing.endpoint=${endpoint('sampling 1.0')}`,
  ],
};

const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-tracing-'));
const gateways = {};
try {
  for (const [name, flags] of Object.entries(variants)) {
    const dir = join(dataDir, name.replace(/\W+/g, '-'));
    await mkdir(dir, { recursive: true });
    const child = fork(join(here, 'gateway.mjs'), flags, {
      env: {
        ...process.env,
        BENCH_UPSTREAM: `http://127.0.0.1:${upstreamPort}`,
        BENCH_DATA_DIR: dir,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`gateway ${name} exited with ${code}`)));
    });
    gateways[name] = { child, url: `http://127.0.0.1:${port}/svc/catalogs` };
  }
  for (const { url } of Object.values(gateways))
    await runLoad(url, { requests: 1000, connections, maxDurationMs: 15_000 }); // warm-up
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the warm-up's last span batch
  for (const name of Object.keys(spans)) spans[name] = 0;
  const runs = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(variants);
    if (round % 2 === 1) order.reverse();
    for (const name of order) {
      const pid = gateways[name].child.pid;
      const before = await cpuMicros(pid);
      const run = await runLoad(gateways[name].url, {
        requests,
        connections,
        maxDurationMs: 30_000,
      });
      run.cpuMicrosPerRequest = ((await cpuMicros(pid)) - before) / run.requests;
      runs[name].push(run);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the exporters' last batches
  const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
  const baseline = mean(runs['tracing off'], 'rps');
  const rows = Object.entries(runs).map(([name, list]) => ({
    variant: name,
    rps: Math.round(mean(list, 'rps')),
    p50Ms: Number(mean(list, 'p50Ms').toFixed(2)),
    p99Ms: Number(mean(list, 'p99Ms').toFixed(2)),
    vsOff: `${((mean(list, 'rps') / baseline) * 100).toFixed(0)}%`,
    gatewayCpuUsPerRequest: Math.round(mean(list, 'cpuMicrosPerRequest')),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
    spansPerRequest: Number(
      ((spans[name] ?? 0) / list.reduce((sum, r) => sum + r.requests, 0)).toFixed(2),
    ),
  }));
  console.log(
    `\nGateway path (${requests} requests x ${rounds} rounds, ${connections} connections, loopback)\n`,
  );
  console.table(rows);
  await mkdir(join(here, '..', 'results'), { recursive: true });
  await writeFile(
    join(here, '..', 'results', 'tracing.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, requests, connections, rounds, rows }, null, 2)}\n`,
  );
} finally {
  for (const { child } of Object.values(gateways)) child.kill('SIGTERM');
  upstream.close();
  collector.close();
  await rm(dataDir, { recursive: true, force: true });
}
