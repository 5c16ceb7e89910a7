// The same work with @platformatic/kafka alone: an idempotent producer (acks=all) sending batches,
// one consumer-group member reading with manual commits (one commit in flight, as Stratus does).
import { Consumer, Producer, compatibilityPartitioner } from '@platformatic/kafka';
import { createReceiver, publishAll } from './measure.mjs';

export async function runRawKafka(brokers, { topic, count, batch, bytes, timeoutMs }) {
  const producer = new Producer({
    clientId: 'bench-raw',
    bootstrapBrokers: brokers,
    idempotent: true,
    retries: 3,
    partitioner: compatibilityPartitioner,
    autocreateTopics: true,
  });
  const consumer = new Consumer({
    clientId: 'bench-raw-c',
    groupId: `${topic}.raw`,
    bootstrapBrokers: brokers,
    autocommit: false,
    maxWaitTime: 100,
    highWaterMark: 256,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    autocreateTopics: true,
  });
  try {
    const receiver = createReceiver(count, timeoutMs);
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'committed',
      fallbackMode: 'earliest',
    });
    await new Promise((resolve) => stream.once('offsets', resolve));
    let committing = null;
    let latest = null;
    const flush = async () => {
      while (latest) {
        const message = latest;
        latest = null;
        await message.commit();
      }
      committing = null;
    };
    const reading = (async () => {
      for await (const message of stream) {
        receiver.receive(message.value);
        latest = message;
        committing ??= flush();
      }
    })();
    const startedAt = performance.now();
    const publishedAt = await publishAll(count, batch, bytes, (items) =>
      producer.send({
        messages: items.map(({ index, payload }) => ({
          topic,
          key: Buffer.from(`k${index % 16}`),
          value: payload,
        })),
      }),
    );
    const finishedAt = await receiver.done;
    await committing;
    await stream.close();
    await reading.catch(() => undefined);
    return receiver.summary(startedAt, publishedAt, finishedAt);
  } finally {
    await consumer.close(true).catch(() => undefined);
    await producer.close().catch(() => undefined);
  }
}
