#!/usr/bin/env node
// HTTP client (bench/README.md): what the declarative client costs over plain undici. Both call
// the same upstream (a separate process on 127.0.0.1) in interleaved rounds of one run:
//   - undici:      undici.request() on a pooled Agent, body parsed as JSON;
//   - declarative: a @stratus/http client over lb:// (a static round-robin balancer), with the
//                  circuit breaker (and its 1 s time limiter), Feign's Retryer.Default, the
//                  response validator and http_client_requests_seconds on; nothing failing;
//   - the same client without breaker and retryer, to show what those policies cost.
// Closed loop, bounded by request count and time. Writes bench/results/http-client.json.
// Usage: node bench/http-client/run.mjs [--requests=5000] [--connections=16] [--rounds=3]
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { Registry } from 'prom-client';
import { createRoundRobinLoadBalancer, createStaticDiscovery } from '@stratus/discovery';
import { createClientFactory, defineClient, endpoint } from '@stratus/http';

const arg = (name, fallback) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const requests = arg('requests', 5000);
const connections = arg('connections', 16);
const rounds = arg('rounds', 3);
const MAX_RUN_MS = 30_000;

const upstream = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const port = await new Promise((resolve, reject) => {
  upstream.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  upstream.once('exit', () => reject(new Error('upstream exited')));
});
const origin = `http://127.0.0.1:${port}`;

const agent = new Agent({ keepAliveTimeout: 10_000 });
const plain = async (userId) => {
  const { body } = await request(`${origin}/order-service/${encodeURIComponent(userId)}/orders`, {
    dispatcher: agent,
  });
  return body.json();
};

const toOrders = (value) => {
  if (!Array.isArray(value)) throw new TypeError('expected a list');
  return value;
};
const OrderServiceClient = defineClient({
  name: 'order-service',
  endpoints: {
    getOrders: endpoint({
      method: 'GET',
      path: '/order-service/{userId}/orders',
      response: toOrders,
    }),
  },
});
const clients = createClientFactory({
  properties: {
    'spring.cloud.openfeign.circuitbreaker.enabled': true,
    'spring.cloud.openfeign.client.config.default.retryer': 'feign.Retryer.Default',
    'spring.cloud.openfeign.client.config.default.read-timeout': 5000,
  },
  loadBalancer: createRoundRobinLoadBalancer(
    createStaticDiscovery({ instances: { 'order-service': [{ uri: origin }] } }),
  ),
  metricsRegistry: new Registry(),
});
const orders = clients.create(OrderServiceClient);
const declarative = (userId) => orders.getOrders({ userId });
// The same client without the breaker and the retryer: what the policies add on their own.
const bareClients = createClientFactory({
  loadBalancer: createRoundRobinLoadBalancer(
    createStaticDiscovery({ instances: { 'order-service': [{ uri: origin }] } }),
  ),
  metricsRegistry: new Registry(),
});
const bareOrders = bareClients.create(OrderServiceClient);
const declarativeWithoutPolicies = (userId) => bareOrders.getOrders({ userId });

async function load(call) {
  const latencies = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + MAX_RUN_MS;
  const worker = async () => {
    while (sent < requests && performance.now() < deadline) {
      const userId = `user-${sent++ % 100}`;
      const t0 = performance.now();
      try {
        const list = await call(userId);
        if (list.length !== 2) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / (elapsedMs / 1000),
    p50Ms: pct(50),
    p99Ms: pct(99),
  };
}

const variants = {
  undici: plain,
  declarative,
  'declarative, no breaker/retry': declarativeWithoutPolicies,
};
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  for (const [name, call] of Object.entries(variants)) await load(call); // warm-up, not recorded
  for (let round = 0; round < rounds; round++)
    for (const [name, call] of Object.entries(variants)) results[name].push(await load(call));
} finally {
  await clients.close();
  await bareClients.close();
  await agent.close();
  upstream.kill('SIGTERM');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = Object.fromEntries(
  Object.entries(results).map(([name, runs]) => [
    name,
    {
      rps: median(runs.map((r) => r.rps)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      errors: runs.reduce((sum, r) => sum + r.errors, 0),
      runs,
    },
  ]),
);
const rows = Object.entries(summary).map(([name, s]) => ({
  client: name,
  'requests/s': Math.round(s.rps),
  'p50 ms': s.p50Ms.toFixed(2),
  'p99 ms': s.p99Ms.toFixed(2),
  errors: s.errors,
}));
console.log(
  `\n${requests} requests × ${rounds} rounds, ${connections} concurrent, loopback (medians of the rounds)`,
);
console.table(rows);
const ratio = summary.declarative.rps / summary.undici.rps;
const addedP99 = summary.declarative.p99Ms - summary.undici.p99Ms;
const bareRatio = summary['declarative, no breaker/retry'].rps / summary.undici.rps;
console.log(
  `declarative / undici throughput: ${ratio.toFixed(2)}× (without breaker/retry ${bareRatio.toFixed(2)}×); p99 added: ${addedP99.toFixed(2)} ms`,
);

const out = fileURLToPath(new URL('../results/', import.meta.url));
await mkdir(out, { recursive: true });
await writeFile(
  `${out}http-client.json`,
  `${JSON.stringify(
    {
      benchmark: 'http-client',
      date: new Date().toISOString(),
      node: process.version,
      settings: { requests, connections, rounds },
      results: summary,
      declarativeOverUndiciThroughput: ratio,
      withoutPoliciesOverUndiciThroughput: bareRatio,
      addedP99Ms: addedP99,
    },
    null,
    2,
  )}\n`,
);
