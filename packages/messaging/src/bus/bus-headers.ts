/** The content type of bus payloads (`spring.cloud.bus.content-type`). */
export const BUS_CONTENT_TYPE = 'application/json';

/**
 * The headers Spring Cloud Stream's binders put on a bus message, as captured from a Spring Boot
 * 4.0.7 app with Spring Cloud Bus 5.0.4:
 * - Kafka binder: `contentType: application/json` and
 *   `spring_json_header_types: {"contentType":"java.lang.String"}` (spring-kafka's JSON header
 *   mapper reads the first as a `String` because of the second);
 * - Rabbit binder: the AMQP `content_type` property and no headers — the RabbitMQ transport
 *   writes the `content-type` header as that property. Spring drops a bus message without it.
 *
 * The embedded log takes Kafka's headers.
 */
export function busHeaders(transportKind: string): Record<string, string> {
  if (transportKind === 'rabbitmq') return { 'content-type': BUS_CONTENT_TYPE };
  return {
    contentType: BUS_CONTENT_TYPE,
    spring_json_header_types: '{"contentType":"java.lang.String"}',
  };
}

/**
 * The content type a received message declares (`contentType`, or the AMQP property), or null
 * when it declares none — Spring Cloud Stream then assumes `application/json`.
 */
export function declaredContentType(headers: Readonly<Record<string, string>>): string | null {
  const raw = headers.contentType ?? headers['content-type'];
  if (raw === undefined) return null;
  // Spring's JSON header mapper may quote a String header it could not type.
  const text = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  return text.split(';')[0]!.trim().toLowerCase();
}
