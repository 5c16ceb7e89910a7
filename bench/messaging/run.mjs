#!/usr/bin/env node
// Messaging throughput and latency per transport, Stratus side by side with the raw client
// library doing the same work (bench/messaging/README.md). Loopback only, bounded runs.
// Usage: node bench/messaging/run.mjs [--messages=20000] [--bytes=1024] [--batch=100]
//        [--rounds=2] [--only=embedded,kafka,rabbitmq]
// Kafka: a broker on 127.0.0.1:${KAFKA_PORT:-9092} (scripts/kafka.sh start); RabbitMQ on 5672.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { connect as amqp } from 'amqplib';
import { createEmbeddedLog, createKafkaTransport, createRabbitTransport } from '@stratus/messaging';
import { runRawKafka } from './raw-kafka.mjs';
import { runRawRabbit } from './raw-rabbit.mjs';
import { runStratus } from './stratus.mjs';

const flag = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  count: Number(flag('messages', 20_000)),
  bytes: Number(flag('bytes', 1024)),
  batch: Number(flag('batch', 100)),
  timeoutMs: 180_000,
};
const rounds = Number(flag('rounds', 2));
const only = flag('only', 'embedded,kafka,rabbitmq').split(',');
const kafkaPort = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = [`127.0.0.1:${kafkaPort}`];
const rabbitUrl = 'amqp://guest:guest@127.0.0.1:5672';
const run = randomUUID().slice(0, 8);

const isOpen = (port) =>
  new Promise((resolve) => {
    const socket = tcp({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const dir = await mkdtemp(join(tmpdir(), 'stratus-bench-messaging-'));
const kafkaTopics = [];
const rabbitTopics = [];
const transports = {
  embedded: {
    available: async () => true,
    stratus: () => async () =>
      createEmbeddedLog({ path: join(dir, `events-${randomUUID()}.db`), pollIntervalMs: 20 }),
    raw: null,
  },
  kafka: {
    available: () => isOpen(kafkaPort),
    stratus: () => async () =>
      createKafkaTransport({ bootstrapServers: brokers, clientId: 'bench' }),
    raw: (args) => runRawKafka(brokers, args),
  },
  rabbitmq: {
    available: () => isOpen(5672),
    stratus: () => async () => createRabbitTransport({ connectionName: 'bench' }),
    raw: (args) => runRawRabbit(rabbitUrl, args),
  },
};

const results = {};
for (const name of only) {
  const transport = transports[name];
  if (!transport || !(await transport.available())) {
    results[name] = { skipped: `no ${name} broker reachable on loopback` };
    continue;
  }
  const runs = { stratus: [], raw: [] };
  // Warm-up (JIT, connections, topic metadata) for both sides; not counted.
  for (const side of ['stratus', 'raw']) {
    if (side === 'raw' && !transport.raw) continue;
    const topic = `bench.${run}.${name}.${side}.warmup`;
    (name === 'kafka' ? kafkaTopics : rabbitTopics).push(topic);
    const args = { ...options, count: Math.min(2_000, options.count), topic };
    await (side === 'stratus' ? runStratus(transport.stratus(), args) : transport.raw(args));
  }
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ['stratus', 'raw'] : ['raw', 'stratus'];
    for (const side of order) {
      if (side === 'raw' && !transport.raw) continue;
      const topic = `bench.${run}.${name}.${side}.${round}`;
      (name === 'kafka' ? kafkaTopics : rabbitTopics).push(topic);
      const args = { ...options, topic };
      runs[side].push(
        side === 'stratus'
          ? await runStratus(transport.stratus(), args)
          : await transport.raw(args),
      );
      process.stderr.write(
        `${name} ${side} round ${round + 1}: ${JSON.stringify(runs[side].at(-1))}\n`,
      );
    }
  }
  results[name] = { stratus: mean(runs.stratus), raw: runs.raw.length ? mean(runs.raw) : null };
}

await cleanup();
await rm(dir, { recursive: true, force: true });
printTable(results);
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('../results/messaging.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, options: { ...options, rounds }, results }, null, 2)}\n`,
);

function mean(list) {
  const keys = ['publishedPerSecond', 'consumedPerSecond', 'p50Ms', 'p99Ms'];
  return Object.fromEntries(
    keys.map((k) => [k, Number((list.reduce((a, r) => a + r[k], 0) / list.length).toFixed(2))]),
  );
}

function printTable(all) {
  const rows = [
    [
      'transport',
      'side',
      'published/s',
      'consumed/s',
      'e2e p50 ms',
      'e2e p99 ms',
      'overhead (consumed/s)',
    ],
  ];
  for (const [name, r] of Object.entries(all)) {
    if (r.skipped) {
      rows.push([name, r.skipped, '', '', '', '', '']);
      continue;
    }
    const overhead = r.raw
      ? `${(((r.raw.consumedPerSecond - r.stratus.consumedPerSecond) / r.raw.consumedPerSecond) * 100).toFixed(1)} %`
      : 'n/a';
    rows.push([
      name,
      'stratus',
      r.stratus.publishedPerSecond,
      r.stratus.consumedPerSecond,
      r.stratus.p50Ms,
      r.stratus.p99Ms,
      overhead,
    ]);
    if (r.raw)
      rows.push([
        name,
        'raw client',
        r.raw.publishedPerSecond,
        r.raw.consumedPerSecond,
        r.raw.p50Ms,
        r.raw.p99Ms,
        '',
      ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  for (const row of rows)
    console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));
}

async function cleanup() {
  if (kafkaTopics.length > 0) {
    const admin = new Admin({ clientId: 'bench-cleanup', bootstrapBrokers: brokers });
    const existing = new Set(await admin.listTopics().catch(() => []));
    const topics = kafkaTopics.flatMap((t) => [t, `${t}.DLT`]).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin
      .deleteGroups({ groups: kafkaTopics.flatMap((t) => [`${t}.stratus`, `${t}.raw`]) })
      .catch(() => undefined);
    await admin.close();
  }
  if (rabbitTopics.length > 0) {
    const connection = await amqp(rabbitUrl);
    const channel = await connection.createChannel();
    for (const topic of rabbitTopics) {
      for (const queue of [`${topic}.${topic}.stratus`, `${topic}.${topic}.stratus.dlq`])
        await channel.deleteQueue(queue);
      for (const exchange of [topic, `${topic}.DLT`]) await channel.deleteExchange(exchange);
    }
    await connection.close();
  }
}
