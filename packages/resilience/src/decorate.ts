import type { Bulkhead } from './bulkhead/bulkhead.js';
import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import type { RateLimiter } from './rate-limiter/rate-limiter.js';
import type { Retry } from './retry/retry.js';
import type { TimeLimiter } from './time-limiter/time-limiter.js';

/** The policies one call runs under; any may be left out. */
export interface PolicySet {
  readonly retry?: Retry;
  readonly circuitBreaker?: CircuitBreaker;
  readonly rateLimiter?: RateLimiter;
  readonly timeLimiter?: TimeLimiter;
  readonly bulkhead?: Bulkhead;
}

/** Spring AOP order of each aspect: the lowest value runs outermost. */
export interface AspectOrder {
  readonly retry: number;
  readonly circuitBreaker: number;
  readonly rateLimiter: number;
  readonly timeLimiter: number;
  readonly bulkhead: number;
}

const LOWEST_PRECEDENCE = 2_147_483_647;

/**
 * Resilience4j's Spring Boot defaults (`retryAspectOrder` = LOWEST_PRECEDENCE − 5, …):
 * Retry ( CircuitBreaker ( RateLimiter ( TimeLimiter ( Bulkhead ( fn ) ) ) ) ).
 */
export const DEFAULT_ASPECT_ORDER: AspectOrder = Object.freeze({
  retry: LOWEST_PRECEDENCE - 5,
  circuitBreaker: LOWEST_PRECEDENCE - 4,
  rateLimiter: LOWEST_PRECEDENCE - 3,
  timeLimiter: LOWEST_PRECEDENCE - 2,
  bulkhead: LOWEST_PRECEDENCE - 1,
});

/** A call that takes the signal it should stop on. */
export type Call<T> = (signal: AbortSignal) => T | Promise<T>;

type Layer = <T>(next: Call<T>, signal: AbortSignal) => Promise<T>;

function layerOf(kind: keyof PolicySet, policies: PolicySet): Layer | undefined {
  switch (kind) {
    case 'retry': {
      const retry = policies.retry;
      return retry && ((next, signal) => retry.execute(() => next(signal), signal));
    }
    case 'circuitBreaker': {
      const breaker = policies.circuitBreaker;
      return breaker && ((next, signal) => breaker.execute(() => next(signal)));
    }
    case 'rateLimiter': {
      const limiter = policies.rateLimiter;
      return limiter && ((next, signal) => limiter.execute(() => next(signal), signal));
    }
    case 'timeLimiter': {
      const limiter = policies.timeLimiter;
      return limiter && ((next, signal) => limiter.execute((inner) => next(inner), signal));
    }
    case 'bulkhead': {
      const bulkhead = policies.bulkhead;
      return bulkhead && ((next, signal) => bulkhead.execute(() => next(signal), signal));
    }
  }
}

/**
 * Wraps `fn` in the given policies in Spring's aspect order. `policies` may be a function, read
 * on every call, so that a registry's replaced instances take effect at once.
 *
 * @example
 * const getOrders = decorate((signal) => client.get(`/orders/${id}`, { signal }), { retry, circuitBreaker, timeLimiter });
 * const orders = await getOrders();
 */
export function decorate<T>(
  fn: Call<T>,
  policies: PolicySet | (() => PolicySet),
  order: AspectOrder = DEFAULT_ASPECT_ORDER,
): (signal?: AbortSignal) => Promise<T> {
  const innermostFirst = (Object.keys(order) as Array<keyof AspectOrder>).sort(
    (a, b) => order[b] - order[a],
  );
  return (signal) => {
    const current = typeof policies === 'function' ? policies() : policies;
    let call: Call<T> = fn;
    for (const kind of innermostFirst) {
      const layer = layerOf(kind, current);
      if (!layer) continue;
      const next = call;
      call = (inner) => layer(next, inner);
    }
    try {
      return Promise.resolve(call(signal ?? new AbortController().signal));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
