// Child process used by the multi-process and crash tests of the embedded log.
// Usage: node log-worker.js '<json WorkerConfig>'. Reports on stdout, one line
// per event, written synchronously so a SIGKILL never truncates a report.
import { writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { createEmbeddedLog } from '../embedded-log.js';
import { createIdempotentHandler } from '../inbox.js';
import type { Message } from '../transport.js';

/** Configuration passed as the single argument. */
export type WorkerConfig =
  | {
      mode: 'produce';
      path: string;
      topic: string;
      producer: string;
      count: number;
      keys: number;
      batch: number;
    }
  | {
      mode: 'consume';
      path: string;
      topic: string;
      groupId: string;
      leaseMs: number;
      pollIntervalMs: number;
      /** SQLite business database with `stratus_inbox` and `applied(message_id, seq)`. */
      businessDb?: string;
      /** SIGKILL itself right after the Nth handler call resolves (before its offset commit). */
      crashAfter?: number;
      handlerDelayMs?: number;
    };

function report(line: string): void {
  writeSync(1, `${line}\n`);
}

async function produce(config: Extract<WorkerConfig, { mode: 'produce' }>): Promise<void> {
  const log = createEmbeddedLog({ path: config.path });
  for (let seq = 0; seq < config.count; seq += config.batch) {
    const size = Math.min(config.batch, config.count - seq);
    await log.publish(
      Array.from({ length: size }, (_, i) => ({
        topic: config.topic,
        id: `${config.producer}-${seq + i}`,
        key: `${config.producer}-k${(seq + i) % config.keys}`,
        payload: JSON.stringify({ producer: config.producer, seq: seq + i }),
      })),
    );
    // Yield so producers interleave their transactions.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await log.close();
  report('done');
}

async function consume(config: Extract<WorkerConfig, { mode: 'consume' }>): Promise<void> {
  const log = createEmbeddedLog({
    path: config.path,
    leaseMs: config.leaseMs,
    pollIntervalMs: config.pollIntervalMs,
  });
  let business: Kysely<any> | null = null;
  let apply = async (_message: Message): Promise<void> => undefined;
  if (config.businessDb) {
    const database = new Database(config.businessDb);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    business = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
    apply = createIdempotentHandler({
      db: business,
      consumer: config.groupId,
      handle: async (trx, message) => {
        const { seq } = message.json<{ seq: number }>();
        await sql`INSERT INTO applied (message_id, seq) VALUES (${message.id}, ${seq})`.execute(
          trx,
        );
      },
    });
  }
  let handled = 0;
  await log.subscribe({
    topics: [config.topic],
    groupId: config.groupId,
    handler: async (message) => {
      if (config.handlerDelayMs)
        await new Promise((resolve) => setTimeout(resolve, config.handlerDelayMs));
      await apply(message);
      handled += 1;
      report(`handled ${message.id} ${String(message.offset)}`);
      if (config.crashAfter !== undefined && handled === config.crashAfter)
        process.kill(process.pid, 'SIGKILL');
    },
  });
  report('ready');
  // The log's timers are unref'ed; keep this worker alive until told to stop.
  const keepAlive = setInterval(() => undefined, 1_000);
  process.once('SIGTERM', () => {
    void log.close().then(async () => {
      await business?.destroy();
      clearInterval(keepAlive);
      report('closed');
    });
  });
}

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const run = config.mode === 'produce' ? produce(config) : consume(config);
run.catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
