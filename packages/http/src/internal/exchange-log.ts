import type { Logger } from '@stratus/core';
import type { LoggerLevel } from '../client-settings.js';
import { redactBody, redactHeaders, redactUrl } from './redact.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The lines Feign's `Logger` writes for one exchange, as pino records at DEBUG. */
export interface ExchangeLog {
  request(method: string, url: string, headers: Headers, body: Uint8Array | undefined): void;
  response(
    status: number,
    elapsedMs: number,
    instance: string,
    headers: Headers,
    body: Uint8Array | undefined,
  ): void;
  failure(code: string, elapsedMs: number): void;
}

const contentTypeOf = (headers: Headers): string | undefined => {
  const value = headers['content-type'];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The log of one exchange at `level` (Feign's NONE, BASIC, HEADERS, FULL), or null when nothing
 * would be written: NONE, or DEBUG off for this logger (Spring needs both too). Secrets are
 * replaced by name in headers, the URL's query, and bodies, before pino's own redaction runs.
 */
export function exchangeLogOf(
  logger: Logger,
  level: LoggerLevel,
  methodKey: string,
): ExchangeLog | null {
  if (level === 'NONE' || !logger.isLevelEnabled('debug')) return null;
  const withHeaders = level === 'HEADERS' || level === 'FULL';
  const withBody = level === 'FULL';
  const details = (headers: Headers, body: Uint8Array | undefined) => ({
    ...(withHeaders ? { headers: redactHeaders(headers) } : {}),
    ...(withBody && body !== undefined && body.length > 0
      ? { body: redactBody(body, contentTypeOf(headers)), bodyBytes: body.length }
      : {}),
  });
  return {
    request(method, url, headers, body) {
      logger.debug(
        { methodKey, method, url: redactUrl(url), ...details(headers, body) },
        'http client request',
      );
    },
    response(status, elapsedMs, instance, headers, body) {
      logger.debug(
        { methodKey, status, elapsedMs, instance, ...details(headers, body) },
        'http client response',
      );
    },
    failure(code, elapsedMs) {
      logger.debug({ methodKey, error: code, elapsedMs }, 'http client error');
    },
  };
}
