// The same work with amqplib alone: a confirm channel publishing batches to a topic exchange, one
// durable queue with prefetch 250 and a manual ack per message.
import { connect } from 'amqplib';
import { createReceiver, publishAll } from './measure.mjs';

export async function runRawRabbit(url, { topic, count, batch, bytes, timeoutMs }) {
  const connection = await connect(url);
  try {
    const publisher = await connection.createConfirmChannel();
    const consumer = await connection.createChannel();
    const queue = `${topic}.raw`;
    await publisher.assertExchange(topic, 'topic', { durable: true });
    await consumer.assertQueue(queue, { durable: true });
    await consumer.bindQueue(queue, topic, '#');
    await consumer.prefetch(250);
    const receiver = createReceiver(count, timeoutMs);
    await consumer.consume(queue, (message) => {
      if (!message) return;
      receiver.receive(message.content);
      consumer.ack(message);
    });
    const startedAt = performance.now();
    const publishedAt = await publishAll(count, batch, bytes, async (items) => {
      for (const { index, payload } of items) {
        publisher.publish(topic, topic, payload, {
          persistent: true,
          messageId: String(index),
          headers: { 'stratus-key': `k${index % 16}` },
        });
      }
      await publisher.waitForConfirms();
    });
    const finishedAt = await receiver.done;
    await consumer.deleteQueue(queue);
    await publisher.deleteExchange(topic);
    return receiver.summary(startedAt, publishedAt, finishedAt);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
