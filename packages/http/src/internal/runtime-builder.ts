import type { Dispatcher } from 'undici';
import type { Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import {
  createRetry,
  exponentialRandomBackoff,
  type CircuitBreakerFactory,
  type RetryConfigInput,
} from '@stratus/resilience';
import { isStratusError } from '@stratus/core';
import type { ClientSettings } from '../client-settings.js';
import type { AnyEndpoint, ClientDefinition } from '../definition.js';
import { HttpErrors } from '../errors.js';
import type { RequestInterceptor } from '../interceptors.js';
import type { NamedComponents } from '../components.js';
import type { ErrorDecoder } from '../error-decoder.js';
import type { ClientRuntime } from './client-runtime.js';
import type { PropertyView } from './property-view.js';

/** What the factory shares between its clients. */
export interface SharedParts {
  readonly loadBalancer: LoadBalancer | undefined;
  readonly logger: Logger;
  readonly interceptors: readonly RequestInterceptor[];
  readonly components: NamedComponents;
  readonly maxResponseBytes: number;
  readonly dispatcherFor: (connectTimeoutMs: number) => Dispatcher;
  readonly circuitBreakers: () => CircuitBreakerFactory;
}

// Feign's `Retryer.Default`: 5 attempts, 100 ms growing by 1.5 up to 1 s; with jitter here so
// that many callers do not retry in step.
const FEIGN_DEFAULT_RETRYER: RetryConfigInput = {
  maxAttempts: 5,
  intervalFunction: exponentialRandomBackoff({
    initialIntervalMs: 100,
    multiplier: 1.5,
    maxIntervalMs: 1000,
  }),
};

/** Feign retries `RetryableException`s only: failures to reach or hear from the upstream. */
const isRetryableFailure = (error: unknown): boolean =>
  isStratusError(error) &&
  error.retryable &&
  [
    'HTTP_ERR_UPSTREAM_UNAVAILABLE',
    'HTTP_ERR_TIMEOUT',
    'HTTP_ERR_STATUS',
    'HTTP_ERR_NO_INSTANCE',
  ].includes(error.code);

function retryConfigOf(
  name: string,
  settings: ClientSettings,
  components: NamedComponents,
): RetryConfigInput | undefined {
  const retryer = settings.retryer;
  if (retryer === undefined || retryer === 'feign.Retryer.NEVER_RETRY') return undefined;
  const config =
    retryer === 'feign.Retryer.Default' ? FEIGN_DEFAULT_RETRYER : components.retryers?.[retryer];
  if (config === undefined) throw unknownComponent(name, 'retryer', retryer);
  return { retryOnException: isRetryableFailure, ...config };
}

function unknownComponent(client: string, key: string, value: string) {
  return HttpErrors.INVALID_CONFIG({
    message: `HTTP client '${client}': ${key} '${value}' is not registered`,
    details: { client, key, value },
  });
}

function baseUrlOf(
  definition: ClientDefinition<Record<string, AnyEndpoint>>,
  settings: ClientSettings,
): URL {
  const text = settings.url ?? definition.url ?? `lb://${definition.name}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw HttpErrors.INVALID_CONFIG({
      message: `HTTP client '${definition.name}': url '${text}' is not a URL`,
      details: { client: definition.name },
    });
  }
  if (
    !['lb:', 'http:', 'https:'].includes(url.protocol) ||
    url.hostname === '' ||
    url.username !== ''
  )
    throw HttpErrors.INVALID_CONFIG({
      message: `HTTP client '${definition.name}': url must be lb://, http:// or https:// with a host and no credentials`,
      details: { client: definition.name },
    });
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${definition.path ?? ''}`;
  return url;
}

/** The parts of a runtime that settings name, resolved; nothing is created. */
interface NamedParts {
  readonly baseUrl: URL;
  readonly interceptors: readonly RequestInterceptor[];
  readonly errorDecoder: ErrorDecoder | undefined;
  readonly retryConfig: RetryConfigInput | undefined;
}

/**
 * Resolves what the settings name: the URL, interceptors, error decoder and retryer.
 *
 * @throws `HTTP_ERR_INVALID_CONFIG` for a bad URL or a name nothing registered.
 */
export function resolveNamedParts(
  definition: ClientDefinition<Record<string, AnyEndpoint>>,
  settings: ClientSettings,
  shared: Pick<SharedParts, 'components' | 'interceptors'>,
): NamedParts {
  const name = definition.name;
  const named = settings.requestInterceptors.map((interceptor) => {
    const found = shared.components.requestInterceptors?.[interceptor];
    if (found === undefined) throw unknownComponent(name, 'request-interceptors', interceptor);
    return found;
  });
  let errorDecoder = definition.errorDecoder;
  if (settings.errorDecoder !== undefined) {
    errorDecoder = shared.components.errorDecoders?.[settings.errorDecoder];
    if (errorDecoder === undefined)
      throw unknownComponent(name, 'error-decoder', settings.errorDecoder);
  }
  return {
    baseUrl: baseUrlOf(definition, settings),
    interceptors: [...shared.interceptors, ...(definition.interceptors ?? []), ...named],
    errorDecoder,
    retryConfig: retryConfigOf(name, settings, shared.components),
  };
}

/** Builds a client's runtime from its settings. @throws `HTTP_ERR_INVALID_CONFIG` as {@link resolveNamedParts}. */
export function buildRuntime(
  definition: ClientDefinition<Record<string, AnyEndpoint>>,
  settings: ClientSettings,
  view: PropertyView,
  shared: SharedParts,
): ClientRuntime {
  const name = definition.name;
  const parts = resolveNamedParts(definition, settings, shared);
  const { baseUrl } = parts;
  const logger = shared.logger.child({ component: definition.loggerName ?? `http-client.${name}` });
  const dispatcher = shared.dispatcherFor(settings.connectTimeoutMs);
  const isLoadBalanced = baseUrl.protocol === 'lb:';
  return {
    clientName: name,
    settings,
    baseUrl,
    pathPrefix: definition.path ?? '',
    serviceId: isLoadBalanced ? baseUrl.hostname : null,
    origin: isLoadBalanced ? '' : baseUrl.origin,
    basePath: baseUrl.pathname.replace(/\/+$/, ''),
    baseQuery: baseUrl.search.slice(1),
    exchange: {
      dispatcher,
      readTimeoutMs: settings.readTimeoutMs,
      retriesOnNextInstance: settings.loadBalancerRetryEnabled ? settings.retriesOnNextInstance : 0,
      retryOnAllOperations: settings.retryOnAllOperations,
      loadBalancer: shared.loadBalancer,
      logger,
      nameOf: () => name,
      isObserved: settings.metricsEnabled,
    },
    dispatcher,
    loadBalancer: shared.loadBalancer,
    logger,
    interceptors: parts.interceptors,
    errorDecoder: parts.errorDecoder,
    retry: parts.retryConfig === undefined ? undefined : createRetry(name, parts.retryConfig),
    circuitBreakers: settings.circuitBreakerEnabled ? shared.circuitBreakers() : undefined,
    properties: view,
    maxResponseBytes: shared.maxResponseBytes,
  };
}
