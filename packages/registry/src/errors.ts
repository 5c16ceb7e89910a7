import { StratusError } from '@stratus/core';

/**
 * Every error code of `@stratus/registry`. A shipped code is never reused.
 * The `/eureka` endpoints answer with Eureka's plain-text messages, not
 * problem documents, because Eureka clients expect text.
 */
export const REGISTRY_ERROR_CODES = Object.freeze({
  /** Options failed validation (thrown by factories at construction). */
  INVALID_OPTIONS: 'REG_ERR_INVALID_OPTIONS',
  /** A register body is missing a required field or names another app → 400. */
  INVALID_INSTANCE: 'REG_ERR_INVALID_INSTANCE',
  /** The body is not JSON/XML we can read → 400. */
  MALFORMED_BODY: 'REG_ERR_MALFORMED_BODY',
  /** Content type other than JSON or simple XML → 415. */
  UNSUPPORTED_MEDIA_TYPE: 'REG_ERR_UNSUPPORTED_MEDIA_TYPE',
  /** Body larger than the limit → 413. */
  BODY_TOO_LARGE: 'REG_ERR_BODY_TOO_LARGE',
  /** `lastDirtyTimestamp` is not a non-negative integer → 400. */
  INVALID_TIMESTAMP: 'REG_ERR_INVALID_TIMESTAMP',
  /** A status query value is not an `InstanceStatus` → 400. */
  INVALID_STATUS: 'REG_ERR_INVALID_STATUS',
  /** No lease for this app/id → 404. */
  INSTANCE_NOT_FOUND: 'REG_ERR_INSTANCE_NOT_FOUND',
  /** The registry was closed. */
  CLOSED: 'REG_ERR_CLOSED',
} as const);

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[keyof typeof REGISTRY_ERROR_CODES];

/** Thrown by `createEurekaRegistry` for bad options; `details.problems` lists every problem. */
export function invalidRegistryOptions(problems: string[]): StratusError {
  return new StratusError(REGISTRY_ERROR_CODES.INVALID_OPTIONS, 500, 'Invalid registry options', {
    details: { problems },
    message: `Invalid registry options: ${problems.join('; ')}`,
  });
}

/** Thrown when a closed registry is written to. */
export function registryClosed(): StratusError {
  return new StratusError(REGISTRY_ERROR_CODES.CLOSED, 503, 'Registry closed');
}
