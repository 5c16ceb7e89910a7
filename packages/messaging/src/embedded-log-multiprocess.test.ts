import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createEmbeddedLog } from './embedded-log.js';
import { createIdempotentHandler, ensureInboxSchema } from './inbox.js';
import type { WorkerConfig } from './testing/log-worker.js';
import type { Message } from './transport.js';

// Tests compile to dist-test/; the worker is runtime code and lives in dist/.
const WORKER = fileURLToPath(new URL('../dist/testing/log-worker.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stratus-log-mp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Worker {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(config: WorkerConfig): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      if (code !== 0 && code !== null) process.stderr.write(`worker failed: ${stderr}\n`);
      resolve({ code, signal });
    }),
  );
  return { child, lines, exited };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

void test('three processes append concurrently; each group gets every message exactly once, in per-key order, with unique offsets', async (t) => {
  const path = join(dir, 'concurrent', 'events.db');
  const topic = 'order.created';
  const perProducer = 200;
  const producers = ['p1', 'p2', 'p3'];
  // Two members in group "inventory" (separate connections), one in "billing".
  const members = [
    createEmbeddedLog({ path, pollIntervalMs: 20 }),
    createEmbeddedLog({ path, pollIntervalMs: 20 }),
    createEmbeddedLog({ path, pollIntervalMs: 20 }),
  ];
  t.after(() => Promise.all(members.map((m) => m.close())).then(() => undefined));
  const received = { inventory: [] as Message[], billing: [] as Message[] };
  const [a, b, c] = members;
  assert.ok(a && b && c);
  await a.subscribe({
    topics: [topic],
    groupId: 'inventory',
    handler: async (m) => void received.inventory.push(m),
  });
  await b.subscribe({
    topics: [topic],
    groupId: 'inventory',
    handler: async (m) => void received.inventory.push(m),
  });
  await c.subscribe({
    topics: [topic],
    groupId: 'billing',
    handler: async (m) => void received.billing.push(m),
  });

  const workers = producers.map((producer) =>
    startWorker({ mode: 'produce', path, topic, producer, count: perProducer, keys: 4, batch: 7 }),
  );
  const exits = await Promise.all(workers.map((w) => w.exited));
  assert.deepEqual(
    exits.map((e) => e.code),
    [0, 0, 0],
  );

  const total = perProducer * producers.length;
  await waitFor(
    'both groups to finish',
    () => received.inventory.length >= total && received.billing.length >= total,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [group, messages] of Object.entries(received)) {
    assert.equal(messages.length, total, `${group}: exactly once`);
    assert.equal(new Set(messages.map((m) => m.id)).size, total, `${group}: unique ids`);
    const offsets = messages.map((m) => Number(m.offset));
    assert.deepEqual(
      offsets,
      Array.from({ length: total }, (_, i) => i),
      `${group}: unique contiguous offsets`,
    );
    const lastSeq = new Map<string, number>();
    for (const message of messages) {
      const { seq } = message.json<{ seq: number }>();
      const key = message.key ?? '';
      assert.ok(seq > (lastSeq.get(key) ?? -1), `${group}: order of ${key}`);
      lastSeq.set(key, seq);
    }
  }
});

async function openBusinessDb(file: string): Promise<Kysely<any>> {
  mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  await ensureInboxSchema(db);
  await sql`CREATE TABLE IF NOT EXISTS applied (message_id TEXT NOT NULL, seq INTEGER NOT NULL)`.execute(
    db,
  );
  return db;
}

async function publishNumbered(path: string, topic: string, count: number): Promise<void> {
  const log = createEmbeddedLog({ path });
  await log.publish(
    Array.from({ length: count }, (_, seq) => ({
      topic,
      id: `m-${seq}`,
      key: `k${seq % 5}`,
      payload: JSON.stringify({ seq }),
    })),
  );
  await log.close();
}

async function assertExactlyOnceInEffect(db: Kysely<any>, count: number): Promise<void> {
  const applied = await sql<{ n: number; distinct_ids: number }>`
    SELECT COUNT(*) AS n, COUNT(DISTINCT message_id) AS distinct_ids FROM applied`.execute(db);
  assert.deepEqual(applied.rows[0], { n: count, distinct_ids: count });
  const inbox = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM stratus_inbox`.execute(db);
  assert.equal(inbox.rows[0]?.n, count);
}

void test('a consumer that crashes after its side effect but before the offset commit is redelivered, and the effect stays exactly once', async (t) => {
  const path = join(dir, 'crash-after-effect', 'events.db');
  const businessFile = join(dir, 'crash-after-effect', 'business.db');
  const topic = 'order.created';
  const count = 120;
  const db = await openBusinessDb(businessFile);
  t.after(() => db.destroy());
  await publishNumbered(path, topic, count);

  const leaseMs = 300;
  const crashing = startWorker({
    mode: 'consume',
    path,
    topic,
    groupId: 'inventory',
    leaseMs,
    pollIntervalMs: 20,
    businessDb: businessFile,
    crashAfter: 40,
  });
  const exit = await crashing.exited;
  assert.equal(exit.signal, 'SIGKILL');
  const handledByChild = crashing.lines
    .filter((l) => l.startsWith('handled '))
    .map((l) => l.split(' ')[1]);
  assert.equal(handledByChild.length, 40);

  const successor = createEmbeddedLog({ path, leaseMs, pollIntervalMs: 20 });
  t.after(() => successor.close());
  const delivered: string[] = [];
  const handle = createIdempotentHandler({
    db,
    consumer: 'inventory',
    handle: async (trx, message) => {
      const { seq } = message.json<{ seq: number }>();
      await sql`INSERT INTO applied (message_id, seq) VALUES (${message.id}, ${seq})`.execute(trx);
    },
  });
  await successor.subscribe({
    topics: [topic],
    groupId: 'inventory',
    handler: async (m) => {
      delivered.push(m.id);
      await handle(m);
    },
  });
  await waitFor('the rest of the stream', () => delivered.length >= count - 40 + 1);
  assert.equal(delivered[0], handledByChild.at(-1), 'the uncommitted message is delivered again');
  assert.deepEqual(
    new Set([...handledByChild, ...delivered]).size,
    count,
    'every message handled at least once',
  );
  await assertExactlyOnceInEffect(db, count);
});

void test('a consumer process killed with SIGKILL mid-stream is replaced by a new member that finishes the stream', async (t) => {
  const path = join(dir, 'killed', 'events.db');
  const businessFile = join(dir, 'killed', 'business.db');
  const topic = 'order.created';
  const count = 150;
  const db = await openBusinessDb(businessFile);
  t.after(() => db.destroy());
  await publishNumbered(path, topic, count);

  const leaseMs = 300;
  const config: WorkerConfig = {
    mode: 'consume',
    path,
    topic,
    groupId: 'inventory',
    leaseMs,
    pollIntervalMs: 20,
    businessDb: businessFile,
    handlerDelayMs: 2,
  };
  const victim = startWorker(config);
  t.after(() => void victim.child.kill('SIGKILL'));
  await waitFor(
    'the victim to be mid-stream',
    () => victim.lines.filter((l) => l.startsWith('handled ')).length >= 30,
  );
  victim.child.kill('SIGKILL');
  assert.equal((await victim.exited).signal, 'SIGKILL');
  const handledByVictim = victim.lines
    .filter((l) => l.startsWith('handled '))
    .map((l) => l.split(' ')[1]);
  assert.ok(handledByVictim.length < count, 'killed before the end');

  const successor = startWorker({ ...config, handlerDelayMs: 0 });
  t.after(() => void successor.child.kill('SIGKILL'));
  await waitFor('the successor to finish', () => {
    const ids = new Set([
      ...handledByVictim,
      ...successor.lines.filter((l) => l.startsWith('handled ')).map((l) => l.split(' ')[1]),
    ]);
    return ids.size === count;
  });
  successor.child.kill('SIGTERM');
  await successor.exited;
  await assertExactlyOnceInEffect(db, count);
});
