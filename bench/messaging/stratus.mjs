// One Stratus run on a transport: subscribe, publish N stamped messages in batches, wait for all.
import { createReceiver, publishAll } from './measure.mjs';

export async function runStratus(makeTransport, { topic, count, batch, bytes, timeoutMs }) {
  const transport = await makeTransport();
  try {
    const receiver = createReceiver(count, timeoutMs);
    await transport.subscribe({
      topics: [topic],
      groupId: `${topic}.stratus`,
      concurrency: 1,
      handler: async (m) => receiver.receive(m.payload),
    });
    const startedAt = performance.now();
    const publishedAt = await publishAll(count, batch, bytes, (items) =>
      transport.publish(
        items.map(({ index, payload }) => ({ topic, key: `k${index % 16}`, payload })),
      ),
    );
    const finishedAt = await receiver.done;
    return receiver.summary(startedAt, publishedAt, finishedAt);
  } finally {
    await transport.close();
  }
}
