#!/usr/bin/env node
// The whole shop (bench/README.md): boot time of `stratus up` to all-healthy, resident memory of
// every process, and GET /catalog-service/catalogs through the gateway vs direct to
// catalog-service, measured side by side in one run (interleaved A/B rounds).
// Usage: node bench/stack.mjs [--requests=4000] [--connections=16] [--rounds=2]
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startStack } from '@stratus/cli';
import { runLoad, rssBytes } from './load.mjs';

const arg = (name, fallback) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const requests = arg('requests', 4000);
const connections = arg('connections', 16);
const rounds = arg('rounds', 2);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-'));
const bootStarted = performance.now();
const stack = await startStack({
  dataDir,
  registryPort: await freePort(),
  configPort: await freePort(),
  gatewayPort: await freePort(),
  output: null,
});
const bootMs = performance.now() - bootStarted;
try {
  const memory = {};
  for (const [name, p] of stack.processes) memory[name] = await rssBytes(p.child.pid);
  const totalRss = Object.values(memory).reduce((a, b) => a + b, 0);

  const catalogPort = stack.processes.get('catalog-service').port;
  const targets = {
    direct: `http://127.0.0.1:${catalogPort}/catalogs`,
    gateway: `${stack.urls.gateway}/catalog-service/catalogs`,
  };
  for (const url of Object.values(targets))
    await runLoad(url, { requests: 500, connections, maxDurationMs: 10_000 }); // warm-up
  const results = { direct: [], gateway: [] };
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct']) {
      results[name].push(
        await runLoad(targets[name], { requests, connections, maxDurationMs: 30_000 }),
      );
    }
  }
  const summary = (runs) => ({
    rps: runs.reduce((a, r) => a + r.rps, 0) / runs.length,
    p50Ms: runs.reduce((a, r) => a + r.p50Ms, 0) / runs.length,
    p99Ms: runs.reduce((a, r) => a + r.p99Ms, 0) / runs.length,
    errors: runs.reduce((a, r) => a + r.errors, 0),
  });
  const direct = summary(results.direct);
  const gateway = summary(results.gateway);
  const mib = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`\nboot (stratus up → all healthy): ${(bootMs / 1000).toFixed(2)} s`);
  console.log('\nresident memory');
  for (const [name, bytes] of Object.entries(memory))
    console.log(`  ${name.padEnd(20)} ${mib(bytes).padStart(7)} MiB`);
  console.log(`  ${'total'.padEnd(20)} ${mib(totalRss).padStart(7)} MiB`);
  console.log(
    `\nGET catalogs, ${requests} requests × ${rounds} rounds, ${connections} connections`,
  );
  console.log('  path        req/s     p50 ms   p99 ms   errors');
  for (const [name, s] of [
    ['direct', direct],
    ['gateway', gateway],
  ]) {
    console.log(
      `  ${name.padEnd(9)} ${s.rps.toFixed(0).padStart(7)}  ${s.p50Ms.toFixed(2).padStart(8)} ${s.p99Ms.toFixed(2).padStart(8)}   ${s.errors}`,
    );
  }
  console.log(
    `  gateway/direct throughput: ${((gateway.rps / direct.rps) * 100).toFixed(0)} %, added p50: ${(gateway.p50Ms - direct.p50Ms).toFixed(2)} ms`,
  );
  const out = {
    when: new Date().toISOString(),
    node: process.version,
    bootMs,
    memory,
    totalRss,
    requests,
    connections,
    rounds,
    direct,
    gateway,
    runs: results,
  };
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  await writeFile(new URL('./results/stack.json', import.meta.url), JSON.stringify(out, null, 2));
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
