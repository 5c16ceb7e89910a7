// Stratus and a Spring Boot 4.0.7 app with spring-cloud-starter-bus-amqp (Spring Cloud 2025.1.4,
// test/interop/spring/bus-amqp) on one RabbitMQ bus: each refreshes when the other's
// /actuator/busrefresh is posted, acks flow both ways, and what Stratus puts on the exchange
// carries the AMQP properties the Java binder writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, type ConsumeMessage } from 'amqplib';
import { RABBIT_URL, rabbitUnavailable, skipUnlessCi } from './messaging-support.js';
import { assertRefreshBothWays, buildFixture, startPair } from './bus-spring-support.js';

const TRACE_HEADERS = /^(traceparent|tracestate|baggage|b3|x-b3-.*)$/i;
const unavailable = await rabbitUnavailable();
const { jar, reason } = unavailable
  ? { jar: null, reason: unavailable }
  : await buildFixture('bus-amqp');
const skip = skipUnlessCi(reason);

void test(
  'a Spring Cloud Bus AMQP app and a Stratus service refresh each other and ack each other on RabbitMQ',
  { skip, timeout: 300_000 },
  async (t) => {
    const pair = await startPair(t, jar!, {
      spring: ['--spring.rabbitmq.host=127.0.0.1'],
      stratus: ['--stratus.messaging.transport=rabbitmq'],
    });
    const connection = await connect(RABBIT_URL);
    t.after(async () => {
      const channel = await connection.createChannel();
      await channel.deleteExchange(pair.destination);
      await connection.close();
    });
    // What is on the exchange, seen from a queue bound as the binders bind theirs.
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      autoDelete: true,
      durable: false,
    });
    await channel.bindQueue(queue, pair.destination, '#');
    const wire: ConsumeMessage[] = [];
    await channel.consume(queue, (message) => void (message && wire.push(message)), {
      noAck: true,
    });

    const { springRefreshId } = await assertRefreshBothWays(pair);

    const refreshFrom = (prefix: string) =>
      wire.find((m) => {
        const body = JSON.parse(m.content.toString()) as { type: string; originService: string };
        return (
          body.type === 'RefreshRemoteApplicationEvent' && body.originService.startsWith(prefix)
        );
      });
    const java = refreshFrom('spring-bus-interop:');
    const stratus = refreshFrom('stratus-bus-interop:');
    assert.ok(java && stratus, 'both refresh events were on the exchange');
    for (const message of [java, stratus]) {
      assert.equal(message.fields.routingKey, pair.destination);
      assert.equal(message.properties.contentType, 'application/json');
      assert.equal(message.properties.deliveryMode, 2);
      // Trace context (W3C / B3) is what Spring adds too once Micrometer Tracing is on its classpath.
      const headers = Object.keys(message.properties.headers ?? {}).filter(
        (name) => !TRACE_HEADERS.test(name),
      );
      assert.deepEqual(headers, []);
      assert.equal(typeof message.properties.messageId, 'string');
    }
    assert.deepEqual(
      Object.keys(JSON.parse(stratus.content.toString())),
      Object.keys(JSON.parse(java.content.toString())),
    );
    const stratusAck = wire
      .map((m) => JSON.parse(m.content.toString()) as Record<string, unknown>)
      .find(
        (body) =>
          body.type === 'AckRemoteApplicationEvent' &&
          body.ackId === springRefreshId &&
          String(body.originService).startsWith('stratus-bus-interop:'),
      );
    assert.ok(stratusAck, 'Stratus acked the Spring refresh on the exchange');
    assert.equal(
      stratusAck.event,
      'org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent',
    );
  },
);
