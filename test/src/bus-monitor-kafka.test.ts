// The config server's /monitor → a bus refresh → 20 Stratus instances (4 processes × 5
// applications) on Kafka: one anonymous consumer group per instance, as Spring Cloud Stream's.
import { test } from 'node:test';
import { assertMonitorRefreshReachesFleet, startFleet } from './bus-fleet.js';
import { deleteKafkaNames, ensureKafka, skipUnlessCi } from './messaging-support.js';

const port = Number(process.env.KAFKA_PORT ?? 9092);
const skip = skipUnlessCi(await ensureKafka(port));

void test(
  'a change announced to /monitor reaches 20 instances on Kafka, each refreshing and acking once',
  { skip, timeout: 180_000 },
  async (t) => {
    const fleet = await startFleet({ transport: 'kafka', processes: 4, perProcess: 5 });
    t.after(async () => {
      await fleet.close();
      await deleteKafkaNames(port, { topics: [fleet.destination], groups: [] });
    });
    await assertMonitorRefreshReachesFleet(fleet, 20);
  },
);
