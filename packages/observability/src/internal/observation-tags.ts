import type { HttpClientObservation, HttpObservation, MessagingObservation } from '../metrics.js';
import { methodTagOf, outcomeOf } from './http-tags.js';

export const SERVER_HELP = 'Duration of HTTP server request handling';
export const CLIENT_HELP = 'Duration of HTTP client requests';

/** Spring Boot 3's `http.server.requests` tags (observation-based: `error` beside `exception`). */
export const SERVER_LABELS = ['error', 'exception', 'method', 'outcome', 'status', 'uri'];
/** `http.client.requests` (`client.name` is `client_name` in Prometheus). */
export const CLIENT_LABELS = [
  'client_name',
  'error',
  'exception',
  'method',
  'outcome',
  'status',
  'uri',
];
/** Spring Kafka's `KafkaTemplateObservation` low-cardinality keys, plus `error`. */
export const TEMPLATE_LABELS = [
  'error',
  'messaging_destination_kind',
  'messaging_destination_name',
  'messaging_operation',
  'messaging_system',
  'spring_kafka_template_name',
];
/** Spring Kafka's `KafkaListenerObservation` low-cardinality keys, plus `error`. */
export const LISTENER_LABELS = [
  'error',
  'messaging_consumer_id',
  'messaging_kafka_consumer_group',
  'messaging_operation',
  'messaging_source_kind',
  'messaging_source_name',
  'messaging_system',
  'spring_kafka_listener_id',
];

export function serverTags(o: HttpObservation): Record<string, string> {
  const exception = o.exception ?? 'none';
  return {
    error: exception,
    exception,
    method: methodTagOf(o.method),
    outcome: outcomeOf(o.status),
    status: String(o.status),
    uri: o.uri,
  };
}

export function clientTags(o: HttpClientObservation): Record<string, string> {
  const exception = o.exception ?? 'none';
  return {
    client_name: o.clientName,
    error: exception,
    exception,
    method: methodTagOf(o.method),
    outcome: o.status === null ? 'UNKNOWN' : outcomeOf(o.status),
    status: o.status === null ? 'CLIENT_ERROR' : String(o.status),
    uri: o.uri ?? 'none',
  };
}

export function templateTags(
  o: MessagingObservation,
  templateName: string,
): Record<string, string> {
  return {
    error: o.exception ?? 'none',
    messaging_destination_kind: 'topic',
    messaging_destination_name: o.topic,
    messaging_operation: 'publish',
    messaging_system: o.system,
    spring_kafka_template_name: templateName,
  };
}

export function listenerTags(o: MessagingObservation): Record<string, string> {
  const group = o.group ?? 'none';
  return {
    error: o.exception ?? 'none',
    messaging_consumer_id: group,
    messaging_kafka_consumer_group: group,
    messaging_operation: 'receive',
    messaging_source_kind: 'topic',
    messaging_source_name: o.topic,
    messaging_system: o.system,
    spring_kafka_listener_id: group,
  };
}
