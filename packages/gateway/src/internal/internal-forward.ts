import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { GatewayErrors } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import type { Exchange } from './exchange-impl.js';
import { hasRequestBody, readBody } from './forwarded-body.js';
import { withoutHopByHop, type HeaderRecord } from './headers.js';

/** Spring's `CIRCUITBREAKER_EXECUTION_EXCEPTION_ATTR`: why the fallback was called. */
export const EXECUTION_EXCEPTION_ATTR = 'circuitBreakerExecutionException';
/** Set on an exchange that arrived through a local forward (no second forward from it). */
const FORWARDED_ATTR = 'stratusForwarded';
/** The marker header of a local forward; owned by the gateway, so a client's copy never counts. */
export const INTERNAL_FORWARD_HEADER = 'x-stratus-internal-forward';

/** Local forwards (`forward:/fallback`) in flight, recognised by an unguessable marker. */
export interface InternalForwards {
  /** Marks `exchange` as forwarded (with its cause) when its request carries this gateway's marker. */
  adopt(headers: IncomingHttpHeaders, exchange: GatewayExchange): void;
  /**
   * Dispatches the exchange to `path` on this gateway (its routes and its own handlers) and puts
   * the answer on it, as Spring's `DispatcherHandler` does for `forward:` URIs.
   */
  forward(exchange: GatewayExchange, path: string, cause: unknown): Promise<void>;
}

/** Creates the local-forward dispatcher of one fastify instance (requests go through `inject`). */
export function createInternalForwards(app: FastifyInstance): InternalForwards {
  const nonce = randomBytes(16).toString('hex');
  const causes = new Map<string, unknown>();
  let sequence = 0;
  return {
    adopt(headers, exchange) {
      const marker = headers[INTERNAL_FORWARD_HEADER];
      if (typeof marker !== 'string' || !marker.startsWith(`${nonce}:`)) return;
      exchange.attributes.set(FORWARDED_ATTR, true);
      const cause = causes.get(marker.slice(nonce.length + 1));
      if (cause !== undefined) exchange.attributes.set(EXECUTION_EXCEPTION_ATTR, cause);
    },
    async forward(exchange, path, cause) {
      if (exchange.attributes.get(FORWARDED_ATTR) === true)
        throw GatewayErrors.UPSTREAM_UNAVAILABLE({
          message: 'A forwarded request cannot be forwarded again',
        });
      const id = String(++sequence);
      causes.set(id, cause ?? null);
      try {
        const url = exchange.query === '' ? path : `${path}?${exchange.query}`;
        const headers: HeaderRecord = {
          ...exchange.requestHeaders,
          [INTERNAL_FORWARD_HEADER]: `${nonce}:${id}`,
        };
        delete headers['content-length'];
        const body = await bufferedBody(exchange);
        const response = await app.inject({
          method: exchange.method as 'GET',
          url,
          headers,
          ...(body === null ? {} : { payload: body }),
        });
        exchange.statusCode = response.statusCode;
        Object.assign(
          exchange.responseHeaders,
          withoutHopByHop(response.headers as Record<string, string | string[] | undefined>),
        );
        delete exchange.responseHeaders['content-length'];
        exchange.responseBody = response.rawPayload;
      } finally {
        causes.delete(id);
      }
    },
  };
}

/** The request body for a second dispatch: only a body held in memory can be sent again. */
async function bufferedBody(exchange: GatewayExchange): Promise<Buffer | null> {
  const { body: held, raw } = exchange as Exchange;
  if (held === null) {
    return hasRequestBody(raw, exchange.contentLength) && !raw.readableEnded
      ? readBody(raw, exchange.maxBodyBytes)
      : null;
  }
  if (!held.isReplayable) return null;
  const next = held.next();
  return Buffer.isBuffer(next) ? next : null;
}
