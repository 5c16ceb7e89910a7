import { randomBytes } from 'node:crypto';
import { MessagingErrors, invalidOptions } from '../errors.js';
import { parseJson } from '../internal/message.js';
import { canonicalSchema, schemaProblem, type ConnectSchema } from './connect-schema.js';
import { ConnectDataError, fromConnectJson, toConnectJson } from './connect-values.js';
import type { Encoded, Serde } from './json-serde.js';

/** Options of {@link createConnectJsonSerde}. */
export interface ConnectJsonOptions {
  /**
   * The value schema. Required to encode with `schemasEnable`; when set, decoding checks the
   * payload against it instead of the schema the message carries. @default none
   */
  schema?: ConnectSchema;
  /**
   * `schemas.enable` of `JsonConverter`: messages are `{"schema": …, "payload": …}` envelopes.
   * With `false` they are the bare payload. @default true
   */
  schemasEnable?: boolean;
}

/** Writes JSON with bigint values as plain digits (Connect's int64 beyond 2^53). */
function stringify(value: unknown): string {
  const marker = `\u0000${randomBytes(6).toString('hex')}:`;
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${marker}${v.toString()}` : v,
  );
  const escaped = JSON.stringify(marker).slice(1, -1);
  return text.replace(new RegExp(`"${escaped.replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g'), '$1');
}

function poison(topic: string, reason: string): never {
  throw MessagingErrors.INVALID_PAYLOAD({ message: reason, details: { topic } });
}

function envelopeOf(json: unknown, topic: string): { schema: unknown; payload: unknown } {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    poison(topic, 'a Connect JSON envelope must be an object');
  const keys = Object.keys(json);
  // JsonConverter: "JsonConverter with schemas.enable requires "schema" and "payload" fields
  // and may not contain additional fields".
  if (keys.length !== 2 || !keys.includes('schema') || !keys.includes('payload'))
    poison(topic, 'a Connect JSON envelope has exactly the fields schema and payload');
  return json as { schema: unknown; payload: unknown };
}

/**
 * Kafka Connect's `JsonConverter` format as a serde: with `schemas.enable=true`,
 * `{"schema":{"type":"struct","fields":[…]},"payload":{…}}`, with Connect's logical types
 * (`org.apache.kafka.connect.data.Timestamp`, `Date`, `Time` as `Date` objects, `Decimal` as
 * decimal text). A payload that does not match its schema is poison (`MSG_ERR_INVALID_PAYLOAD`).
 * int64 values beyond 2^53 are written exactly from a bigint but read as numbers.
 *
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS` for an unusable schema.
 * @example
 * const users = createConnectJsonSerde({ schema: { type: 'struct', name: 'users', fields: [
 *   { field: 'id', type: 'int32' },
 *   { field: 'created_at', type: 'int64', optional: true, name: 'org.apache.kafka.connect.data.Timestamp', version: 1 },
 * ] } });
 * await transport.publish({ topic: 'my_topic_users', ...users.encode({ id: 1, created_at: new Date() }) });
 */
export function createConnectJsonSerde<T = Record<string, unknown>>(
  options: ConnectJsonOptions = {},
): Serde<T> {
  const schemasEnable = options.schemasEnable ?? true;
  const schema = options.schema;
  if (schema !== undefined) {
    const problem = schemaProblem(schema);
    if (problem) throw invalidOptions('connect json options', [problem]);
  }
  const written = schema ? canonicalSchema(schema) : null;

  return Object.freeze({
    encode(value: T, headers: Record<string, string> = {}): Encoded {
      if (!schema) {
        throw invalidOptions('connect json options', ['a schema is needed to encode']);
      }
      let payload: unknown;
      try {
        payload = toConnectJson(value, schema);
      } catch (error) {
        throw MessagingErrors.INVALID_MESSAGE({
          message: (error as Error).message,
          details: { field: 'payload' },
        });
      }
      const body = schemasEnable ? { schema: written, payload } : payload;
      return { payload: Buffer.from(stringify(body), 'utf8'), headers: { ...headers } };
    },
    deserialize(payload: Buffer, _headers: Readonly<Record<string, string>>, topic: string): T {
      const json = parseJson<unknown>(payload, topic);
      let valueSchema: unknown = schema;
      let data = json;
      if (schemasEnable) {
        const envelope = envelopeOf(json, topic);
        data = envelope.payload;
        valueSchema = schema ?? envelope.schema;
      }
      if (valueSchema === undefined || valueSchema === null) return data as T;
      const problem = schemaProblem(valueSchema);
      if (problem) poison(topic, problem);
      try {
        return fromConnectJson(data, valueSchema as ConnectSchema) as T;
      } catch (error) {
        if (error instanceof ConnectDataError) poison(topic, error.message);
        throw error;
      }
    },
  });
}
