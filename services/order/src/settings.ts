import { StratusError } from '@stratus/core';
import type { LiveConfig } from '@stratus/boot';

/** Shortest accepted `token.secret`, in characters (the same rule as user-service). */
export const MIN_TOKEN_SECRET_LENGTH = 32;

/** Problems with `token.secret` in `env` (empty when valid). Never echoes the secret. */
export function tokenProblems(env: { get(key: string): unknown }): string[] {
  const secret = env.get('token.secret');
  if (typeof secret !== 'string' || secret.length === 0) return ['token.secret: is required'];
  if (secret.length < MIN_TOKEN_SECRET_LENGTH)
    return [`token.secret: must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`];
  return [];
}

/**
 * Fails boot when `token.secret` is missing or too short.
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG`
 */
export function assertTokenSettings(config: LiveConfig): void {
  const problems = tokenProblems(config);
  if (problems.length > 0) {
    throw new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
      message: `Invalid configuration: ${problems.join('; ')}`,
      details: { problems },
      retryable: false,
    });
  }
}

/** The current verification secret, read live. */
export function tokenSecret(config: LiveConfig): string {
  return config.getString('token.secret') ?? '';
}
