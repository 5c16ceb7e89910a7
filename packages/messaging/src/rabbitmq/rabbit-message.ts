import { createHash } from 'node:crypto';
import type { ConsumeMessage, Options } from 'amqplib';
import type { NormalizedMessage } from '../internal/message.js';
import { createMessage } from '../internal/message.js';
import type { Message } from '../transport.js';

/** AMQP header carrying the Stratus ordering key (AMQP messages have no key). */
export const KEY_HEADER = 'stratus-key';
/** Stratus header mapped to the AMQP `content_type` property (Spring reads the property). */
const CONTENT_TYPE_HEADER = 'content-type';

/**
 * A Stratus message as AMQP content and properties: persistent (`delivery_mode=2`), the id as
 * `message_id`, `content-type` as the `content_type` property, as Spring AMQP writes them; the
 * other headers as AMQP headers.
 */
export function toAmqp(message: NormalizedMessage): { content: Buffer; options: Options.Publish } {
  const { [CONTENT_TYPE_HEADER]: contentType, ...rest } = message.headers;
  const headers: Record<string, string> = { ...rest };
  if (message.key !== null) headers[KEY_HEADER] = message.key;
  return {
    content: message.payload,
    options: {
      persistent: true,
      messageId: message.id,
      timestamp: Math.floor(Date.now() / 1000),
      ...(contentType !== undefined ? { contentType } : {}),
      headers,
    },
  };
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * A delivered AMQP message as a Stratus message. A message without `message_id` (from a
 * foreign publisher) gets an id derived from its content, stable across redeliveries.
 */
export function fromAmqp(delivery: ConsumeMessage, topic: string): Message {
  const headers: Record<string, string> = {};
  let key: string | null = null;
  for (const [name, value] of Object.entries(delivery.properties.headers ?? {})) {
    if (name === KEY_HEADER) key = headerText(value);
    else if (value !== undefined && value !== null) headers[name] = headerText(value);
  }
  const contentType: unknown = delivery.properties.contentType;
  if (typeof contentType === 'string') headers[CONTENT_TYPE_HEADER] = contentType;
  const messageId: unknown = delivery.properties.messageId;
  const seconds: unknown = delivery.properties.timestamp;
  return createMessage({
    id: typeof messageId === 'string' && messageId !== '' ? messageId : derivedId(delivery),
    topic,
    key,
    headers,
    payload: delivery.content,
    offset: delivery.fields.deliveryTag,
    timestamp: typeof seconds === 'number' ? seconds * 1000 : Date.now(),
  });
}

function derivedId(delivery: ConsumeMessage): string {
  const hash = createHash('sha256')
    .update(delivery.fields.exchange)
    .update('\0')
    .update(String(delivery.properties.timestamp ?? ''))
    .update('\0')
    .update(JSON.stringify(delivery.properties.headers ?? {}))
    .update('\0')
    .update(delivery.content)
    .digest('hex');
  return `amqp-${hash.slice(0, 32)}`;
}
