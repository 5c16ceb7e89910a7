// No loss across a Kafka broker restart. The broker is a separate one on its own port (started
// and stopped here through scripts/kafka.sh), so the development broker on 9092 is never touched.
import { after } from 'node:test';
import { createKafkaTransport } from '@stratus/messaging';
import { runBrokerRestartContract } from '@stratus/messaging/testing';
import { deleteKafkaNames, ensureKafka, kafkaScript, skipUnlessCi } from './messaging-support.js';

const port = Number(process.env.KAFKA_RESTART_TEST_PORT ?? 19_192);
const skip = skipUnlessCi(await ensureKafka(port));

runBrokerRestartContract(
  'kafka',
  async () =>
    createKafkaTransport({
      bootstrapServers: [`127.0.0.1:${port}`],
      clientId: 'restart',
      topics: { partitions: 1 },
      requestTimeoutMs: 2_000,
      reconnectMaxMs: 2_000,
      consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitMs: 50 },
    }),
  { stop: () => kafkaScript('stop', port), start: () => kafkaScript('start', port) },
  { skip, timeoutMs: 45_000, cleanup: (created) => deleteKafkaNames(port, created) },
);
// Registered after the suite's cleanup, which needs the broker: hooks run in registration order.
after(() => kafkaScript('stop', port).catch(() => undefined));
