import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBusEvent, encodeBusEvent, MAX_BUS_EVENT_BYTES } from './bus-event.js';
import { busHeaders, declaredContentType } from './bus-headers.js';

// Captured from a Spring Boot 4.0.7 app with Spring Cloud Bus 5.0.4 (Spring Cloud 2025.1.4),
// test/interop/spring/bus-kafka and bus-amqp, on Kafka 4.1 and RabbitMQ 3.10: the payloads
// byte for byte, and the headers the binders wrote.
const ORIGIN = 'spring-bus-interop:18081:8e5ce4121fdc8067792e5981c1634825';
const GOLDEN = {
  refresh: `{"type":"RefreshRemoteApplicationEvent","destinationService":"**","id":"7099743b-0ad0-40f1-a630-1a4d3b3da356","originService":"${ORIGIN}","timestamp":1796128604321}`,
  refreshAddressed: `{"type":"RefreshRemoteApplicationEvent","destinationService":"spring-bus-interop:18081:**","id":"a091a4fa-16bd-4512-9697-cd44428bb83b","originService":"${ORIGIN}","timestamp":1796128608309}`,
  ack: `{"type":"AckRemoteApplicationEvent","ackDestinationService":"spring-bus-interop:18081:**","ackId":"a091a4fa-16bd-4512-9697-cd44428bb83b","destinationService":"**","event":"org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent","id":"b43d525b-d470-4d03-af7a-437be4011d0e","originService":"${ORIGIN}","timestamp":1796128608580}`,
  environment: `{"type":"EnvironmentChangeRemoteApplicationEvent","destinationService":"spring-bus-interop:**","id":"3f589b0b-bfd3-4ca9-9586-278f1f53fd26","originService":"${ORIGIN}","timestamp":1796128609684,"values":{"interop.message":"from-env"}}`,
  environmentAck: `{"type":"AckRemoteApplicationEvent","ackDestinationService":"spring-bus-interop:**","ackId":"3f589b0b-bfd3-4ca9-9586-278f1f53fd26","destinationService":"**","event":"org.springframework.cloud.bus.event.EnvironmentChangeRemoteApplicationEvent","id":"c6d9b093-b7cd-4506-a55f-9ce46c5ef137","originService":"${ORIGIN}","timestamp":1796128609745}`,
  shutdown: `{"type":"ShutdownRemoteApplicationEvent","destinationService":"nobody:**","id":"0dc0f6dc-0ace-4d5b-83ca-e9cc00a2ffed","originService":"${ORIGIN}","timestamp":1796128611904}`,
  shutdownAck: `{"type":"AckRemoteApplicationEvent","ackDestinationService":"**","ackId":"acb345a1-d0cf-476a-81bd-f3c31d6be948","destinationService":"**","event":"org.springframework.cloud.bus.event.ShutdownRemoteApplicationEvent","id":"797e98ba-e996-4e3e-b314-88fd7a0acec6","originService":"${ORIGIN}","timestamp":1796128612993}`,
};
const KAFKA_HEADERS = {
  contentType: 'application/json',
  spring_json_header_types: '{"contentType":"java.lang.String"}',
};

test("reads every event type Spring writes and writes it back byte for byte in Spring's JSON", () => {
  for (const [name, payload] of Object.entries(GOLDEN)) {
    const decoded = decodeBusEvent(Buffer.from(payload), 0);
    assert.equal(decoded.kind, 'event', name);
    if (decoded.kind !== 'event') continue;
    assert.equal(encodeBusEvent(decoded.event), payload, name);
  }
});

test('decodes the fields of a refresh, an environment change and an ack', () => {
  const refresh = decodeBusEvent(GOLDEN.refresh, 0);
  assert.deepEqual(refresh, {
    kind: 'event',
    event: {
      type: 'RefreshRemoteApplicationEvent',
      id: '7099743b-0ad0-40f1-a630-1a4d3b3da356',
      originService: ORIGIN,
      destinationService: '**',
      timestamp: 1796128604321,
    },
  });
  const environment = decodeBusEvent(GOLDEN.environment, 0);
  assert.ok(
    environment.kind === 'event' &&
      environment.event.type === 'EnvironmentChangeRemoteApplicationEvent',
  );
  assert.deepEqual({ ...environment.event.values }, { 'interop.message': 'from-env' });
  const ack = decodeBusEvent(GOLDEN.ack, 0);
  assert.ok(ack.kind === 'event' && ack.event.type === 'AckRemoteApplicationEvent');
  assert.equal(ack.event.ackId, 'a091a4fa-16bd-4512-9697-cd44428bb83b');
  assert.equal(
    ack.event.event,
    'org.springframework.cloud.bus.event.RefreshRemoteApplicationEvent',
  );
});

test('writes the headers the Java binders write: Kafka content type headers, the AMQP content_type', () => {
  assert.deepEqual(busHeaders('kafka'), KAFKA_HEADERS);
  assert.deepEqual(busHeaders('rabbitmq'), { 'content-type': 'application/json' });
  assert.equal(declaredContentType(KAFKA_HEADERS), 'application/json');
  assert.equal(declaredContentType({ contentType: '"application/json"' }), 'application/json');
  assert.equal(
    declaredContentType({ 'content-type': 'application/json;charset=UTF-8' }),
    'application/json',
  );
  assert.equal(declaredContentType({}), null);
});

test('an unknown type is reported as unknown, as Spring makes it an UnknownRemoteApplicationEvent', () => {
  const decoded = decodeBusEvent(
    '{"type":"MyCustomRemoteEvent","id":"1","originService":"a","destinationService":"**"}',
    0,
  );
  assert.deepEqual(decoded, { kind: 'unknown', typeInfo: 'MyCustomRemoteEvent' });
});

test('refuses payloads that are not bus events, with the reason', () => {
  const base = {
    type: 'RefreshRemoteApplicationEvent',
    id: 'e1',
    originService: 'a:1:x',
    destinationService: '**',
  };
  const cases: Array<[string, string | Buffer]> = [
    ['not JSON', '{"type":'],
    ['not an object', '[1,2]'],
    ['no type', JSON.stringify({ ...base, type: undefined })],
    ['type not a string', JSON.stringify({ ...base, type: 7 })],
    ['no id', JSON.stringify({ ...base, id: undefined })],
    ['no origin', JSON.stringify({ ...base, originService: undefined })],
    ['no destination', JSON.stringify({ ...base, destinationService: undefined })],
    ['destination not a string', JSON.stringify({ ...base, destinationService: ['**'] })],
    [
      'values not strings',
      JSON.stringify({
        ...base,
        type: 'EnvironmentChangeRemoteApplicationEvent',
        values: { a: { b: 1 } },
      }),
    ],
    [
      'values missing',
      JSON.stringify({ ...base, type: 'EnvironmentChangeRemoteApplicationEvent' }),
    ],
    [
      'ack id not a string',
      JSON.stringify({ ...base, type: 'AckRemoteApplicationEvent', ackId: 5 }),
    ],
    ['huge destination', JSON.stringify({ ...base, destinationService: 'a:'.repeat(5000) })],
    ['oversized', Buffer.alloc(MAX_BUS_EVENT_BYTES + 1, 0x20)],
    ['not UTF-8 JSON', Buffer.from([0xff, 0xfe, 0x00])],
  ];
  for (const [name, payload] of cases) {
    const decoded = decodeBusEvent(payload, 0);
    assert.equal(decoded.kind, 'invalid', name);
  }
});

test('a null destination is kept (everyone), scalars in values become text, a missing timestamp is the receipt time', () => {
  const decoded = decodeBusEvent(
    JSON.stringify({
      type: 'EnvironmentChangeRemoteApplicationEvent',
      id: 'e',
      originService: 'a',
      destinationService: null,
      values: { port: 8080, on: true, __proto__x: 'y' },
    }),
    42,
  );
  assert.ok(
    decoded.kind === 'event' && decoded.event.type === 'EnvironmentChangeRemoteApplicationEvent',
  );
  assert.equal(decoded.event.destinationService, null);
  assert.equal(decoded.event.timestamp, 42);
  assert.deepEqual({ ...decoded.event.values }, { port: '8080', on: 'true', __proto__x: 'y' });
});
