import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isStratusError, type Clock, type Logger, type StratusError } from '@stratus/core';
import { runFilters, type CallbackTerminal } from './chain.js';
import { Exchange } from './exchange-impl.js';
import { errorCodeOf } from '@stratus/discovery';
import type { InternalForwards } from './internal-forward.js';
import type { GatewayObserver, ObservedRequest } from './observer.js';
import { writeExchange, writeProblem } from './respond.js';
import { routeRequest, type GatewayState } from './route-request.js';
import type { CompiledRoute } from './types.js';

export type { GatewayState } from './route-request.js';

/** What the request handler works with. */
export interface HandlerContext {
  readonly state: () => GatewayState;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly terminal: CallbackTerminal;
  readonly internalForwards: InternalForwards;
  readonly observer: GatewayObserver;
}

/** Logs a failed request at the level it deserves: 5xx is the upstream's or ours, 4xx the client's. */
function logFailure(log: Logger, routeId: string, failure: StratusError, error: unknown): void {
  if (failure.httpStatus >= 500) {
    log.warn({ routeId, code: failure.code, cause: errorCodeOf(error) }, 'upstream request failed');
  } else {
    log.debug({ routeId, code: failure.code }, 'request refused');
  }
}

/**
 * One request through the gateway: normalise → match → pre filters → upstream call → post
 * filters → the answer streamed back. Every error is problem+json; a client that went away
 * gets its socket closed and nothing written.
 */
class ServedRequest implements ObservedRequest {
  readonly raw: IncomingMessage;
  readonly requestId: string;
  readonly startedAt = performance.now();
  route: CompiledRoute | null = null;
  span: ObservedRequest['span'] = null;
  readonly #res: ServerResponse;
  readonly #context: HandlerContext;
  readonly #extraHeaders: OutgoingHttpHeaders | null;
  readonly #onServed: ((request: ServedRequest, status: number, ms: number) => void) | null;
  #exchange: Exchange | null = null;
  readonly #onClose = (): void => {
    if (!this.#res.writableFinished) this.#exchange?.clientWentAway();
    const durationMs = performance.now() - this.startedAt;
    const status = this.#res.statusCode;
    this.#context.observer.onDone(this, status, durationMs);
    this.#onServed?.(this, status, durationMs);
  };
  readonly #onDone = (error?: unknown): void => this.#finish(error);

  constructor(
    context: HandlerContext,
    raw: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    extraHeaders: OutgoingHttpHeaders | null,
    onServed: ((request: ServedRequest, status: number, ms: number) => void) | null,
  ) {
    this.#context = context;
    this.raw = raw;
    this.#res = res;
    this.requestId = requestId;
    this.#extraHeaders = extraHeaders;
    this.#onServed = onServed;
  }

  run(): void {
    const context = this.#context;
    this.#res.once('close', this.#onClose);
    const routed = routeRequest(this.raw, context.state(), {
      clock: context.clock,
      logger: context.logger,
      requestId: this.requestId,
      onRouted: (route) => context.observer.onRouted(this, route),
    });
    if (!(routed instanceof Exchange)) {
      writeProblem(this.#res, routed, this.requestId, this.#extraHeaders);
      return;
    }
    this.#exchange = routed;
    context.internalForwards.adopt(this.raw.headers, routed);
    runFilters(routed.compiled.filters, routed, context.terminal, this.#onDone);
  }

  #finish(error: unknown): void {
    const exchange = this.#exchange as Exchange;
    const log = this.#context.logger;
    if (exchange.isClientGone) {
      if (error !== undefined)
        log.debug({ routeId: exchange.routeId }, 'client went away before the upstream answered');
      exchange.responseBody = null;
      // Nobody is left to answer: make sure the socket is gone.
      if (!this.#res.destroyed) this.#res.destroy();
      return;
    }
    if (error === undefined) {
      try {
        writeExchange(this.#res, exchange, this.#extraHeaders);
        return;
      } catch (writeError) {
        log.error({ routeId: exchange.routeId, err: writeError }, 'gateway response not sent');
        exchange.responseBody = null;
        writeProblem(this.#res, writeError, this.requestId, this.#extraHeaders);
        return;
      }
    }
    if (isStratusError(error)) logFailure(log, exchange.routeId, error, error.cause);
    else log.error({ routeId: exchange.routeId, err: error }, 'gateway filter failed');
    writeProblem(this.#res, error, this.requestId, this.#extraHeaders);
  }
}

/** What one request needs besides the request and the response. */
export interface ServeOptions {
  readonly requestId: string;
  /** Headers added to every answer (`X-Request-Id`, those fastify's hooks set). */
  readonly extraHeaders: OutgoingHttpHeaders | null;
  /** Called once the response is over, for the server's own request metrics. */
  readonly onServed:
    ((request: ObservedRequest, status: number, durationMs: number) => void) | null;
}

/** Creates the gateway's request handler over raw Node requests and responses. */
export function createRequestHandler(
  context: HandlerContext,
): (raw: IncomingMessage, res: ServerResponse, options: ServeOptions) => void {
  return (raw, res, options) =>
    new ServedRequest(
      context,
      raw,
      res,
      options.requestId,
      options.extraHeaders,
      options.onServed,
    ).run();
}
