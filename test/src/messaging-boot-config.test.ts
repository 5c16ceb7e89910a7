// Transport selection from configuration (`stratus.messaging.transport`, Spring's spring.kafka.* /
// spring.rabbitmq.* keys) and the config-repo profiles that switch the shop to a broker.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ConfigEnvironment, parseYamlDocuments } from '@stratus/config';
import { createTransportFromConfig } from '@stratus/boot';
import { createLogger, createSilentLogger } from '@stratus/core';
import type { Transport } from '@stratus/messaging';
import { ROOT } from './messaging-support.js';

function environment(properties: Record<string, unknown>): ConfigEnvironment {
  return new ConfigEnvironment([
    { name: 'test', properties: properties as Record<string, string> },
  ]);
}

function profile(name: string, extra: Record<string, unknown> = {}): ConfigEnvironment {
  const text = readFileSync(`${ROOT}config-repo/application-${name}.yml`, 'utf8');
  const [document] = parseYamlDocuments(text, `application-${name}.yml`);
  return new ConfigEnvironment([
    { name: 'extra', properties: extra as Record<string, string> },
    { name: `application-${name}.yml`, properties: document!.properties },
  ]);
}

function healthSpy(): { names: string[]; register(name: string): void } {
  const names: string[] = [];
  return { names, register: (name: string) => void names.push(name) };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const isBootError = (error: unknown) =>
  (error as { code?: string }).code === 'BOOT_ERR_INVALID_CONFIG';

void test('the embedded log stays the default and registers its health component', async (t) => {
  const health = healthSpy();
  const dataDir = mkdtempSync(join(tmpdir(), 'stratus-messaging-config-'));
  const transport = createTransportFromConfig(
    environment({ 'stratus.data-dir': dataDir }),
    createSilentLogger(),
    { health },
  );
  t.after(async () => {
    await transport.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  assert.equal(transport.kind, 'embedded');
  assert.deepEqual(health.names, ['eventLog']);
  assert.equal((await transport.health()).status, 'UP');
});

void test('the kafka profile selects Kafka with Spring keys, and health is DOWN while no broker answers', async (t) => {
  const port = await closedPort();
  const health = healthSpy();
  const transport: Transport = createTransportFromConfig(
    profile('kafka', { 'spring.kafka.bootstrap-servers': `127.0.0.1:${port}` }),
    createSilentLogger(),
    { health },
  );
  t.after(() => transport.close());
  assert.equal(transport.kind, 'kafka');
  assert.deepEqual(health.names, ['kafka']);
  const down = await transport.health();
  assert.equal(down.status, 'DOWN');
  await assert.rejects(
    transport.publish({ topic: 'order.created', payload: '{}' }),
    (error: unknown) => (error as { code?: string }).code === 'MSG_ERR_PUBLISH_FAILED',
  );
});

void test('the rabbitmq profile selects RabbitMQ; a wrong password is DOWN and never logged', async (t) => {
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
  const logger = createLogger({ name: 'test', level: 'debug', destination });
  const port = await closedPort();
  const transport = createTransportFromConfig(
    profile('rabbitmq', {
      'spring.rabbitmq.port': port,
      'spring.rabbitmq.password': 'not-the-password-4242',
    }),
    logger,
  );
  t.after(() => transport.close());
  assert.equal(transport.kind, 'rabbitmq');
  assert.equal((await transport.health()).status, 'DOWN');
  await assert.rejects(transport.publish({ topic: 'order.created', payload: '{}' }));
  assert.ok(lines.length > 0, 'the failure is logged');
  assert.equal(lines.join('').includes('not-the-password-4242'), false);
});

void test('maps the course key kafka.server.ip and Spring lists of bootstrap servers', (t) => {
  for (const properties of [
    { 'stratus.messaging.transport': 'kafka', 'kafka.server.ip': '127.0.0.1:1' },
    {
      'stratus.messaging.transport': 'kafka',
      'spring.kafka.bootstrap-servers[0]': 'a:1',
      'spring.kafka.bootstrap-servers[1]': 'b:2',
    },
  ]) {
    const transport = createTransportFromConfig(environment(properties), createSilentLogger());
    t.after(() => transport.close());
    assert.equal(transport.kind, 'kafka');
  }
});

void test('rejects an unknown transport and bad broker keys, listing every problem', () => {
  assert.throws(
    () =>
      createTransportFromConfig(
        environment({ 'stratus.messaging.transport': 'zeromq' }),
        createSilentLogger(),
      ),
    isBootError,
  );
  assert.throws(
    () =>
      createTransportFromConfig(
        environment({
          'stratus.messaging.transport': 'kafka',
          'spring.kafka.consumer.auto-offset-reset': 'sometimes',
          'spring.kafka.consumer.properties.session.timeout.ms': 'long',
          'stratus.messaging.retry.initial-interval': 'soon',
        }),
        createSilentLogger(),
      ),
    (error: unknown) =>
      isBootError(error) &&
      (error as { details: { problems: string[] } }).details.problems.length === 3,
  );
});
