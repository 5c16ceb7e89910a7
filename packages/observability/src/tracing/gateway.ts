import { context as contextApi, isSpanContextValid, trace } from '@opentelemetry/api';

/** A routed request as the gateway describes it (`@stratus/gateway`'s `GatewayTracing` seam). */
export interface GatewayRouteRequest {
  readonly method: string;
  readonly path: string;
  readonly routeId: string;
}

/** The span the gateway logs and ends (`@stratus/gateway`'s `GatewaySpan`). */
export interface GatewayRouteSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly headers?: Readonly<Record<string, string>>;
  end(statusCode: number): void;
}

/**
 * The gateway's tracing seam on top of the server span every Stratus server already runs each
 * request in: the matched route is tagged on that span (`spring.cloud.gateway.route.id`, as
 * Spring Cloud Gateway's observation tags it), its ids go to the access log, and no headers
 * are returned because the proxied call is a traced undici request that writes them itself
 * (once, replacing any the client sent). Ending stays with the server.
 *
 * @example
 * const gateway = await createGateway({ tracing: gatewayTracing() });
 */
export function gatewayTracing(): {
  startSpan(request: GatewayRouteRequest): GatewayRouteSpan | null;
} {
  return {
    startSpan(request) {
      const span = trace.getSpan(contextApi.active());
      const spanContext = span?.spanContext();
      if (span === undefined || spanContext === undefined || !isSpanContextValid(spanContext))
        return null;
      span.setAttribute('spring.cloud.gateway.route.id', request.routeId);
      return { traceId: spanContext.traceId, spanId: spanContext.spanId, end: () => undefined };
    },
  };
}
