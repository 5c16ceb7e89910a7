import type { Dispatcher } from 'undici';
import type { Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import type { CircuitBreakerFactory, Retry } from '@stratus/resilience';
import type { ClientSettings } from '../client-settings.js';
import type { ErrorDecoder } from '../error-decoder.js';
import type { RequestInterceptor } from '../interceptors.js';
import type { ExchangeOptions } from './exchange.js';
import type { PathTemplate } from './path-template.js';
import type { PropertyView } from './property-view.js';
import type { AnyEndpoint } from '../definition.js';

/** What one client's calls need, built from its settings; replaced whole when they change. */
export interface ClientRuntime {
  readonly clientName: string;
  readonly settings: ClientSettings;
  /** `lb://name` or `http(s)://host[:port]`, with the definition's path prefix. */
  readonly baseUrl: URL;
  /** The definition's path prefix, for the `uri` tag. */
  readonly pathPrefix: string;
  /** The service of `lb://service`, else null. */
  readonly serviceId: string | null;
  /** `scheme://host[:port]` of a direct URL (`''` for `lb://`). */
  readonly origin: string;
  /** The base URL's path (with the definition's prefix), without a trailing `/`. */
  readonly basePath: string;
  /** The base URL's query, without `?` (`''` when none). */
  readonly baseQuery: string;
  /** How attempts are made: the same for every call until the settings change. */
  readonly exchange: ExchangeOptions;
  readonly dispatcher: Dispatcher;
  readonly loadBalancer: LoadBalancer | undefined;
  readonly logger: Logger;
  readonly interceptors: readonly RequestInterceptor[];
  readonly errorDecoder: ErrorDecoder | undefined;
  /** Feign's `Retryer`, for idempotent calls only. */
  readonly retry: Retry | undefined;
  /** Spring Cloud CircuitBreaker, when `spring.cloud.openfeign.circuitbreaker.enabled`. */
  readonly circuitBreakers: CircuitBreakerFactory | undefined;
  readonly properties: PropertyView;
  readonly maxResponseBytes: number;
}

/** One endpoint of a client, checked once. */
export interface CompiledEndpoint {
  readonly name: string;
  readonly spec: AnyEndpoint;
  readonly template: PathTemplate;
  /** `<client>#<method>`, as Feign's `methodKey`. */
  readonly methodKey: string;
  /** The definition's path prefix and the endpoint's path: the `uri` tag. */
  readonly uriTemplate: string;
  /** True when the path's literal text needs URL normalising (dot segments, unsafe characters). */
  readonly isPathIrregular: boolean;
}
