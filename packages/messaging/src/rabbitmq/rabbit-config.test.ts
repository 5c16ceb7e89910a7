import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsumeMessage } from 'amqplib';
import { fromAmqp, KEY_HEADER, toAmqp } from './rabbit-message.js';
import { resolveRabbitOptions } from './rabbit-options.js';
import { anonymousQueue, deadLetterQueue, groupQueue } from './rabbit-topology.js';

void test('maps a message to AMQP properties as Spring AMQP writes them, and back', () => {
  const { content, options } = toAmqp({
    topic: 'springCloudBus',
    key: 'k1',
    id: 'id-1',
    headers: { 'content-type': 'application/json', 'x-a': 'b' },
    payload: Buffer.from('{}'),
  });
  assert.equal(options.persistent, true);
  assert.equal(options.messageId, 'id-1');
  assert.equal(options.contentType, 'application/json');
  assert.deepEqual(options.headers, { 'x-a': 'b', [KEY_HEADER]: 'k1' });
  const delivery = {
    content,
    fields: {
      deliveryTag: 7,
      redelivered: false,
      exchange: 'springCloudBus',
      routingKey: 'x',
      consumerTag: 'c',
    },
    properties: {
      ...options,
      headers: { ...options.headers, count: 3, raw: Buffer.from('r') },
      timestamp: 1_700_000_000,
    },
  } as unknown as ConsumeMessage;
  const message = fromAmqp(delivery, 'springCloudBus');
  assert.equal(message.id, 'id-1');
  assert.equal(message.key, 'k1');
  assert.equal(message.offset, 7);
  assert.equal(message.timestamp, 1_700_000_000_000);
  assert.deepEqual(
    { ...message.headers },
    { 'x-a': 'b', count: '3', raw: 'r', 'content-type': 'application/json' },
  );
});

void test('gives a message without message_id a stable id derived from its content', () => {
  const delivery = (tag: number) =>
    ({
      content: Buffer.from('hello'),
      fields: {
        deliveryTag: tag,
        redelivered: tag > 1,
        exchange: 'e',
        routingKey: 'r',
        consumerTag: 'c',
      },
      properties: { headers: {}, timestamp: 5 },
    }) as unknown as ConsumeMessage;
  assert.equal(fromAmqp(delivery(1), 'e').id, fromAmqp(delivery(2), 'e').id);
  assert.match(fromAmqp(delivery(1), 'e').id, /^amqp-[0-9a-f]{32}$/);
});

void test('names queues as the Spring Cloud Stream Rabbit binder does', () => {
  assert.equal(groupQueue('order.created', 'catalog-service'), 'order.created.catalog-service');
  assert.equal(
    deadLetterQueue('order.created', 'catalog-service'),
    'order.created.catalog-service.dlq',
  );
  assert.match(anonymousQueue('springCloudBus'), /^springCloudBus\.anonymous\.[A-Za-z0-9_-]{22}$/);
});

void test('rejects bad RabbitMQ options listing every problem, and hides the password', () => {
  assert.throws(
    () =>
      resolveRabbitOptions({
        host: 'a b',
        port: 70_000,
        prefetch: 0,
        requiredGroups: { 'bad topic': ['g'] },
      }),
    (error: unknown) =>
      (error as { details: { problems: string[] } }).details.problems.length === 4,
  );
  const options = resolveRabbitOptions({ password: 'hunter2' });
  assert.equal(JSON.stringify(options).includes('hunter2'), false);
  assert.equal(options.password.reveal(), 'hunter2');
  assert.equal(options.port, 5672);
});
