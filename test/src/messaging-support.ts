// Brokers for the messaging tests: Kafka through scripts/kafka.sh, RabbitMQ on the machine.
import { execFile } from 'node:child_process';
import { Admin } from '@platformatic/kafka';
import { connect as amqpConnect } from 'amqplib';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KAFKA_SCRIPT = `${ROOT}scripts/kafka.sh`;

/** True when something accepts TCP connections on 127.0.0.1:port within `timeoutMs`. */
export function isPortOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (isOpen: boolean) => {
      socket.destroy();
      resolve(isOpen);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** `scripts/kafka.sh <command>` for the broker on `port`. */
export async function kafkaScript(
  command: 'start' | 'stop' | 'status',
  port: number,
): Promise<void> {
  await run('bash', [KAFKA_SCRIPT, command], {
    env: { ...process.env, KAFKA_PORT: String(port) },
    timeout: 180_000,
  });
}

/**
 * Makes sure a Kafka broker answers on `port`, starting one with scripts/kafka.sh when needed.
 * Returns null when it runs, or the reason it cannot (the caller skips, unless CI=true).
 */
export async function ensureKafka(port: number): Promise<string | null> {
  if (await isPortOpen(port)) return null;
  try {
    await kafkaScript('start', port);
    return null;
  } catch (error) {
    return `no Kafka broker on 127.0.0.1:${port} and scripts/kafka.sh could not start one (${(error as Error).message.split('\n')[0]})`;
  }
}

/** The skip value of a suite whose backend is missing: the reason, or false under CI=true. */
export function skipUnlessCi(reason: string | null): string | false {
  if (reason === null) return false;
  return process.env.CI === 'true' ? false : reason;
}

/** The URL of the machine's RabbitMQ (guest/guest on 127.0.0.1:5672). */
export const RABBIT_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Null when RabbitMQ answers on 5672, else why not. */
export async function rabbitUnavailable(): Promise<string | null> {
  return (await isPortOpen(5672)) ? null : 'no RabbitMQ on 127.0.0.1:5672';
}

/** Runs `rabbitmqctl` with arguments; rejects when it is missing or fails. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}

/** Deletes the exchanges and queues a contract suite declared (`<topic>`, `<topic>.<group>[.dlq]`). */
export async function deleteRabbitNames(created: {
  topics: string[];
  groups: string[];
}): Promise<void> {
  const connection = await amqpConnect(RABBIT_URL);
  try {
    const channel = await connection.createChannel();
    for (const topic of created.topics) {
      for (const group of created.groups) {
        await channel.deleteQueue(`${topic}.${group}`);
        await channel.deleteQueue(`${topic}.${group}.dlq`);
      }
      await channel.deleteExchange(topic);
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Deletes the topics and consumer groups a contract suite used on the broker at `port`. */
export async function deleteKafkaNames(
  port: number,
  created: { topics: string[]; groups: string[] },
): Promise<void> {
  const admin = new Admin({
    clientId: 'contract-cleanup',
    bootstrapBrokers: [`127.0.0.1:${port}`],
    retries: 1,
  });
  try {
    const existing = new Set(await admin.listTopics());
    const topics = created.topics.filter((topic) => existing.has(topic));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.deleteGroups({ groups: created.groups }).catch(() => undefined);
  } finally {
    await admin.close();
  }
}
