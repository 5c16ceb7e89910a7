import type { LongTask } from './long-task-timer.js';

/** Wraps `fn` so every call (sync or async) reports its duration and error. */
export function timeCalls<A extends unknown[], R>(
  fn: (...args: A) => R,
  report: (seconds: number, error: unknown) => void,
): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const started = process.hrtime.bigint();
    const done = (error: unknown) => report(Number(process.hrtime.bigint() - started) / 1e9, error);
    let result: R;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      done(error);
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => {
          done(undefined);
          return value;
        },
        (error: unknown) => {
          done(error);
          throw error;
        },
      ) as R;
    }
    done(undefined);
    return result;
  };
}

/** Wraps `fn` so every call is a running task from its start until it settles. */
export function timeLongTask<A extends unknown[], R>(
  fn: (...args: A) => R,
  start: () => LongTask,
): (...args: A) => R {
  return function (this: unknown, ...args: A): R {
    const task = start();
    let result: R;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      task.stop();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => task.stop()) as R;
    task.stop();
    return result;
  };
}
