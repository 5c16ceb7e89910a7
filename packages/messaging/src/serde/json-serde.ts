import { MessagingErrors } from '../errors.js';
import { parseJson } from '../internal/message.js';
import type { Deserializer } from '../transport.js';

/** Spring's type header (`AbstractJavaTypeMapper.DEFAULT_CLASSID_FIELD_NAME`), on Kafka and AMQP. */
export const TYPE_ID_HEADER = '__TypeId__';

/** A payload as `publish()` takes it, with its headers. */
export interface Encoded {
  payload: Buffer;
  headers: Record<string, string>;
}

/** Both directions of a payload format: `encode` for publishing, `deserialize` for subscribing. */
export interface Serde<T> extends Deserializer<T> {
  /** The payload and headers for `publish({ topic, key, ...serde.encode(value) })`. */
  encode(value: T, headers?: Record<string, string>): Encoded;
}

/** Options of {@link createJsonSerde}. */
export interface JsonSerdeOptions<T> {
  /**
   * Written as `__TypeId__` on encode, as Spring's `JsonSerializer` (Kafka) and
   * `Jackson2JsonMessageConverter` (AMQP) do: a Java class name (`com.example.OrderDto`) or a
   * token of the consumer's `spring.json.type.mapping` (`order:com.example.OrderDto`).
   * @default none (no type header; the Java side then needs a default type)
   */
  typeId?: string;
  /**
   * `__TypeId__` values accepted on decode (Spring's `spring.json.trusted.packages` for
   * tokens); a message with another type id is poison. Messages without the header pass.
   * @default any
   */
  acceptTypeIds?: readonly string[];
  /**
   * Checks and shapes the parsed value; returning `null` or throwing makes the message poison
   * (`MSG_ERR_INVALID_PAYLOAD`, dead-lettered at once). Receives the `__TypeId__` header.
   * @default the parsed value as is
   */
  validate?: (value: unknown, typeId: string | null) => T | null;
  /**
   * `content-type` header written on encode (Spring AMQP's converter requires it; Kafka
   * ignores it). `null` writes none. @default 'application/json'
   */
  contentType?: string | null;
}

/**
 * JSON payloads as Spring writes them: UTF-8 JSON bytes (what `JsonSerializer` and a
 * `StringSerializer` of `ObjectMapper.writeValueAsString` produce), with the `__TypeId__`
 * header understood and optionally written.
 *
 * @example
 * const orders = createJsonSerde<OrderEvent>({ typeId: 'com.example.order.OrderDto', validate: parseOrder });
 * await transport.publish({ topic: 'example-catalog-topic', key: order.orderId, ...orders.encode(order) });
 * await transport.subscribe({ topics: ['orders'], groupId: 'catalog', deserializer: orders, handler: async (m) => use(m.value) });
 */
export function createJsonSerde<T = unknown>(options: JsonSerdeOptions<T> = {}): Serde<T> {
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  const accepted = options.acceptTypeIds ? new Set(options.acceptTypeIds) : null;
  return Object.freeze({
    encode(value: T, headers: Record<string, string> = {}): Encoded {
      const text = JSON.stringify(value);
      if (text === undefined) {
        throw MessagingErrors.INVALID_MESSAGE({
          message: 'value cannot be written as JSON',
          details: { field: 'payload' },
        });
      }
      return {
        payload: Buffer.from(text, 'utf8'),
        headers: {
          ...headers,
          ...(contentType !== null ? { 'content-type': contentType } : {}),
          ...(options.typeId !== undefined ? { [TYPE_ID_HEADER]: options.typeId } : {}),
        },
      };
    },
    deserialize(payload: Buffer, headers: Readonly<Record<string, string>>, topic: string): T {
      const value = parseJson<unknown>(payload, topic);
      const typeId = headers[TYPE_ID_HEADER] ?? null;
      if (accepted && typeId !== null && !accepted.has(typeId)) {
        throw MessagingErrors.INVALID_PAYLOAD({
          message: `type ${typeId} is not accepted`,
          details: { topic, typeId },
        });
      }
      if (!options.validate) return value as T;
      const checked = options.validate(value, typeId);
      if (checked === null) {
        throw MessagingErrors.INVALID_PAYLOAD({
          message: 'payload fails its schema',
          details: { topic },
        });
      }
      return checked;
    },
  });
}
