import type { GatewayExchange } from '../exchange.js';
import type { GatewayFilterChain } from '../filter-api.js';
import type { CompiledFilter } from './types.js';

/** The call the chain ends in: the upstream, a local forward, or nothing. */
export type ChainTerminal = (exchange: GatewayExchange) => Promise<void>;

/** The same call with a callback: `done()` once the answer is on the exchange, `done(error)` else. */
export type CallbackTerminal = (exchange: GatewayExchange, done: (error?: unknown) => void) => void;

/**
 * Runs `filters[start…]` around `terminal`, as Spring's `DefaultGatewayFilterChain` does:
 * pre phases in order; a filter with `filter(exchange, chain)` takes over the rest of the chain
 * (and may run it again: Retry); post phases in reverse order of the filters whose pre ran. A
 * filter that answers (`exchange.respond`) stops the pre phases and the upstream call; a
 * thrown error skips every post phase (the error becomes the response).
 */
export async function runChain(
  filters: readonly CompiledFilter[],
  start: number,
  exchange: GatewayExchange,
  terminal: ChainTerminal,
): Promise<void> {
  let end = start;
  let delegated = false;
  while (end < filters.length) {
    const filter = filters[end] as CompiledFilter;
    end++;
    if (filter.filter !== undefined) {
      delegated = true;
      await filter.filter(exchange, chainFrom(filters, end, terminal));
      break;
    }
    if (filter.pre !== undefined) {
      const pending = filter.pre(exchange);
      if (pending !== undefined) await pending;
    }
    if (exchange.isResponded) break;
  }
  if (!delegated && !exchange.isResponded) await terminal(exchange);
  for (let i = end - 1; i >= start; i--) {
    const filter = filters[i] as CompiledFilter;
    if (filter.filter !== undefined || filter.post === undefined) continue;
    const pending = filter.post(exchange);
    if (pending !== undefined) await pending;
  }
}

function chainFrom(
  filters: readonly CompiledFilter[],
  start: number,
  terminal: ChainTerminal,
): GatewayFilterChain {
  return { filter: (exchange) => runChain(filters, start, exchange, terminal) };
}

const isThenable = (value: unknown): value is PromiseLike<void> =>
  value !== undefined && typeof (value as PromiseLike<void>).then === 'function';

/**
 * {@link runChain} without a promise per step: pre and post phases run as plain calls, a
 * filter's promise is waited for only when it returns one, and the terminal takes a callback.
 * A filter with `filter(exchange, chain)` gets the promise-based chain for the rest.
 */
class ChainRun {
  readonly #filters: readonly CompiledFilter[];
  readonly #exchange: GatewayExchange;
  readonly #terminal: CallbackTerminal;
  readonly #done: (error?: unknown) => void;
  /** Filters whose pre phase ran (their post phases run in reverse). */
  #end = 0;
  #post = 0;
  readonly #afterPre = (): void => this.#pre();
  readonly #afterPost = (): void => this.#postPhase();
  readonly #fail = (error: unknown): void => this.#done(error);
  readonly #afterTerminal = (error?: unknown): void => {
    if (error !== undefined) this.#done(error);
    else this.#startPost();
  };

  constructor(
    filters: readonly CompiledFilter[],
    exchange: GatewayExchange,
    terminal: CallbackTerminal,
    done: (error?: unknown) => void,
  ) {
    this.#filters = filters;
    this.#exchange = exchange;
    this.#terminal = terminal;
    this.#done = done;
  }

  run(): void {
    this.#pre();
  }

  #pre(): void {
    const filters = this.#filters;
    const exchange = this.#exchange;
    try {
      while (this.#end < filters.length && !exchange.isResponded) {
        const filter = filters[this.#end] as CompiledFilter;
        this.#end++;
        if (filter.filter !== undefined) {
          const rest = chainFrom(filters, this.#end, promiseTerminal(this.#terminal));
          filter.filter(exchange, rest).then(() => this.#startPost(), this.#fail);
          return;
        }
        const pending = filter.pre?.(exchange);
        if (isThenable(pending)) {
          pending.then(this.#afterPre, this.#fail);
          return;
        }
      }
    } catch (error) {
      this.#done(error);
      return;
    }
    if (exchange.isResponded) this.#startPost();
    else this.#terminal(exchange, this.#afterTerminal);
  }

  #startPost(): void {
    this.#post = this.#end;
    this.#postPhase();
  }

  #postPhase(): void {
    const filters = this.#filters;
    try {
      while (this.#post > 0) {
        const filter = filters[--this.#post] as CompiledFilter;
        if (filter.filter !== undefined || filter.post === undefined) continue;
        const pending = filter.post(this.#exchange);
        if (isThenable(pending)) {
          pending.then(this.#afterPost, this.#fail);
          return;
        }
      }
    } catch (error) {
      this.#done(error);
      return;
    }
    this.#done();
  }
}

/**
 * Runs a route's filters around `terminal`, with {@link runChain}'s order and semantics, calling
 * `done` once (with the error, if any).
 */
export function runFilters(
  filters: readonly CompiledFilter[],
  exchange: GatewayExchange,
  terminal: CallbackTerminal,
  done: (error?: unknown) => void,
): void {
  new ChainRun(filters, exchange, terminal, done).run();
}

/** The terminal as a promise, for filters that run the rest of the chain themselves. */
export const promiseTerminal =
  (terminal: CallbackTerminal): ChainTerminal =>
  (exchange) =>
    new Promise((resolve, reject) =>
      terminal(exchange, (error) => (error === undefined ? resolve() : reject(error))),
    );
