// The config server's /monitor → a bus refresh → 20 Stratus instances (4 processes × 5
// applications) on RabbitMQ: a topic exchange and one exclusive auto-delete queue per instance.
import { test } from 'node:test';
import { connect } from 'amqplib';
import { assertMonitorRefreshReachesFleet, startFleet } from './bus-fleet.js';
import { RABBIT_URL, rabbitUnavailable, skipUnlessCi } from './messaging-support.js';

const skip = skipUnlessCi(await rabbitUnavailable());

void test(
  'a change announced to /monitor reaches 20 instances on RabbitMQ, each refreshing and acking once',
  { skip, timeout: 180_000 },
  async (t) => {
    const fleet = await startFleet({ transport: 'rabbitmq', processes: 4, perProcess: 5 });
    t.after(async () => {
      await fleet.close();
      const connection = await connect(RABBIT_URL);
      const channel = await connection.createChannel();
      await channel.deleteExchange(fleet.destination);
      await connection.close();
    });
    await assertMonitorRefreshReachesFleet(fleet, 20);
  },
);
