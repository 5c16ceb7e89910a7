import { randomUUID } from 'node:crypto';
import { messagingError } from '../errors.js';
import type { Message, OutgoingMessage } from '../transport.js';

/** An outgoing message after validation and defaulting. */
export interface NormalizedMessage {
  topic: string;
  key: string | null;
  id: string;
  headers: Record<string, string>;
  payload: Buffer;
}

function invalid(reason: string, field: string): never {
  throw messagingError('MSG_ERR_INVALID_MESSAGE', { message: reason, details: { field } });
}

/** Validates and defaults one outgoing message; throws `MSG_ERR_INVALID_MESSAGE`. */
export function normalizeOutgoing(message: OutgoingMessage): NormalizedMessage {
  if (typeof message !== 'object' || message === null)
    invalid('message must be an object', 'message');
  const { topic, key, id, headers, payload } = message;
  if (typeof topic !== 'string' || topic.length === 0)
    invalid('topic must be a non-empty string', 'topic');
  if (key !== undefined && key !== null && typeof key !== 'string')
    invalid('key must be a string or null', 'key');
  if (id !== undefined && (typeof id !== 'string' || id.length === 0))
    invalid('id must be a non-empty string', 'id');
  const copied: Record<string, string> = {};
  if (headers !== undefined) {
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      invalid('headers must be an object of strings', 'headers');
    }
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string') invalid('header values must be strings', 'headers');
      copied[name] = value;
    }
  }
  let body: Buffer;
  if (typeof payload === 'string') body = Buffer.from(payload, 'utf8');
  else if (payload instanceof Uint8Array) body = Buffer.from(payload);
  else invalid('payload must be a string or a Buffer', 'payload');
  return { topic, key: key ?? null, id: id ?? randomUUID(), headers: copied, payload: body };
}

/** Accepts one message or an array, as `Transport.publish` does. */
export function normalizeBatch(messages: OutgoingMessage | OutgoingMessage[]): NormalizedMessage[] {
  return (Array.isArray(messages) ? messages : [messages]).map(normalizeOutgoing);
}

/** Fields of a delivered message. */
export interface MessageFields {
  id: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  payload: Buffer;
  offset: bigint | number;
  timestamp: number;
}

/** Builds a frozen {@link Message}. */
export function createMessage(fields: MessageFields): Message {
  const headers = Object.freeze({ ...fields.headers });
  return Object.freeze({
    id: fields.id,
    topic: fields.topic,
    key: fields.key,
    headers,
    payload: fields.payload,
    offset: fields.offset,
    timestamp: fields.timestamp,
    text(): string {
      return fields.payload.toString('utf8');
    },
    json<T = unknown>(): T {
      try {
        return JSON.parse(fields.payload.toString('utf8')) as T;
      } catch (cause) {
        throw messagingError('MSG_ERR_INVALID_JSON', {
          cause,
          details: { topic: fields.topic, messageId: fields.id },
        });
      }
    },
  });
}
