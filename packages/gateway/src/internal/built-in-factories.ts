import { addRequestHeaderFilterFactory } from '../filters/add-request-header.js';
import { addRequestHeadersIfNotPresentFilterFactory } from '../filters/add-request-headers-if-not-present.js';
import { addRequestParameterFilterFactory } from '../filters/add-request-parameter.js';
import { addResponseHeaderFilterFactory } from '../filters/add-response-header.js';
import { authorizationHeaderFilterFactory } from '../filters/authorization-header.js';
import { cacheRequestBodyFilterFactory } from '../filters/cache-request-body.js';
import { circuitBreakerFilterFactory } from '../filters/circuit-breaker.js';
import { dedupeResponseHeaderFilterFactory } from '../filters/dedupe-response-header.js';
import { fallbackHeadersFilterFactory } from '../filters/fallback-headers.js';
import { localResponseCacheFilterFactory } from '../filters/local-response-cache.js';
import {
  customFilterFactory,
  globalFilterFactory,
  loggingFilterFactory,
} from '../filters/logging.js';
import { mapRequestHeaderFilterFactory } from '../filters/map-request-header.js';
import { modifyRequestBodyFilterFactory } from '../filters/modify-request-body.js';
import { modifyResponseBodyFilterFactory } from '../filters/modify-response-body.js';
import { prefixPathFilterFactory } from '../filters/prefix-path.js';
import { preserveHostHeaderFilterFactory } from '../filters/preserve-host-header.js';
import { redirectToFilterFactory } from '../filters/redirect-to.js';
import { removeJsonAttributesResponseBodyFilterFactory } from '../filters/remove-json-attributes-response-body.js';
import { removeRequestHeaderFilterFactory } from '../filters/remove-request-header.js';
import { removeRequestParameterFilterFactory } from '../filters/remove-request-parameter.js';
import { removeResponseHeaderFilterFactory } from '../filters/remove-response-header.js';
import { requestHeaderSizeFilterFactory } from '../filters/request-header-size.js';
import { requestRateLimiterFilterFactory } from '../filters/request-rate-limiter.js';
import { requestSizeFilterFactory } from '../filters/request-size.js';
import { retryFilterFactory } from '../filters/retry.js';
import { rewriteLocationResponseHeaderFilterFactory } from '../filters/rewrite-location-response-header.js';
import { rewritePathFilterFactory } from '../filters/rewrite-path.js';
import { rewriteRequestParameterFilterFactory } from '../filters/rewrite-request-parameter.js';
import { rewriteResponseHeaderFilterFactory } from '../filters/rewrite-response-header.js';
import { secureHeadersFilterFactory } from '../filters/secure-headers.js';
import { setPathFilterFactory } from '../filters/set-path.js';
import { setRequestHostHeaderFilterFactory } from '../filters/set-request-host-header.js';
import { setRequestHeaderFilterFactory } from '../filters/set-request-header.js';
import { setResponseHeaderFilterFactory } from '../filters/set-response-header.js';
import { setStatusFilterFactory } from '../filters/set-status.js';
import { stripPrefixFilterFactory } from '../filters/strip-prefix.js';
import { afterPredicateFactory } from '../predicates/after.js';
import { beforePredicateFactory } from '../predicates/before.js';
import { betweenPredicateFactory } from '../predicates/between.js';
import { cookiePredicateFactory } from '../predicates/cookie.js';
import { headerPredicateFactory } from '../predicates/header.js';
import { hostPredicateFactory } from '../predicates/host.js';
import { methodPredicateFactory } from '../predicates/method.js';
import { pathPredicateFactory } from '../predicates/path.js';
import { queryPredicateFactory } from '../predicates/query.js';
import { remoteAddrPredicateFactory } from '../predicates/remote-addr.js';
import { weightPredicateFactory } from '../predicates/weight.js';
import { xForwardedRemoteAddrPredicateFactory } from '../predicates/x-forwarded-remote-addr.js';
import type { FilterFactory, PredicateFactory } from './types.js';

const byName = <T extends { name: string }>(items: T[]): ReadonlyMap<string, T> =>
  new Map(items.map((item) => [item.name, item]));

/** Every built-in predicate factory, by Spring name (spring-wire.md §5.2). */
export const PREDICATE_FACTORIES: ReadonlyMap<string, PredicateFactory> = byName([
  afterPredicateFactory,
  beforePredicateFactory,
  betweenPredicateFactory,
  cookiePredicateFactory,
  headerPredicateFactory,
  hostPredicateFactory,
  methodPredicateFactory,
  pathPredicateFactory,
  queryPredicateFactory,
  remoteAddrPredicateFactory,
  xForwardedRemoteAddrPredicateFactory,
  weightPredicateFactory,
]);

/** Every built-in filter factory, by Spring name (spring-wire.md §5.3), plus the seed's filters. */
export const FILTER_FACTORIES: ReadonlyMap<string, FilterFactory> = byName([
  addRequestHeaderFilterFactory,
  addRequestHeadersIfNotPresentFilterFactory,
  addRequestParameterFilterFactory,
  addResponseHeaderFilterFactory,
  setRequestHeaderFilterFactory,
  setResponseHeaderFilterFactory,
  removeRequestHeaderFilterFactory,
  removeResponseHeaderFilterFactory,
  removeRequestParameterFilterFactory,
  rewriteRequestParameterFilterFactory,
  mapRequestHeaderFilterFactory,
  rewritePathFilterFactory,
  rewriteResponseHeaderFilterFactory,
  rewriteLocationResponseHeaderFilterFactory,
  stripPrefixFilterFactory,
  prefixPathFilterFactory,
  setPathFilterFactory,
  preserveHostHeaderFilterFactory,
  setRequestHostHeaderFilterFactory,
  redirectToFilterFactory,
  setStatusFilterFactory,
  requestSizeFilterFactory,
  requestHeaderSizeFilterFactory,
  requestRateLimiterFilterFactory,
  circuitBreakerFilterFactory,
  fallbackHeadersFilterFactory,
  retryFilterFactory,
  secureHeadersFilterFactory,
  dedupeResponseHeaderFilterFactory,
  localResponseCacheFilterFactory,
  removeJsonAttributesResponseBodyFilterFactory,
  cacheRequestBodyFilterFactory,
  modifyRequestBodyFilterFactory,
  modifyResponseBodyFilterFactory,
  authorizationHeaderFilterFactory,
  loggingFilterFactory,
  customFilterFactory,
  globalFilterFactory,
]);
