import { context as contextApi, isSpanContextValid, trace } from '@opentelemetry/api';
import { loggingSystemOf, type Logger } from '@stratus/core';

const NONE: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The current span's ids as log fields, `{ traceId, spanId }`, the MDC entries Micrometer
 * Tracing sets in a Spring service (empty outside a trace).
 */
export function traceLogFields(): Readonly<Record<string, unknown>> {
  const spanContext = trace.getSpanContext(contextApi.active());
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return NONE;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * Makes every line of the logging system behind `logger` carry `traceId` and `spanId` while a
 * span is current: JSON lines get the fields, and patterns render `%X{traceId:-}` (the seed's
 * `logging.pattern.level: "%5p [%X{traceId:-},%X{spanId:-}]"`). Returns false when `logger`
 * does not come from a Stratus logging system.
 *
 * @example
 * bindTraceIdsToLogs(app.logger);
 */
export function bindTraceIdsToLogs(logger: Logger): boolean {
  const system = loggingSystemOf(logger);
  if (system === undefined) return false;
  system.setContext(traceLogFields);
  return true;
}
