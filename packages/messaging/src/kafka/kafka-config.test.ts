import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Secret } from '@stratus/core';
import { DLT_HEADERS } from '../dead-letter.js';
import { fromKafkaHeaders, MESSAGE_ID_HEADER, toKafkaHeaders } from './kafka-headers.js';
import { resolveKafkaOptions } from './kafka-options.js';
import { kafkaPropertyOptions } from './kafka-properties.js';

void test('writes Spring Kafka DLT partition, offset and timestamp headers as big-endian binary and reads them back as text', () => {
  const encoded = toKafkaHeaders(
    {
      [DLT_HEADERS.originalPartition]: '2',
      [DLT_HEADERS.originalOffset]: '9007199254740993',
      'x-a': 'b',
    },
    'id-1',
  );
  const byName = new Map([...encoded].map(([k, v]) => [k.toString(), v]));
  assert.deepEqual(byName.get(DLT_HEADERS.originalPartition), Buffer.from([0, 0, 0, 2]));
  assert.equal(byName.get(DLT_HEADERS.originalOffset)?.readBigInt64BE(), 9007199254740993n);
  assert.equal(byName.get(MESSAGE_ID_HEADER)?.toString(), 'id-1');
  const decoded = fromKafkaHeaders(encoded);
  assert.equal(decoded.id, 'id-1');
  assert.deepEqual(decoded.headers, {
    [DLT_HEADERS.originalPartition]: '2',
    [DLT_HEADERS.originalOffset]: '9007199254740993',
    'x-a': 'b',
  });
  assert.deepEqual(fromKafkaHeaders(new Map([[Buffer.from('k'), null]])), {
    headers: { k: '' },
    id: null,
  });
});

void test('maps Kafka client properties and keeps the SASL password a Secret', () => {
  const mapped = kafkaPropertyOptions({
    'session.timeout.ms': '15000',
    acks: '1',
    'enable.idempotence': 'false',
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config':
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="s3cret";',
    'max.poll.records': '10',
    'heartbeat.interval.ms': 'soon',
  });
  assert.equal(mapped.consumer.sessionTimeoutMs, 15_000);
  assert.equal(mapped.producer.acks, '1');
  assert.equal(mapped.producer.idempotent, false);
  assert.equal(mapped.tls, true);
  assert.equal(mapped.sasl?.mechanism, 'SCRAM-SHA-512');
  assert.ok(mapped.sasl?.password instanceof Secret);
  assert.equal(JSON.stringify(mapped).includes('s3cret'), false, 'the password never prints');
  assert.deepEqual(mapped.ignored, ['max.poll.records']);
  assert.deepEqual(mapped.problems, ['heartbeat.interval.ms must be a positive number']);
});

void test('rejects bad Kafka options listing every problem', () => {
  assert.throws(
    () =>
      resolveKafkaOptions({
        bootstrapServers: ['no-port'],
        producer: { acks: '1', idempotent: true },
        consumer: { sessionTimeoutMs: 1000, heartbeatIntervalMs: 2000, concurrency: 0 },
      }),
    (error: unknown) => {
      const { code, details } = error as { code: string; details: { problems: string[] } };
      assert.equal(code, 'MSG_ERR_INVALID_OPTIONS');
      assert.equal(details.problems.length, 4, details.problems.join('\n'));
      return true;
    },
  );
  const defaults = resolveKafkaOptions({ bootstrapServers: ['127.0.0.1:9092'] });
  assert.equal(defaults.acks, -1);
  assert.equal(defaults.isIdempotent, true);
  assert.equal(
    resolveKafkaOptions({ bootstrapServers: ['h:1'], producer: { acks: 1 } }).isIdempotent,
    false,
  );
});
