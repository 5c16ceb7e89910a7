#!/usr/bin/env node
// Bus refresh latency (bench/bus/README.md): a Stratus config server and 20 Stratus instances
// (4 processes × 5 applications) reading their configuration from it; a change to their file is
// announced to the config server's /monitor, and the time until all 20 instances have applied
// the refresh (reloaded from the config server) is measured, per transport. Loopback only,
// bounded rounds. Needs `npx tsc -b test` (the fleet lives in test/src/bus-fleet.ts).
// Usage: node bench/bus/run.mjs [--rounds=30] [--warmup=3] [--processes=4] [--per-process=5]
//        [--only=embedded,kafka,rabbitmq]
// Kafka: a broker on 127.0.0.1:${KAFKA_PORT:-9092} (scripts/kafka.sh start); RabbitMQ on 5672.
import { mkdir, writeFile } from 'node:fs/promises';
import { connect as tcp } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appliedBy, startFleet, waitUntil } from '../../test/dist/bus-fleet.js';

const flag = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rounds = Number(flag('rounds', 30));
const warmup = Number(flag('warmup', 3));
const processes = Number(flag('processes', 4));
const perProcess = Number(flag('per-process', 5));
const only = flag('only', 'embedded,kafka,rabbitmq').split(',');
const total = processes * perProcess;
const kafkaPort = Number(process.env.KAFKA_PORT ?? 9092);
const GOAL_MS = 1000;

const isOpen = (port) =>
  new Promise((resolve) => {
    const socket = tcp({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
const available = {
  embedded: async () => true,
  kafka: () => isOpen(kafkaPort),
  rabbitmq: () => isOpen(5672),
};

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** One refresh: change the file, tell /monitor, wait for every instance to read the new value. */
async function refreshOnce(fleet, value) {
  await fleet.writeConfig(`greeting: ${value}\n`);
  const acksBefore = fleet.acks.length;
  const started = Date.now();
  await fleet.notifyChange();
  await waitUntil(
    `${total} instances with ${value}`,
    () => appliedBy(fleet.lines, value).size >= total,
    30_000,
    fleet.lines,
  );
  const applied = [...appliedBy(fleet.lines, value).values()]
    .map((at) => at - started)
    .sort((a, b) => a - b);
  await waitUntil(`${total} acks`, () => fleet.acks.length - acksBefore >= total, 30_000);
  return { allMs: applied.at(-1), firstMs: applied[0], acksMs: Date.now() - started };
}

async function measure(transport) {
  const startedAt = Date.now();
  const fleet = await startFleet({ transport, processes, perProcess, readyTimeoutMs: 180_000 });
  const startupMs = Date.now() - startedAt;
  try {
    for (let i = 0; i < warmup; i++) await refreshOnce(fleet, `warmup-${i}`);
    const samples = [];
    for (let i = 0; i < rounds; i++) samples.push(await refreshOnce(fleet, `round-${i}`));
    const all = samples.map((s) => s.allMs).sort((a, b) => a - b);
    const first = samples.map((s) => s.firstMs).sort((a, b) => a - b);
    return {
      transport,
      instances: total,
      rounds,
      startupMs,
      allAppliedMs: {
        p50: percentile(all, 50),
        p99: percentile(all, 99),
        max: all.at(-1),
        min: all[0],
      },
      firstAppliedMsP50: percentile(first, 50),
      meetsGoal: percentile(all, 99) < GOAL_MS,
    };
  } finally {
    await fleet.close();
  }
}

const results = [];
for (const transport of only) {
  if (!(await available[transport]?.())) {
    console.log(`${transport}: broker not reachable, skipped`);
    continue;
  }
  console.log(`${transport}: starting ${total} instances…`);
  results.push(await measure(transport));
}

console.log(
  `\nBus refresh applied by ${total} instances (/monitor → all applied), ${rounds} rounds, goal p99 < ${GOAL_MS} ms\n`,
);
console.log(
  '| transport | p50 ms | p99 ms | min ms | max ms | first instance p50 ms | fleet start ms | goal |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  const { p50, p99, min, max } = r.allAppliedMs;
  console.log(
    `| ${r.transport} | ${p50} | ${p99} | ${min} | ${max} | ${r.firstAppliedMsP50} | ${r.startupMs} | ${r.meetsGoal ? 'met' : 'missed'} |`,
  );
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'bus.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ benchmark: 'bus', date: new Date().toISOString(), node: process.version, goalMs: GOAL_MS, results }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
