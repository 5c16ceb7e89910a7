// The shop with the course's Java catalog-service (test/interop/spring/java-catalog: Eureka
// client, config client, @KafkaListener, JPA on H2) in place of the Stratus one, started from
// the example manifest examples/java-catalog/stratus.yml as `stratus up -f` does. The whole flow
// passes through the Stratus gateway, and the order saga runs across TypeScript and Java on
// Kafka: order-service publishes the course's OrderDto, the Java service takes the stock and
// answers on the stock topics, order-service confirms or rejects the order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadManifest, startStack, type StackManifest } from '@stratus/cli';
import { call, eventually, freePort, tempDir, SEEDED_STOCK } from './support.js';
import { ensureKafka } from './messaging-support.js';
import { signUpAndLogIn } from './tracing-support.js';
import { ROOT, skipUnlessCi, springJars } from './interop-support.js';

const { reason: springReason } = await springJars('java-catalog');
const skip = skipUnlessCi(springReason ?? (await ensureKafka(9092)));

interface Product {
  productId: string;
  productName: string;
  stock: number;
  unitPrice: number;
}
interface Order {
  orderId: string;
  productId: string;
  qty: number;
  status: string;
}

/**
 * A copy of config-repo whose java-catalog profile names topics of this run only: the shared
 * broker keeps topics and consumer offsets between runs, and the Java service's consumer group
 * is the course's fixed `consumerGroupId`. Both sides read the names from the config server.
 */
async function configRepoOfThisRun(dir: string): Promise<string> {
  const repo = join(dir, 'config-repo');
  await cp(resolve(ROOT, 'config-repo'), repo, { recursive: true });
  const run = randomBytes(4).toString('hex');
  const profile = join(repo, 'application-java-catalog.yml');
  const source = await readFile(profile, 'utf8');
  assert.match(source, /topic: example-catalog-topic\n/);
  await writeFile(
    profile,
    source.replace('topic: example-catalog-topic\n', `topic: example-catalog-topic-${run}\n`) +
      [
        '    stock-reserved:',
        `      topic: stock.reserved.${run}`,
        '    stock-rejected:',
        `      topic: stock.rejected.${run}`,
        '',
      ].join('\n'),
  );
  return repo;
}

/** The example manifest with the Java service on a free port instead of its fixed one. */
async function exampleManifest(): Promise<StackManifest> {
  const manifest = loadManifest(resolve(ROOT, 'examples/java-catalog/stratus.yml'));
  const catalogPort = await freePort();
  return {
    ...manifest,
    processes: manifest.processes.map((p) =>
      p.name === 'catalog-service' ? { ...p, port: catalogPort } : p,
    ),
  };
}

test(
  'the shop runs with the Java catalog-service: the flow passes through the Stratus gateway and the order saga crosses Java and TypeScript on Kafka',
  { skip, timeout: 420_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-interop-shop-');
    // The combined log, kept for failure messages.
    const lines: string[] = [];
    const log = new PassThrough();
    log.on('data', (chunk: Buffer) => {
      // The gateway logs every request; keep the services' lines.
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => !/^\s*apigateway-service/.test(l)),
      );
      if (lines.length > 4_000) lines.splice(0, 2_000);
    });
    const logOf = (name: string) =>
      lines
        .filter((line) => new RegExp(`^\\s*${name}\\s*\\|`).test(line))
        .slice(-40)
        .join('\n');
    const stack = await startStack({
      manifest: await exampleManifest(),
      dataDir: join(dir, 'data'),
      configRepo: await configRepoOfThisRun(dir),
      registryPort: await freePort(),
      configPort: await freePort(),
      gatewayPort: await freePort(),
      output: log,
      // A JVM's start on a busy two-core machine can take minutes.
      startTimeoutMs: 300_000,
    });
    t.after(() => stack.stop());
    const gateway = stack.urls.gateway;

    const health = await call<string>(`${gateway}/catalog-service/health_check`);
    assert.equal(health.status, 200);
    assert.match(health.body, /^It's Working in Catalog Service on PORT \d+$/, 'the Java one');

    const before = await call<Product[]>(`${gateway}/catalog-service/catalogs`);
    assert.equal(before.status, 200);
    assert.deepEqual(
      before.body.map((p) => [p.productId, p.stock]),
      SEEDED_STOCK,
    );
    // The fields of Stratus's catalog-service (services/catalog/src/routes.ts), dates as ISO text.
    assert.deepEqual(Object.keys(before.body[0]!).sort(), [
      'createdAt',
      'productId',
      'productName',
      'stock',
      'unitPrice',
    ]);

    const { userId, token } = await signUpAndLogIn(gateway);
    const auth = { authorization: `Bearer ${token}` };
    const place = async (productId: string, qty: number) => {
      const order = await call<Order>(`${gateway}/order-service/${userId}/orders`, {
        json: { productId, qty, unitPrice: 1000 },
        headers: auth,
      });
      assert.equal(order.status, 201, JSON.stringify(order.body));
      assert.equal(order.body.status, 'PENDING');
      return order.body.orderId;
    };
    const fits = await place('CATALOG-001', 7);
    const tooMany = await place('CATALOG-002', 500);
    const unknown = await place('CATALOG-404', 1);

    const settled = await eventually(
      'the Java catalog answered every order',
      async () => {
        const list = await call<Order[]>(`${gateway}/order-service/${userId}/orders`, {
          headers: auth,
        });
        return list.status === 200 &&
          list.body.length === 3 &&
          list.body.every((o) => o.status !== 'PENDING')
          ? list.body
          : undefined;
      },
      120_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${(error as Error).message}\n${logOf('order-service')}\n${logOf('catalog-service')}`,
      );
    });
    const statusOf = (id: string) => settled.find((o) => o.orderId === id)?.status;
    assert.equal(statusOf(fits), 'CONFIRMED');
    assert.equal(statusOf(tooMany), 'REJECTED');
    assert.equal(statusOf(unknown), 'REJECTED');

    const after = await call<Product[]>(`${gateway}/catalog-service/catalogs`);
    assert.deepEqual(
      after.body.map((p) => [p.productId, p.stock]),
      [
        ['CATALOG-001', 93],
        ['CATALOG-002', 110],
        ['CATALOG-003', 120],
      ],
    );
    const one = await call<Product>(`${gateway}/catalog-service/catalogs/CATALOG-001`);
    assert.equal(one.status, 200);
    assert.equal(one.body.stock, 93);
    const missing = await call(`${gateway}/catalog-service/catalogs/CATALOG-404`);
    assert.equal(missing.status, 404);
  },
);
