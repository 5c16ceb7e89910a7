// The transport contract on a real Kafka broker (scripts/kafka.sh, 127.0.0.1:9092 by default).
import { createKafkaTransport } from '@stratus/messaging';
import { runTransportContract } from '@stratus/messaging/testing';
import { deleteKafkaNames, ensureKafka, skipUnlessCi } from './messaging-support.js';

const port = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = [`127.0.0.1:${port}`];
const skip = skipUnlessCi(await ensureKafka(port));

runTransportContract(
  'kafka',
  async () =>
    createKafkaTransport({
      bootstrapServers: brokers,
      clientId: 'contract',
      topics: { partitions: 3 },
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitMs: 50 },
    }),
  { skip, cleanup: (created) => deleteKafkaNames(port, created), timeoutMs: 20_000 },
);
