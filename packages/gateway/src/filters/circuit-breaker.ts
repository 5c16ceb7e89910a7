import { GatewayErrors } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import {
  discardResponseBody,
  restoreExchange,
  snapshotExchange,
  type Exchange,
} from '../internal/exchange-impl.js';
import { parseHttpStatus } from '../internal/http-status.js';
import { CircuitBreakerStatusCodeError } from '../internal/java-exception-names.js';
import { compileTemplate } from '../internal/template.js';
import type { FilterFactory } from '../internal/types.js';

const FORWARD = /^forward:(\/[^\s?#]*)$/;

/** The answer without a fallback (Spring's `handleErrorWithoutFallback`). */
function withoutFallback(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'RES_ERR_TIMEOUT') return GatewayErrors.UPSTREAM_TIMEOUT({ cause: error });
  if (code === 'RES_ERR_CALL_NOT_PERMITTED' || code === 'RES_ERR_BULKHEAD_FULL')
    return GatewayErrors.CIRCUIT_OPEN({ cause: error });
  return error;
}

/**
 * `CircuitBreaker=myCircuitBreaker` (or `name`, `fallbackUri: forward:/fallback`,
 * `statusCodes`) — the rest of the chain runs under a Spring Cloud CircuitBreaker from
 * `@stratus/resilience`, configured by `resilience4j.circuitbreaker.*` and
 * `resilience4j.timelimiter.*` as Spring's Resilience4J factory is (the time limiter's default
 * is 1 s). A failure — an upstream error, a timeout, an open breaker, or one of `statusCodes` —
 * goes to the fallback, which gets the request (and body) as a local forward; without one, a
 * timeout is 504, an open breaker 503, and a counted status passes through.
 */
export const circuitBreakerFilterFactory: FilterFactory = {
  name: 'CircuitBreaker',
  shortcutFieldOrder: ['name'],
  extraFields: ['fallbackUri', 'statusCodes', 'resumeWithoutError'],
  listFields: ['statusCodes'],
  create(args, context) {
    const id = args.string('name') || context.routeId;
    const fallbackText = args.string('fallbackUri');
    let fallback: ((vars: Readonly<Record<string, string>>) => string) | null = null;
    if (fallbackText !== undefined && fallbackText !== '') {
      const path = FORWARD.exec(fallbackText)?.[1];
      if (path === undefined)
        throw new Error(`fallbackUri must be 'forward:/path', got ${JSON.stringify(fallbackText)}`);
      fallback = compileTemplate(path);
    }
    const statuses = new Set(
      args.list('statusCodes').map((text) => {
        const status = parseHttpStatus(text);
        if (status === null)
          throw new Error(`statusCodes: ${JSON.stringify(text)} is not an HTTP status`);
        return status;
      }),
    );
    args.boolean('resumeWithoutError', false);
    const breaker = context.services.circuitBreakers.create(id);
    const forwardLocally = context.services.forwardLocally;
    const run = async (
      exchange: Exchange,
      next: (e: GatewayExchange) => Promise<void>,
    ): Promise<void> => {
      const outer = exchange.signal;
      await breaker.run(async (signal) => {
        exchange.signal = AbortSignal.any([outer, signal]);
        try {
          await next(exchange);
        } finally {
          exchange.signal = outer;
        }
        if (statuses.has(exchange.statusCode))
          throw new CircuitBreakerStatusCodeError(exchange.statusCode);
      });
    };
    return {
      replaysRequest: fallback !== null,
      async filter(exchange, chain) {
        const ex = exchange as Exchange;
        const outer = ex.signal;
        const snapshot = fallback === null ? null : snapshotExchange(ex);
        try {
          await run(ex, (e) => chain.filter(e));
        } catch (error) {
          // The time limiter rejects before the call settles: the exchange is the caller's again.
          ex.signal = outer;
          if (outer.aborted) throw error;
          if (fallback === null || snapshot === null) {
            if (error instanceof CircuitBreakerStatusCodeError) return;
            throw withoutFallback(error);
          }
          await discardResponseBody(ex);
          restoreExchange(ex, snapshot);
          await forwardLocally(ex, fallback(ex.uriVariables), error);
        }
      },
    };
  },
};
