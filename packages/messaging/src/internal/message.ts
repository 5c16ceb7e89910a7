import { randomUUID } from 'node:crypto';
import { MessagingErrors } from '../errors.js';
import type { Message, OutgoingMessage } from '../transport.js';
import { topicProblem } from './names.js';

/** An outgoing message after validation and defaulting. */
export interface NormalizedMessage {
  topic: string;
  key: string | null;
  id: string;
  headers: Record<string, string>;
  payload: Buffer;
}

function invalid(reason: string, field: string): never {
  throw MessagingErrors.INVALID_MESSAGE({ message: reason, details: { field } });
}

function copyHeaders(headers: unknown): Record<string, string> {
  const copied: Record<string, string> = {};
  if (headers === undefined) return copied;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    invalid('headers must be an object of strings', 'headers');
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.length === 0) invalid('header names must be non-empty', 'headers');
    if (typeof value !== 'string') invalid('header values must be strings', 'headers');
    copied[name] = value;
  }
  return copied;
}

/** Validates and defaults one outgoing message; throws `MSG_ERR_INVALID_MESSAGE`. */
export function normalizeOutgoing(message: OutgoingMessage): NormalizedMessage {
  if (typeof message !== 'object' || message === null)
    invalid('message must be an object', 'message');
  const { topic, key, id, headers, payload } = message;
  const problem = topicProblem(topic);
  if (problem !== null) invalid(problem, 'topic');
  if (key !== undefined && key !== null && typeof key !== 'string')
    invalid('key must be a string or null', 'key');
  if (id !== undefined && (typeof id !== 'string' || id.length === 0))
    invalid('id must be a non-empty string', 'id');
  const copied = copyHeaders(headers);
  let body: Buffer;
  if (typeof payload === 'string') body = Buffer.from(payload, 'utf8');
  else if (payload instanceof Uint8Array) body = Buffer.from(payload);
  else invalid('payload must be a string or a Buffer', 'payload');
  return { topic, key: key ?? null, id: id ?? randomUUID(), headers: copied, payload: body };
}

/** Accepts one message or an array, as `Transport.publish` does; all or nothing. */
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
  partition?: number;
  offset: bigint | number;
  timestamp: number;
  deliveryAttempt?: number;
  value?: unknown;
}

/** Builds a frozen {@link Message}. */
export function createMessage<T = unknown>(fields: MessageFields): Message<T> {
  const headers = Object.freeze({ ...fields.headers });
  return Object.freeze({
    id: fields.id,
    topic: fields.topic,
    key: fields.key,
    headers,
    payload: fields.payload,
    partition: fields.partition ?? 0,
    offset: fields.offset,
    timestamp: fields.timestamp,
    deliveryAttempt: fields.deliveryAttempt ?? 1,
    value: fields.value as T,
    text(): string {
      return fields.payload.toString('utf8');
    },
    json<V = unknown>(): V {
      return parseJson<V>(fields.payload, fields.topic, fields.id);
    },
  });
}

/** The same message for another handler call, with its attempt number and decoded value. */
export function forAttempt<T>(message: Message, deliveryAttempt: number, value: T): Message<T> {
  return createMessage<T>({ ...message, headers: { ...message.headers }, deliveryAttempt, value });
}

/** Parses UTF-8 JSON; throws `MSG_ERR_INVALID_JSON` (not retryable). */
export function parseJson<V>(payload: Buffer, topic: string, messageId?: string): V {
  try {
    return JSON.parse(payload.toString('utf8')) as V;
  } catch (cause) {
    throw MessagingErrors.INVALID_JSON({
      cause,
      details: { topic, ...(messageId ? { messageId } : {}) },
    });
  }
}
