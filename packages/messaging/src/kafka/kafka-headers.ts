import { DLT_HEADERS } from '../dead-letter.js';

/**
 * Header carrying the Stratus message id on Kafka. Spring's `DefaultKafkaHeaderMapper` never
 * maps its own `id` header to Kafka, so a separate name keeps the two apart.
 */
export const MESSAGE_ID_HEADER = 'stratus_message_id';

/** Spring Kafka writes these DLT headers as big-endian binary numbers, not text. */
const INT32_HEADERS = new Set<string>([DLT_HEADERS.originalPartition]);
const INT64_HEADERS = new Set<string>([DLT_HEADERS.originalOffset, DLT_HEADERS.originalTimestamp]);

function encodeValue(name: string, value: string): Buffer {
  if (INT32_HEADERS.has(name) && /^-?\d+$/.test(value)) {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32BE(Number(value));
    return buffer;
  }
  if (INT64_HEADERS.has(name) && /^-?\d+$/.test(value)) {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(BigInt(value));
    return buffer;
  }
  return Buffer.from(value, 'utf8');
}

function decodeValue(name: string, value: Buffer | null | undefined): string {
  if (!value) return '';
  if (INT32_HEADERS.has(name) && value.length === 4) return String(value.readInt32BE());
  if (INT64_HEADERS.has(name) && value.length === 8) return String(value.readBigInt64BE());
  return value.toString('utf8');
}

/** Stratus headers (and the message id) as Kafka record headers. */
export function toKafkaHeaders(headers: Record<string, string>, id: string): Map<Buffer, Buffer> {
  const encoded = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (name === MESSAGE_ID_HEADER) continue;
    encoded.set(Buffer.from(name, 'utf8'), encodeValue(name, value));
  }
  encoded.set(Buffer.from(MESSAGE_ID_HEADER), Buffer.from(id, 'utf8'));
  return encoded;
}

/** Kafka record headers as Stratus headers, with the message id taken out (null when absent). */
export function fromKafkaHeaders(
  headers: Map<Buffer | string, Buffer | null | undefined> | undefined,
): { headers: Record<string, string>; id: string | null } {
  const decoded: Record<string, string> = {};
  let id: string | null = null;
  for (const [rawName, rawValue] of headers ?? []) {
    const name = Buffer.isBuffer(rawName) ? rawName.toString('utf8') : String(rawName);
    if (name === MESSAGE_ID_HEADER) {
      id = rawValue ? rawValue.toString('utf8') : null;
      continue;
    }
    decoded[name] = decodeValue(name, rawValue);
  }
  return { headers: decoded, id: id === '' ? null : id };
}
