import type { IncomingMessage } from 'node:http';
import type { Logger } from '@stratus/core';
import type { GatewayTracing, GatewaySpan, MetricRegistry } from '../observability.js';
import { createGatewayMetrics } from './gateway-metrics.js';
import { traceIdsOf } from './trace-ids.js';
import type { CompiledRoute } from './types.js';

/** What the observer keeps of one request, from its arrival to its response. */
export interface ObservedRequest {
  readonly raw: IncomingMessage;
  readonly requestId: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  route: CompiledRoute | null;
  span: GatewaySpan | null;
}

/** Metrics, access log and tracing of the gateway's requests. */
export interface GatewayObserver {
  /** A route matched: starts the span; returns headers to add upstream. */
  onRouted(
    request: ObservedRequest,
    route: CompiledRoute,
  ): Readonly<Record<string, string>> | undefined;
  /** The response is over (sent, or the connection closed). */
  onDone(request: ObservedRequest, status: number, durationMs: number): void;
}

/** The path of a request target without its query (which may hold secrets). */
const pathOf = (url: string | undefined): string => {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
};

/**
 * Records `spring_cloud_gateway_requests_seconds{routeId, routeUri, outcome, status,
 * httpStatusCode, httpMethod}` for routed requests, writes one access-log line per request when
 * enabled (logger `reactor.netty.http.server.AccessLog`, as Reactor Netty's; the path without
 * its query, which may hold secrets), with the trace ids of the span or of the request's
 * `traceparent`/B3 headers.
 */
export function createObserver(options: {
  readonly logger: Logger;
  readonly metricsRegistry: MetricRegistry | undefined;
  readonly tracing: GatewayTracing | undefined;
  readonly accessLog: () => boolean;
}): GatewayObserver {
  const metrics = createGatewayMetrics(options.metricsRegistry);
  const accessLog = options.logger.child({ component: 'reactor.netty.http.server.AccessLog' });
  const { tracing } = options;
  return {
    onRouted(request, route) {
      request.route = route;
      if (tracing === undefined) return undefined;
      const raw = request.raw;
      request.span =
        tracing.startSpan({
          method: raw.method ?? 'GET',
          path: pathOf(raw.url),
          headers: raw.headers,
          routeId: route.id,
        }) ?? null;
      return request.span?.headers;
    },
    onDone(request, status, durationMs) {
      const { raw, route, span } = request;
      if (route !== null) {
        metrics.record({
          routeId: route.id,
          routeUri: route.definition.uri,
          httpMethod: raw.method ?? 'GET',
          httpStatusCode: status,
          durationSeconds: durationMs / 1000,
        });
        span?.end(status);
      }
      if (!options.accessLog()) return;
      const ids = span ?? traceIdsOf(raw.headers);
      accessLog.info(
        {
          remoteAddress: raw.socket?.remoteAddress,
          method: raw.method,
          path: pathOf(raw.url),
          protocol: `HTTP/${raw.httpVersion}`,
          status,
          durationMs: Math.round(durationMs),
          routeId: route?.id,
          requestId: request.requestId,
          traceId: ids?.traceId,
          spanId: ids?.spanId,
        },
        'gateway access',
      );
    },
  };
}
