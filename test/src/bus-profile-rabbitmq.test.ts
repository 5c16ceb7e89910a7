// `SPRING_PROFILES_ACTIVE=rabbitmq npm start` puts the bus on RabbitMQ for every process of the
// default stack, the config server included: a change announced to its /monitor reaches
// user-service over the broker, which acks it there. (The config server does not read its own
// repository; its profile file packages/config-server/application-rabbitmq.yml selects the broker.)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { connect } from 'amqplib';
import { startStack } from '@stratus/cli';
import { RABBIT_URL, rabbitUnavailable, skipUnlessCi } from './messaging-support.js';
import { eventually, freePort, tempDir } from './support.js';

const skip = skipUnlessCi(await rabbitUnavailable());

interface BusMessage {
  type: string;
  originService: string;
  destinationService: string;
  id: string;
  ackId?: string;
}

void test(
  "with the rabbitmq profile, /monitor on the stack's config server refreshes user-service over RabbitMQ, and its ack comes back there",
  { skip, timeout: 180_000 },
  async (t) => {
    // A bus of its own: the broker is shared with other tests and with `npm start`.
    const destination = `springCloudBus.${randomUUID().slice(0, 8)}`;
    const connection = await connect(RABBIT_URL);
    t.after(async () => {
      const cleanup = await connection.createChannel();
      await cleanup.deleteExchange(destination);
      await connection.close();
    });
    const channel = await connection.createChannel();
    await channel.assertExchange(destination, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      durable: false,
    });
    await channel.bindQueue(queue, destination, '#');
    const wire: BusMessage[] = [];
    await channel.consume(
      queue,
      (m) => void (m && wire.push(JSON.parse(m.content.toString()) as BusMessage)),
      { noAck: true },
    );

    const dataDir = await tempDir(t, 'stratus-bus-profile-');
    const stack = await startStack({
      dataDir,
      only: ['user-service'],
      registryPort: await freePort(),
      configPort: await freePort(),
      env: { ...process.env, SPRING_PROFILES_ACTIVE: 'rabbitmq' },
      flags: [`--spring.cloud.bus.destination=${destination}`],
      output: null,
    });
    t.after(() => stack.stop());

    const monitor = await fetch(`${stack.urls.configServer}/monitor`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'path=user-service.yml',
    });
    assert.equal(monitor.status, 200);
    const refresh = await eventually(
      'the refresh from the config server on the exchange',
      async () =>
        wire.find(
          (m) =>
            m.type === 'RefreshRemoteApplicationEvent' &&
            m.originService.startsWith('config-service:') &&
            m.destinationService === 'user-service:**',
        ),
    );
    const ack = await eventually("user-service's ack on the exchange", async () =>
      wire.find(
        (m) =>
          m.type === 'AckRemoteApplicationEvent' &&
          m.ackId === refresh.id &&
          m.originService.startsWith('user-service:'),
      ),
    );
    assert.match(ack.originService, /^user-service:rabbitmq:/);
  },
);
