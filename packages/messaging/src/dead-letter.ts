import type { Message, OutgoingMessage } from './transport.js';
import { deadLetterTopic } from './internal/names.js';

/**
 * Headers Spring Kafka's `DeadLetterPublishingRecoverer` adds (`KafkaHeaders.DLT_*`). The same
 * names are used on every transport; on Kafka the partition, offset and timestamp travel as
 * big-endian integers, as Spring writes them (see `kafka/kafka-headers.ts`).
 */
export const DLT_HEADERS = Object.freeze({
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalTimestamp: 'kafka_dlt-original-timestamp',
  originalTimestampType: 'kafka_dlt-original-timestamp-type',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  exceptionFqcn: 'kafka_dlt-exception-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
});

/** Longest exception message copied into a header, in characters. */
const MAX_EXCEPTION_MESSAGE_CHARS = 1024;

/** The name of an error's type, for the `kafka_dlt-exception-fqcn` header and metric tags. */
export function errorTypeName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && code.length > 0 ? code : error.name || 'Error';
  }
  return typeof error;
}

/** The message as it goes to `<topic>.DLT`: same id, key, headers and payload, plus the cause. */
export function toDeadLetter(message: Message, groupId: string, error: unknown): OutgoingMessage {
  const text = error instanceof Error ? error.message : String(error);
  return {
    topic: deadLetterTopic(message.topic),
    id: message.id,
    key: message.key,
    payload: message.payload,
    headers: {
      ...message.headers,
      [DLT_HEADERS.originalTopic]: message.topic,
      [DLT_HEADERS.originalPartition]: String(message.partition),
      [DLT_HEADERS.originalOffset]: String(message.offset),
      [DLT_HEADERS.originalTimestamp]: String(message.timestamp),
      [DLT_HEADERS.originalTimestampType]: 'CreateTime',
      [DLT_HEADERS.originalConsumerGroup]: groupId,
      [DLT_HEADERS.exceptionFqcn]: errorTypeName(error),
      [DLT_HEADERS.exceptionMessage]: text.slice(0, MAX_EXCEPTION_MESSAGE_CHARS),
    },
  };
}
