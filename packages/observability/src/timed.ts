import { globalObservability } from './global.js';
import type { Metrics, TimerOptions } from './metrics.js';

/** Options of {@link timed} and {@link Timed}. */
export interface TimedOptions extends TimerOptions {
  /** The registry to record to. @default the process's (`setGlobalObservability`, set by boot) */
  metrics?: Metrics;
}

/**
 * Micrometer's `@Timed` as a wrapper: `timed('users.status', { longTask: true }, handler)`
 * times every call of `handler` (sync or async) on the application's registry — a timer
 * `users_status_seconds` with an `exception` tag, or with `longTask` a long task timer
 * (`users_status_seconds_active_count`, `_duration_sum`, `_max`). Without a registry the
 * function runs untimed.
 *
 * @example
 * app.server.get('/health_check', timed('users.status', { longTask: true }, async () => 'ok'));
 */
export function timed<A extends unknown[], R>(
  name: string,
  options: TimedOptions,
  fn: (...args: A) => R,
): (...args: A) => R {
  const byRegistry = new WeakMap<Metrics, (...args: A) => R>();
  return function (this: unknown, ...args: A): R {
    const metrics = options.metrics ?? globalObservability().metrics;
    if (metrics === null) return fn.apply(this, args);
    let wrapped = byRegistry.get(metrics);
    if (wrapped === undefined) {
      const { metrics: _registry, ...timerOptions } = options;
      wrapped = metrics.timed(name, timerOptions, fn);
      byRegistry.set(metrics, wrapped);
    }
    return wrapped.apply(this, args);
  };
}

/**
 * `@Timed(value = "users.status", longTask = true)` as a TypeScript (TC39) method decorator.
 *
 * @example
 * class UserController {
 *   @Timed('users.status', { longTask: true })
 *   async status() { return "It's Working in User Service"; }
 * }
 */
export function Timed(name: string, options: TimedOptions = {}) {
  return function <This, A extends unknown[], R>(
    method: (this: This, ...args: A) => R,
    _context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => R {
    return timed(name, options, method) as (this: This, ...args: A) => R;
  };
}
