import type { Logger } from '@stratus/core';
import { BootErrors } from '../errors.js';
import { classifyDatabaseError } from './database-errors.js';

/** What {@link startDatabase} needs. */
export interface StartupOptions {
  /**
   * HikariCP's `initialization-fail-timeout`: below 0, a database that does not answer lets
   * the start go on (not ready) and is retried in the background; from 0 on, the start waits
   * that long at most, then fails.
   */
  readonly initializationFailTimeoutMs: number;
  /** First pause between attempts, ms; it doubles up to `maxBackoffMs`. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly logger: Logger;
  /** `PostgreSQL at 127.0.0.1:5432/orders as app`, for log lines. */
  readonly describe: string;
}

/** The datasource's way to being usable. */
export interface DatabaseStartup {
  /**
   * Settles when the start may go on: true once the database is migrated; false when it does
   * not answer yet and is retried in the background. Rejects when the start must fail (a wrong
   * password, a failed migration, the fail timeout).
   */
  readonly first: Promise<boolean>;
  /** Resolves once the database is migrated; rejects when retrying stopped. */
  readonly ready: Promise<void>;
  readonly isReady: boolean;
  /** Stops retrying (the application closes). Idempotent. */
  stop(): void;
}

/**
 * Runs `attempt` (connect, migrate) until it succeeds: a database that is down, restarting or
 * unreachable is tried again with backoff; anything else ends the start at once.
 */
export function startDatabase(attempt: () => Promise<void>, options: StartupOptions): DatabaseStartup {
  let isReady = false;
  let isStopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let settleFirst!: (value: boolean) => void;
  let failFirst!: (error: unknown) => void;
  const first = new Promise<boolean>((resolve, reject) => {
    settleFirst = resolve;
    failFirst = reject;
  });
  const startedAt = Date.now();
  const waitsAtBoot = options.initializationFailTimeoutMs >= 0;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      // While the start waits for the database, the timer is all that keeps the process up.
      if (!waitsAtBoot) timer.unref();
    });
  const ready = (async () => {
    let backoffMs = options.initialBackoffMs;
    for (let tries = 1; ; tries += 1) {
      if (isStopped) throw BootErrors.DATASOURCE({ message: 'The application closed before the database was ready' });
      try {
        await attempt();
        isReady = true;
        if (tries > 1) options.logger.info({ database: options.describe, tries }, 'database available');
        settleFirst(true);
        return;
      } catch (error) {
        if (classifyDatabaseError(error) !== 'unavailable') throw error;
        const waited = Date.now() - startedAt;
        if (waitsAtBoot && waited >= options.initializationFailTimeoutMs)
          throw BootErrors.DATASOURCE({
            message: `The database (${options.describe}) did not answer within ${options.initializationFailTimeoutMs} ms (spring.datasource.hikari.initialization-fail-timeout)`,
            cause: error,
          });
        if (tries === 1)
          options.logger.warn(
            { database: options.describe, err: error, waitsAtBoot },
            waitsAtBoot ? 'database not available; retrying' : 'database not available; starting not ready and retrying',
          );
        if (!waitsAtBoot) settleFirst(false);
        await pause(Math.min(backoffMs, options.maxBackoffMs));
        backoffMs *= 2;
      }
    }
  })();
  ready.catch((error: unknown) => failFirst(error));
  return {
    first,
    ready,
    get isReady() {
      return isReady;
    },
    stop() {
      isStopped = true;
      clearTimeout(timer);
      wake?.();
    },
  };
}
