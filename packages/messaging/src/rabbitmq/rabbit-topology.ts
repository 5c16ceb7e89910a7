import { randomBytes } from 'node:crypto';
import type { Channel } from 'amqplib';
import { deadLetterTopic } from '../internal/names.js';

/**
 * Names and declarations on RabbitMQ, following Spring Cloud Stream's Rabbit binder:
 * - a topic is a durable **topic exchange** of the same name;
 * - a consumer group is a durable queue `<topic>.<group>`, bound with `#`;
 * - dead letters go to the topic exchange `<topic>.DLT` (Spring Kafka's name, so every
 *   transport dead-letters to the same topic) with the group as routing key, and a durable
 *   queue `<topic>.<group>.dlq` (the binder's DLQ name) keeps those of its group. The group
 *   queue names that exchange as its `x-dead-letter-exchange`, so messages the broker itself
 *   dead-letters land there too;
 * - a broadcast subscription is an exclusive auto-delete queue
 *   `<topic>.anonymous.<22 base64url characters>`, as Spring Cloud Bus's queues are named.
 */
export const EXCHANGE_TYPE = 'topic';

export function groupQueue(topic: string, group: string): string {
  return `${topic}.${group}`;
}

export function deadLetterQueue(topic: string, group: string): string {
  return `${topic}.${group}.dlq`;
}

export function anonymousQueue(topic: string): string {
  return `${topic}.anonymous.${randomBytes(16).toString('base64url')}`;
}

export async function declareExchange(channel: Channel, topic: string): Promise<void> {
  await channel.assertExchange(topic, EXCHANGE_TYPE, { durable: true, autoDelete: false });
}

/**
 * Declares a group's queue, its binding, and its dead-letter exchange and queue. The arguments
 * are the same on every declaration (RabbitMQ refuses a redeclaration that differs).
 */
export async function declareGroupQueue(
  channel: Channel,
  topic: string,
  group: string,
): Promise<string> {
  const dlt = deadLetterTopic(topic);
  const queue = groupQueue(topic, group);
  await declareExchange(channel, topic);
  await declareExchange(channel, dlt);
  await channel.assertQueue(deadLetterQueue(topic, group), { durable: true });
  await channel.bindQueue(deadLetterQueue(topic, group), dlt, group);
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': dlt, 'x-dead-letter-routing-key': group },
  });
  await channel.bindQueue(queue, topic, '#');
  return queue;
}

/** Declares a broadcast subscription's exclusive, auto-delete queue bound to the topic. */
export async function declareAnonymousQueue(channel: Channel, topic: string): Promise<string> {
  await declareExchange(channel, topic);
  const { queue } = await channel.assertQueue(anonymousQueue(topic), {
    durable: false,
    exclusive: true,
    autoDelete: true,
  });
  await channel.bindQueue(queue, topic, '#');
  return queue;
}
