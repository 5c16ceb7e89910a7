import { isStratusError } from '@stratus/core';
import { BootErrors } from '../errors.js';

/** What a driver error means for the application. */
export type DatabaseFailure =
  /** The server is down, restarting, unreachable or out of connections: try again later. */
  | 'unavailable'
  /** The user or password was refused. */
  | 'credentials'
  /** The database named in the URL does not exist. */
  | 'unknown-database'
  /** Anything else (SQL errors, constraint violations): the caller's problem. */
  | 'other';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
  // mysql2
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_GONE_ERROR',
  'ER_SERVER_LOST',
  // SQLite: another process holds the write lock beyond busy_timeout
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const CREDENTIAL_CODES = new Set([
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification (no pg_hba entry, unknown user)
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
]);
const UNKNOWN_DATABASE_CODES = new Set(['3D000', 'ER_BAD_DB_ERROR']);
// pg and mysql2 report some lost connections with a message only.
const LOST_CONNECTION_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /connection is in closed state/i,
  /can't add new command when connection is in closed state/i,
  /pool is closed/i,
  /server has gone away/i,
  /Connection lost/i,
];

/** Classifies a driver error (from pg, mysql2 or better-sqlite3). */
export function classifyDatabaseError(error: unknown): DatabaseFailure {
  if (BootErrors.DATABASE_UNAVAILABLE.is(error)) return 'unavailable';
  if (isStratusError(error)) return 'other';
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof code === 'string' ? code : '';
  if (NETWORK_CODES.has(text) || /^08/.test(text)) return 'unavailable';
  if (CREDENTIAL_CODES.has(text)) return 'credentials';
  if (UNKNOWN_DATABASE_CODES.has(text)) return 'unknown-database';
  if (typeof message === 'string' && LOST_CONNECTION_MESSAGES.some((re) => re.test(message)))
    return 'unavailable';
  if (error instanceof AggregateError) return classifyDatabaseError(error.errors[0]);
  return 'other';
}

/** `BOOT_ERR_DATABASE_UNAVAILABLE` (503) for a database that does not answer; the driver error is the cause. */
export function databaseUnavailable(product: string, cause: unknown) {
  return BootErrors.DATABASE_UNAVAILABLE({
    message: `The database (${product}) is not available; try again shortly`,
    details: { database: product },
    cause,
  });
}

/** Whether `error` says the database does not answer (a 503, worth waiting for). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return classifyDatabaseError(error) === 'unavailable';
}
