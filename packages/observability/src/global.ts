import type { Metrics } from './metrics.js';
import type { Tracing } from './tracing/tracing.js';

/** The process's observability, as Micrometer's `Metrics.globalRegistry` and OpenTelemetry's global tracer. */
export interface GlobalObservability {
  readonly tracing: Tracing | null;
  readonly metrics: Metrics | null;
}

let current: GlobalObservability = Object.freeze({ tracing: null, metrics: null });

/**
 * Makes `tracing` and `metrics` the process's defaults: what the `@Timed` decorator records to
 * and what message helpers and the HTTP client instrumentation use outside a traced context.
 * Boot calls it for each application it creates; the last one wins.
 */
export function setGlobalObservability(observability: GlobalObservability): void {
  current = Object.freeze({ ...observability });
}

/** The process's default tracing and metrics (see {@link setGlobalObservability}). */
export function globalObservability(): GlobalObservability {
  return current;
}

/** Forgets `tracing` and `metrics` as the defaults if they still are (an application closed). */
export function clearGlobalObservability(observability: GlobalObservability): void {
  if (current.tracing === observability.tracing && current.metrics === observability.metrics)
    current = Object.freeze({ tracing: null, metrics: null });
}
