import { channel } from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { withUriTemplate } from '@stratus/observability';

// Where the process's HTTP client instrumentation (observability's) sees each undici request.
const requestCreated = channel('undici:request:create');

/**
 * Starts one undici request (`start` dispatches it synchronously) so that the process's
 * instrumentation, which owns `http_client_requests_seconds` and the client spans, sees it with
 * its URI template (`uri` tag) — or, with observation off for the client
 * (`spring.cloud.openfeign.micrometer.enabled: false`), does not observe it at all, as Feign
 * without its Micrometer capability. Without an instrumentation this is a plain call.
 */
export function startObserved<T>(
  uriTemplate: string | undefined,
  isObserved: boolean,
  start: () => T,
): T {
  if (!requestCreated.hasSubscribers) return start();
  if (!isObserved) return context.with(suppressTracing(context.active()), start);
  return uriTemplate === undefined ? start() : withUriTemplate(uriTemplate, start);
}
