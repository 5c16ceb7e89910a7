import { defineErrors } from '@stratus/core';

/**
 * Every error of `@stratus/registry`; a shipped code is never reused. The `/eureka` endpoints
 * answer with Eureka's plain-text messages (the row's title), not problem documents, because
 * Eureka clients expect text.
 */
export const RegistryErrors = defineErrors('REG', {
  /** Options failed validation (thrown by factories at construction); `details.problems`. */
  INVALID_OPTIONS: { status: 500, title: 'Invalid registry options' },
  /**
   * The registry's configuration (`eureka.server.*`, `stratus.registry.*`, …) failed binding:
   * a mistyped value, or an unknown key under `stratus.registry`; `details.problems` names each
   * key and its file.
   */
  INVALID_CONFIG: { status: 500, title: 'Invalid registry configuration', retryable: false },
  /** A register body is missing a required field or names another app → 400. */
  INVALID_INSTANCE: { status: 400, title: 'Invalid instance' },
  /**
   * The body is not JSON/XML we can read → 400: malformed, not UTF-8, a character outside
   * XML 1.0 (NUL, lone surrogate, out-of-range reference), a DOCTYPE, too deep.
   */
  MALFORMED_BODY: { status: 400, title: 'Malformed request body' },
  /** A path segment or query value holds a character outside XML 1.0 → 400. */
  INVALID_CHARACTERS: { status: 400, title: 'Invalid characters' },
  /** Content type other than JSON or XML → 415. */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  /** Body larger than the limit → 413. */
  BODY_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  /** `lastDirtyTimestamp` is not a non-negative integer → 400. */
  INVALID_TIMESTAMP: { status: 400, title: 'Invalid lastDirtyTimestamp' },
  /** A status query value is not an `InstanceStatus` → 400. */
  INVALID_STATUS: { status: 400, title: 'Invalid status value' },
  /** No lease for this app/id → 404. */
  INSTANCE_NOT_FOUND: { status: 404, title: 'Instance not found' },
  /** The registry was closed. */
  CLOSED: { status: 503, title: 'Registry closed' },
  /** A replication peer could not be reached (connection refused, reset, timeout); retried. */
  PEER_UNREACHABLE: { status: 503, title: 'Replication peer unreachable', retryable: true },
  /** A replication peer answered 408, 429 or 5xx (`details.statusCode`); retried. */
  PEER_FAILED: { status: 502, title: 'Replication peer failed', retryable: true },
  /** A replication peer refused a request with another status (`details.statusCode`); not retried. */
  PEER_REJECTED: { status: 502, title: 'Replication peer rejected the request', retryable: false },
  /** A replication peer answered 200 with a body that is not what Eureka sends. */
  PEER_BAD_RESPONSE: {
    status: 502,
    title: 'Unreadable replication peer response',
    retryable: false,
  },
});

/** A code of {@link RegistryErrors}. */
export type RegistryErrorCode = (typeof RegistryErrors)[keyof typeof RegistryErrors]['code'];
