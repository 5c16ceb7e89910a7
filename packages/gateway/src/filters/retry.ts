import { sleep, systemTimers } from '@stratus/resilience';
import { GATEWAY_DEFAULTS } from '../defaults.js';
import type { BoundArgs } from '../internal/bind-args.js';
import {
  discardResponseBody,
  restoreExchange,
  snapshotExchange,
  type Exchange,
} from '../internal/exchange-impl.js';
import { parseHttpStatus, SERIES } from '../internal/http-status.js';
import type { FilterFactory } from '../internal/types.js';

interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number | null;
  readonly factor: number;
  readonly basedOnPreviousValue: boolean;
}

// Java exception classes as Retry's `exceptions` names them → the gateway failures they mean.
const EXCEPTION_CODES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'java.io.IOException': ['GW_ERR_UPSTREAM_UNAVAILABLE', 'GW_ERR_BAD_GATEWAY'],
  'java.net.ConnectException': ['GW_ERR_UPSTREAM_UNAVAILABLE'],
  'java.util.concurrent.TimeoutException': ['GW_ERR_UPSTREAM_TIMEOUT'],
  'org.springframework.cloud.gateway.support.TimeoutException': ['GW_ERR_UPSTREAM_TIMEOUT'],
  'org.springframework.cloud.gateway.support.NotFoundException': ['GW_ERR_NO_INSTANCE'],
});
const EVERYTHING = new Set([
  'java.lang.Exception',
  'java.lang.Throwable',
  'java.lang.RuntimeException',
]);

function statusesOf(args: BoundArgs, field: string): Set<number> {
  return new Set(
    args.list(field).map((text) => {
      const status = parseHttpStatus(text);
      if (status === null)
        throw new Error(`${field}: ${JSON.stringify(text)} is not an HTTP status`);
      return status;
    }),
  );
}

function seriesOf(args: BoundArgs): Set<number> {
  const names = args.has('series') ? args.list('series') : ['SERVER_ERROR'];
  return new Set(
    names.map((name) => {
      const digit = SERIES[name.toUpperCase()];
      if (digit === undefined)
        throw new Error(
          `series: ${JSON.stringify(name)} is not one of ${Object.keys(SERIES).join(', ')}`,
        );
      return digit;
    }),
  );
}

/** A matcher for `exceptions`: Java class names (short or full), error codes, or everything. */
function exceptionMatcher(names: readonly string[]): (error: unknown) => boolean {
  const codes = new Set<string>();
  let all = false;
  for (const raw of names) {
    const name = raw.trim();
    const full = Object.keys(EXCEPTION_CODES).find(
      (known) => known === name || known.endsWith(`.${name}`),
    );
    if (EVERYTHING.has(name) || ['Exception', 'Throwable', 'RuntimeException'].includes(name))
      all = true;
    else if (full !== undefined) for (const code of EXCEPTION_CODES[full] ?? []) codes.add(code);
    else codes.add(name);
  }
  return (error) => {
    if (all) return true;
    for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && codes.has(code)) return true;
      current = (current as { cause?: unknown }).cause;
    }
    return false;
  };
}

function backoffOf(args: BoundArgs): Backoff | null {
  const fields = [
    'backoff.firstBackoff',
    'backoff.maxBackoff',
    'backoff.factor',
    'backoff.basedOnPreviousValue',
  ];
  if (!fields.some((field) => args.has(field))) return null;
  const maxMs = args.has('backoff.maxBackoff') ? args.duration('backoff.maxBackoff', 0) : null;
  return {
    firstMs: args.duration('backoff.firstBackoff', GATEWAY_DEFAULTS.retryFirstBackoffMs),
    maxMs,
    factor: args.integer('backoff.factor', GATEWAY_DEFAULTS.retryBackoffFactor),
    basedOnPreviousValue: args.boolean('backoff.basedOnPreviousValue', true),
  };
}

/** Reactor's exponential backoff with optional random jitter (`Backoff.exponential`, `Jitter.random`). */
function waitFor(
  backoff: Backoff | null,
  jitter: number | null,
  iteration: number,
  previousMs: number,
  random: () => number,
): number {
  if (backoff === null) return 0;
  const base =
    iteration === 0
      ? backoff.firstMs
      : backoff.basedOnPreviousValue
        ? previousMs * backoff.factor
        : backoff.firstMs * backoff.factor ** iteration;
  const capped = backoff.maxMs === null ? base : Math.min(base, backoff.maxMs);
  if (jitter === null || jitter === 0) return capped;
  const offset = capped * jitter;
  const low = Math.max(backoff.firstMs, capped - offset);
  const high = backoff.maxMs === null ? capped + offset : Math.min(backoff.maxMs, capped + offset);
  return Math.round(low + random() * Math.max(0, high - low));
}

/**
 * `Retry=3, INTERNAL_SERVER_ERROR, GET, 10ms, 50ms, 2, false, 0.5, 1s` (retries, statuses,
 * methods, backoff first/max/factor/basedOnPreviousValue, jitter randomFactor, timeout) — runs
 * the rest of the chain again, from the exchange as it was, when the answer's status is in
 * `statuses` or `series` (default SERVER_ERROR) or the call failed with one of `exceptions`
 * (default IOException, TimeoutException), for `methods` (default GET), at most `retries`
 * times (default 3), within `timeout`. A request body is kept in memory for it (up to
 * `stratus.gateway.max-buffered-body-bytes`); a body too large for that is not retried.
 */
export const retryFilterFactory: FilterFactory = {
  name: 'Retry',
  shortcutFieldOrder: [
    'retries',
    'statuses',
    'methods',
    'backoff.firstBackoff',
    'backoff.maxBackoff',
    'backoff.factor',
    'backoff.basedOnPreviousValue',
    'jitter.randomFactor',
    'timeout',
  ],
  extraFields: ['series', 'exceptions'],
  listFields: ['statuses', 'methods', 'series', 'exceptions'],
  create(args, context) {
    const retries = args.integer('retries', GATEWAY_DEFAULTS.retryRetries);
    if (retries < 1) throw new Error('retries must be greater than 0');
    const statuses = statusesOf(args, 'statuses');
    const series = seriesOf(args);
    const exceptionNames = args.has('exceptions')
      ? args.list('exceptions')
      : ['java.io.IOException', 'java.util.concurrent.TimeoutException'];
    if (statuses.size === 0 && series.size === 0 && exceptionNames.length === 0)
      throw new Error('series, status and exceptions may not all be empty');
    const isRetryableError = exceptionMatcher(exceptionNames);
    const methods = new Set(
      (args.has('methods') ? args.list('methods') : ['GET']).map((m) => m.toUpperCase()),
    );
    if (methods.size === 0) throw new Error('methods may not be empty');
    const backoff = backoffOf(args);
    const jitter = args.has('jitter.randomFactor')
      ? args.number('jitter.randomFactor', GATEWAY_DEFAULTS.retryJitterRandomFactor)
      : null;
    if (jitter !== null && (jitter < 0 || jitter > 1))
      throw new Error('random factor must be between 0 and 1 (default 0.5)');
    const timeoutMs = args.has('timeout') ? args.duration('timeout', 0) : null;
    const { clock, services } = context;
    const log = context.logger.child({ component: 'gateway.filter.Retry' });
    const isRetryableStatus = (status: number): boolean =>
      statuses.has(status) || series.has(Math.floor(status / 100));
    return {
      replaysRequest: true,
      async filter(exchange, chain) {
        const ex = exchange as Exchange;
        const startedMs = clock.now();
        const snapshot = snapshotExchange(ex);
        let previousMs = 0;
        for (let iteration = 0; ; iteration++) {
          let failure: unknown = null;
          try {
            await chain.filter(ex);
          } catch (error) {
            failure = error;
          }
          const mayRepeat =
            methods.has(ex.method) &&
            iteration < retries &&
            (ex.body === null || ex.body.isReplayable) &&
            !ex.signal.aborted &&
            (timeoutMs === null || clock.now() - startedMs < timeoutMs);
          if (
            failure === null
              ? !mayRepeat || !isRetryableStatus(ex.statusCode)
              : !mayRepeat || !isRetryableError(failure)
          ) {
            if (failure !== null) throw failure;
            return;
          }
          log.debug(
            { routeId: ex.routeId, iteration: iteration + 1, status: ex.statusCode || undefined },
            'retrying request',
          );
          await discardResponseBody(ex);
          restoreExchange(ex, snapshot);
          previousMs = waitFor(backoff, jitter, iteration, previousMs, services.random);
          if (previousMs > 0) await sleep(systemTimers, previousMs, ex.signal);
        }
      },
    };
  },
};
