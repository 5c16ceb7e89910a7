#!/usr/bin/env node
// Orders through the gateway on each database (bench/README.md, docs/datasources.md):
// POST /order-service/{userId}/orders, orders/s and p50/p99, on SQLite (the embedded default),
// PostgreSQL (profile `postgres`) and MariaDB (profile `mariadb`), with two order-service
// instances and then one, all in one run. One stack per database: the two-instance cell runs
// first, then one instance is stopped and the one-instance cell runs on the same stack.
// Loopback only, bounded: each cell is a warm-up and then `--seconds` of closed-loop load.
// Usage: node bench/datasource/run.mjs [--seconds=10] [--connections=16] [--only=sqlite,postgres,mariadb]
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Pool } from 'undici';
import { createDataSource } from '@stratus/boot';
import { startStack } from '@stratus/cli';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const seconds = Number(arg('seconds', 10));
const connections = Number(arg('connections', 16));
const WARM_UP_MS = 2_000;

/** The databases, as the shop's profiles reach them. */
const DATABASES = {
  sqlite: { profile: null, port: null },
  postgres: {
    profile: 'postgres',
    port: 5432,
    url: 'jdbc:postgresql://127.0.0.1:5432/postgres',
    user: 'postgres',
  },
  mariadb: { profile: 'mariadb', port: 3306, url: 'jdbc:mariadb://127.0.0.1:3306/', user: 'root' },
};
const only = arg('only', Object.keys(DATABASES).join(',')).split(',');

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const isListening = (port) =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function json(url, init = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

/** A shop user and its bearer token. */
async function signUp(gateway) {
  const email = `bench-${Date.now()}@example.com`;
  const post = (path, body) =>
    json(`${gateway}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const user = await post('/user-service/users', { email, name: 'Bench', pwd: 'bench password' });
  const login = await post('/user-service/login', { email, password: 'bench password' });
  if (user.status !== 201 || login.status !== 200) throw new Error('sign-up or login failed');
  return { userId: user.body.userId, token: login.body.token };
}

/** Closed-loop POSTs of one order each for `durationMs`; latencies of the answered ones. */
async function postOrders(gateway, { userId, token }, durationMs) {
  const pool = new Pool(gateway, { connections, pipelining: 1 });
  const body = JSON.stringify({ productId: 'CATALOG-001', qty: 1, unitPrice: 1500 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const latencies = [];
  const statuses = {};
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let status = 'error';
      try {
        const response = await pool.request({
          path: `/order-service/${userId}/orders`,
          method: 'POST',
          headers,
          body,
        });
        await response.body.dump();
        status = response.statusCode;
      } catch {
        // counted below as an error
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status === 201) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const errors = Object.entries(statuses)
    .filter(([s]) => s !== '201')
    .reduce((a, [, n]) => a + n, 0);
  return {
    orders: latencies.length,
    errors,
    statuses,
    ordersPerSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: pct(50),
    p99Ms: pct(99),
  };
}

/**
 * Waits until the gateway routes to exactly the `count` live order-service instances: a batch of
 * GETs through it all answer 200, and every live instance has answered some since the check began.
 */
async function gatewayRoutesTo(stack, gateway, user, count) {
  const live = [...stack.processes.values()].filter(
    (p) => p.name === 'order-service' && p.child.exitCode === null && p.child.signalCode === null,
  );
  if (live.length !== count) throw new Error(`expected ${count} live order-service instances`);
  const bases = live.map((p) => `http://127.0.0.1:${p.port}`);
  const before = await Promise.all(bases.map(getCount));
  const headers = { authorization: `Bearer ${user.token}` };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        json(`${gateway}/order-service/${user.userId}/orders`, { headers }).catch(() => ({
          status: 0,
        })),
      ),
    );
    const after = await Promise.all(bases.map(getCount));
    if (answers.every((a) => a.status === 200) && after.every((n, i) => n > before[i])) return;
    await sleep(500);
  }
  throw new Error(`the gateway did not route to ${count} instance(s) in time`);
}

/** GET /{userId}/orders answered by the instance at `base` (its Micrometer timer). */
async function getCount(base) {
  const text = await (await fetch(`${base}/actuator/prometheus`)).text();
  return text
    .split('\n')
    .filter(
      (l) =>
        l.startsWith('http_server_requests_seconds_count{') &&
        l.includes('method="GET"') &&
        l.includes('orders'),
    )
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function dropDatabases(database, prefix) {
  const admin = createDataSource({
    url: database.url,
    username: database.user,
    pool: { maximumPoolSize: 1 },
  });
  try {
    for (const name of ['users', 'catalog', 'orders'])
      await (
        database.profile === 'postgres'
          ? sql`drop database if exists ${sql.id(prefix + name)} with (force)`
          : sql`drop database if exists ${sql.id(prefix + name)}`
      ).execute(admin.db);
  } finally {
    await admin.close();
  }
}

/** Both cells of one database: two instances, then one. */
async function benchDatabase(name, database) {
  const dataDir = await mkdtemp(join(tmpdir(), 'stratus-bench-db-'));
  const prefix = `stratus_bench${Date.now().toString(36)}_`;
  const env = { ...process.env, STRATUS_DB_PREFIX: prefix };
  if (database.profile) env.SPRING_PROFILES_ACTIVE = database.profile;
  else delete env.SPRING_PROFILES_ACTIVE;
  const stack = await startStack({
    dataDir,
    registryPort: await freePort(),
    configPort: await freePort(),
    gatewayPort: await freePort(),
    instances: { 'order-service': 2 },
    flags: ['--eureka.client.registry-fetch-interval-seconds=1'],
    env,
    output: null,
  });
  const cells = [];
  try {
    const gateway = stack.urls.gateway;
    const user = await signUp(gateway);
    for (const instances of [2, 1]) {
      if (instances === 1) await stack.processes.get('order-service#2').stop();
      await gatewayRoutesTo(stack, gateway, user, instances);
      await postOrders(gateway, user, WARM_UP_MS);
      const result = await postOrders(gateway, user, seconds * 1000);
      cells.push({ database: name, instances, ...result });
      console.error(
        `${name} × ${instances}: ${result.ordersPerSecond.toFixed(0)} orders/s, p99 ${result.p99Ms.toFixed(1)} ms`,
      );
    }
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (database.profile) await dropDatabases(database, prefix);
  }
  return cells;
}

const results = [];
for (const [name, database] of Object.entries(DATABASES)) {
  if (!only.includes(name)) continue;
  if (database.port !== null && !(await isListening(database.port))) {
    console.error(`${name}: not running on 127.0.0.1:${database.port}, skipped`);
    continue;
  }
  results.push(...(await benchDatabase(name, database)));
}

console.log(
  `\nPOST /order-service/{userId}/orders through the gateway, ${connections} connections, ${seconds} s per cell`,
);
console.log('database   order-service   orders/s    p50 ms    p99 ms   errors');
for (const r of results)
  console.log(
    `${r.database.padEnd(10)} ${String(r.instances).padStart(13)}   ${r.ordersPerSecond.toFixed(0).padStart(8)}  ${r.p50Ms.toFixed(1).padStart(8)}  ${r.p99Ms.toFixed(1).padStart(8)}   ${r.errors}`,
  );
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'datasource.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(
  out,
  JSON.stringify(
    {
      benchmark: 'datasource',
      at: new Date().toISOString(),
      node: process.version,
      seconds,
      connections,
      results,
    },
    null,
    2,
  ),
);
console.log(`\nwritten ${out}`);
