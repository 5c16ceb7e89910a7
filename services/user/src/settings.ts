import { StratusError } from '@stratus/core';
import type { LiveConfig } from '@stratus/boot';

/** Shortest accepted `token.secret`, in characters (HS512 wants a long key). */
export const MIN_TOKEN_SECRET_LENGTH = 32;
/** `token.expiration_time` when nothing sets it: one day, in ms (the seed's value). */
export const DEFAULT_TOKEN_EXPIRATION_MS = 86_400_000;

/** The part of a configuration environment the checks read. */
interface Readable {
  get(key: string, defaultValue?: unknown): unknown;
}

/** Problems with `token.secret` / `token.expiration_time` in `env` (empty when valid). Never echoes the secret. */
export function tokenProblems(env: Readable): string[] {
  const problems: string[] = [];
  const secret = env.get('token.secret');
  if (typeof secret !== 'string' || secret.length === 0) {
    problems.push('token.secret: is required');
  } else if (secret.length < MIN_TOKEN_SECRET_LENGTH) {
    problems.push(`token.secret: must be at least ${MIN_TOKEN_SECRET_LENGTH} characters`);
  }
  const expiration = env.get('token.expiration_time', DEFAULT_TOKEN_EXPIRATION_MS);
  const ms =
    typeof expiration === 'string' && expiration.trim() !== '' ? Number(expiration) : expiration;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    problems.push('token.expiration_time: must be a positive number of milliseconds');
  }
  return problems;
}

/**
 * Fails boot when the token settings are invalid.
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every problem.
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

/** The current token settings, read live (a refresh changes them for the next call). */
export function tokenSettings(config: LiveConfig): { secret: string; expiresInMs: number } {
  return {
    secret: config.getString('token.secret') ?? '',
    expiresInMs:
      config.getNumber('token.expiration_time', DEFAULT_TOKEN_EXPIRATION_MS) ??
      DEFAULT_TOKEN_EXPIRATION_MS,
  };
}
