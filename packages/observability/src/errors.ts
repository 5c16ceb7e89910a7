import { defineErrors } from '@stratus/core';

/**
 * The errors of `@stratus/observability`: bad `management.*` settings at boot, and what the
 * Zipkin-compatible span API answers to bad input (as `application/problem+json`).
 */
export const ObservabilityErrors = defineErrors('OBS', {
  /** A `management.tracing.*`, `management.zipkin.*` or `management.metrics.*` value is wrong. */
  INVALID_CONFIG: { status: 500, title: 'Invalid configuration', retryable: false },
  /** `POST /api/v2/spans` with a body that is not a Zipkin v2 JSON span list. */
  INVALID_SPANS: { status: 400, title: 'Invalid spans', retryable: false },
  /** `POST /api/v2/spans` in an encoding other than JSON (Zipkin's proto3 is not accepted). */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type', retryable: false },
  /** A query parameter of the span API is malformed. */
  INVALID_QUERY: { status: 400, title: 'Bad Request', retryable: false },
  /** `GET /api/v2/trace/{traceId}` for a trace the store does not hold. */
  TRACE_NOT_FOUND: { status: 404, title: 'Trace not found', retryable: false },
});
