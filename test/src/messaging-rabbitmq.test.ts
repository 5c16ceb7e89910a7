// The transport contract on the machine's RabbitMQ (127.0.0.1:5672, guest/guest).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { connect } from 'amqplib';
import { createRabbitTransport } from '@stratus/messaging';
import { runTransportContract } from '@stratus/messaging/testing';
import {
  RABBIT_URL,
  deleteRabbitNames,
  rabbitUnavailable,
  skipUnlessCi,
} from './messaging-support.js';

const skip = skipUnlessCi(await rabbitUnavailable());

runTransportContract(
  'rabbitmq',
  async () => createRabbitTransport({ host: '127.0.0.1', port: 5672, connectionName: 'contract' }),
  { skip, cleanup: deleteRabbitNames },
);

void test(
  'a subscription whose queue an operator deletes declares it again and goes on',
  { skip, timeout: 60_000 },
  async (t) => {
    const transport = createRabbitTransport({ connectionName: 'queue-deleted' });
    const topic = `rabbit.deleted.${randomUUID().slice(0, 8)}`;
    const group = 'g';
    t.after(async () => {
      await transport.close();
      await deleteRabbitNames({ topics: [topic, `${topic}.DLT`], groups: [group] });
    });
    const received: string[] = [];
    await transport.subscribe({
      topics: [topic],
      groupId: group,
      handler: async (m) => void received.push(m.text()),
    });
    await transport.publish({ topic, payload: 'before' });
    await waitUntil(() => received.includes('before'));
    const connection = await connect(RABBIT_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(`${topic}.${group}`);
    await connection.close();
    // The queue comes back with the next channel; publish until a message reaches it.
    await waitUntil(async () => {
      await transport.publish({ topic, payload: 'after' });
      return received.includes('after');
    });
  },
);

async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
