// Stratus and a Spring Boot 4.0.7 app with spring-cloud-starter-bus-kafka (Spring Cloud 2025.1.4,
// test/interop/spring/bus-kafka) on one Kafka bus: each refreshes when the other's
// /actuator/busrefresh is posted, acks flow both ways, and what Stratus puts on the topic
// carries the record headers the Java binder writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKafkaTransport, type Message } from '@stratus/messaging';
import { deleteKafkaNames, ensureKafka, skipUnlessCi } from './messaging-support.js';
import { assertRefreshBothWays, buildFixture, startPair } from './bus-spring-support.js';

const port = Number(process.env.KAFKA_PORT ?? 9092);
const brokers = `127.0.0.1:${port}`;
const unavailable = await ensureKafka(port);
const { jar, reason } = unavailable
  ? { jar: null, reason: unavailable }
  : await buildFixture('bus-kafka');
const skip = skipUnlessCi(reason);

void test(
  'a Spring Cloud Bus Kafka app and a Stratus service refresh each other and ack each other on Kafka',
  { skip, timeout: 300_000 },
  async (t) => {
    const pair = await startPair(t, jar!, {
      spring: [`--spring.kafka.bootstrap-servers=${brokers}`],
      stratus: [
        '--stratus.messaging.transport=kafka',
        `--spring.kafka.bootstrap-servers=${brokers}`,
      ],
    });
    // What is on the topic, read by a plain subscriber.
    const raw = createKafkaTransport({ bootstrapServers: [brokers], clientId: 'bus-interop-wire' });
    t.after(async () => {
      await raw.close();
      await deleteKafkaNames(port, { topics: [pair.destination], groups: [] });
    });
    const wire: Message[] = [];
    await raw.subscribe({
      topics: [pair.destination],
      broadcast: true,
      handler: async (m) => void wire.push(m),
    });

    const { springRefreshId } = await assertRefreshBothWays(pair);

    const refreshFrom = (prefix: string) =>
      wire.find((m) => {
        const body = m.json<{ type: string; originService: string }>();
        return (
          body.type === 'RefreshRemoteApplicationEvent' && body.originService.startsWith(prefix)
        );
      });
    const java = refreshFrom('spring-bus-interop:');
    const stratus = refreshFrom('stratus-bus-interop:');
    assert.ok(java && stratus, 'both refresh events were on the topic');
    assert.deepEqual(java.headers, {
      contentType: 'application/json',
      spring_json_header_types: '{"contentType":"java.lang.String"}',
    });
    for (const [name, value] of Object.entries(java.headers))
      assert.equal(stratus.headers[name], value, name);
    assert.equal(java.key, null);
    assert.equal(stratus.key, null);
    assert.deepEqual(Object.keys(stratus.json<object>()), Object.keys(java.json<object>()));
    const stratusAck = wire
      .map((m) => m.json<Record<string, unknown>>())
      .find(
        (body) =>
          body.type === 'AckRemoteApplicationEvent' &&
          body.ackId === springRefreshId &&
          String(body.originService).startsWith('stratus-bus-interop:'),
      );
    assert.ok(stratusAck, 'Stratus acked the Spring refresh on the topic');
    assert.equal(
      stratusAck.event,
      'org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent',
    );
  },
);
