import type { IncomingHttpHeaders } from 'node:http';

/** One request's span, from the tracing seam. */
export interface GatewaySpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Propagation headers to send upstream (`traceparent`, `b3`, …). */
  readonly headers?: Readonly<Record<string, string>>;
  end(statusCode: number): void;
}

/**
 * The seam where tracing (`@stratus/observability`) plugs in: it starts the gateway's server
 * span for a routed request and says what to propagate upstream. Without it, the access log
 * takes trace ids from the request's own `traceparent` / B3 headers, which pass through.
 */
export interface GatewayTracing {
  startSpan(request: {
    readonly method: string;
    readonly path: string;
    readonly headers: IncomingHttpHeaders;
    readonly routeId: string;
  }): GatewaySpan | null;
}

/** Where `spring_cloud_gateway_requests_seconds` is registered: a prom-client `Registry` (`app.metrics.registry`). */
export interface MetricRegistry {
  registerMetric(metric: never): void;
}
