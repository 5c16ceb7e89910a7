// Stratus and a Spring Boot 4 app with spring-kafka (test/interop/spring/kafka) read each other's
// order events on a real broker: a String listener as in the course's catalog-service, a JSON
// listener picking its class from the __TypeId__ header Stratus writes, and the reverse way with
// Spring's StringSerializer and JSON serializer.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { Admin } from '@platformatic/kafka';
import {
  createJsonSerde,
  createKafkaTransport,
  TYPE_ID_HEADER,
  type Message,
} from '@stratus/messaging';
import { ROOT, ensureKafka, skipUnlessCi } from './messaging-support.js';

const run = promisify(execFile);
const port = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = [`127.0.0.1:${port}`];

interface OrderDto {
  productId: string;
  qty: number;
  unitPrice: number;
  totalPrice: number;
  orderId: string;
  userId: string;
}

async function buildJar(): Promise<{ jar: string | null; reason: string | null }> {
  const kafka = await ensureKafka(port);
  if (kafka) return { jar: null, reason: kafka };
  try {
    const { stdout } = await run('bash', [`${ROOT}test/interop/spring/build.sh`, 'kafka'], {
      timeout: 600_000,
    });
    return { jar: stdout.trim().split('\n').pop() ?? null, reason: null };
  } catch (error) {
    return {
      jar: null,
      reason: `the Spring fixture did not build: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

const { jar, reason } = await buildJar();
const skip = skipUnlessCi(reason);

/** Starts the Spring app; collects its `CONSUMED`/`SENT` lines. */
function startSpring(flags: string[]): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
} {
  const child = spawn(
    'java',
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-jar', jar!, ...flags],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((line) => /^(CONSUMED|SENT) /.test(line)));
  });
  child.stderr!.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, lines, exited };
}

async function deleteCreated(names: string[], groups: string[]): Promise<void> {
  const admin = new Admin({ clientId: 'interop-cleanup', bootstrapBrokers: brokers });
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [...names, ...names.map((n) => `${n}.DLT`)].filter((n) => existing.has(n));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.deleteGroups({ groups }).catch(() => undefined);
  } finally {
    await admin.close();
  }
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void test(
  'a spring-kafka app consumes the order events Stratus publishes, and Stratus consumes the ones it produces',
  { skip, timeout: 240_000 },
  async (t) => {
    const run = randomUUID().slice(0, 8);
    const topics = {
      stratus: `interop.${run}.from-stratus`,
      typed: `interop.${run}.from-stratus-typed`,
      java: `interop.${run}.from-java`,
      javaJson: `interop.${run}.from-java-json`,
    };
    const transport = createKafkaTransport({ bootstrapServers: brokers, clientId: 'interop' });
    t.after(() => transport.close());

    const order: OrderDto = {
      productId: 'CATALOG-001',
      qty: 2,
      unitPrice: 1500,
      totalPrice: 3000,
      orderId: `order-${run}`,
      userId: 'user-1',
    };
    // The course's order-service: the OrderDto as JSON text, a String key.
    await transport.publish({
      topic: topics.stratus,
      key: order.orderId,
      headers: { 'x-trace': 'abc' },
      payload: JSON.stringify(order),
    });
    // Spring's JSON deserializer resolves the `order` token through spring.json.type.mapping.
    const orders = createJsonSerde<OrderDto>({ typeId: 'order' });
    await transport.publish({ topic: topics.typed, key: order.orderId, ...orders.encode(order) });

    const received: Message<OrderDto>[] = [];
    await transport.subscribe({
      topics: [topics.java, topics.javaJson],
      groupId: `stratus-${run}`,
      deserializer: createJsonSerde<OrderDto>({ acceptTypeIds: ['stratus.interop.OrderDto'] }),
      handler: async (m) => void received.push(m),
    });

    const spring = startSpring([
      `--spring.kafka.bootstrap-servers=${brokers.join(',')}`,
      `--interop.stratus-topic=${topics.stratus}`,
      `--interop.typed-topic=${topics.typed}`,
      `--interop.java-topic=${topics.java}`,
      `--interop.java-json-topic=${topics.javaJson}`,
      `--interop.group=spring-${run}`,
    ]);
    // One hook, in order: the Java consumers must be gone before the topics are deleted, or
    // their metadata requests would create the topics again.
    t.after(async () => {
      spring.child.kill('SIGTERM');
      const killer = setTimeout(() => spring.child.kill('SIGKILL'), 10_000);
      await spring.exited;
      clearTimeout(killer);
      await transport.close();
      await deleteCreated(Object.values(topics), [`spring-${run}`, `stratus-${run}`]);
    });

    const consumed = () =>
      spring.lines
        .filter((l) => l.startsWith('CONSUMED '))
        .map((l) => JSON.parse(l.slice(9)) as Record<string, any>);
    await waitFor('the Spring listeners', () => consumed().length >= 2);
    const plain = consumed().find((c) => c.listener === 'plain');
    const typed = consumed().find((c) => c.listener === 'typed');
    assert.deepEqual(plain?.order, order);
    assert.equal(plain?.key, order.orderId);
    assert.equal(plain?.headers['x-trace'], 'abc', 'custom headers reach the Java side');
    assert.deepEqual(typed?.order, order, '__TypeId__ mapped to the Java class');

    await waitFor('the events Spring produced', () => received.length >= 2);
    const fromString = received.find((m) => m.topic === topics.java);
    const fromJson = received.find((m) => m.topic === topics.javaJson);
    assert.equal(fromString?.value.orderId, 'order-from-java-1');
    assert.equal(fromString?.key, 'order-from-java-1');
    assert.equal(fromString?.value.qty, 3);
    assert.equal(fromJson?.value.productId, 'CATALOG-003');
    assert.equal(fromJson?.headers[TYPE_ID_HEADER], 'stratus.interop.OrderDto');
    assert.match(
      fromJson?.id ?? '',
      /^interop\..*-\d+-\d+$/,
      'a foreign message gets <topic>-<partition>-<offset> as id',
    );
  },
);
