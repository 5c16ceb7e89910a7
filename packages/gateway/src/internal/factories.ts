import { addRequestHeaderFilterFactory } from '../filters/add-request-header.js';
import { addResponseHeaderFilterFactory } from '../filters/add-response-header.js';
import { authorizationHeaderFilterFactory } from '../filters/authorization-header.js';
import {
  customFilterFactory,
  globalFilterFactory,
  loggingFilterFactory,
} from '../filters/logging.js';
import { prefixPathFilterFactory } from '../filters/prefix-path.js';
import { preserveHostHeaderFilterFactory } from '../filters/preserve-host-header.js';
import { removeRequestHeaderFilterFactory } from '../filters/remove-request-header.js';
import { removeResponseHeaderFilterFactory } from '../filters/remove-response-header.js';
import { requestSizeFilterFactory } from '../filters/request-size.js';
import { rewritePathFilterFactory } from '../filters/rewrite-path.js';
import { setPathFilterFactory } from '../filters/set-path.js';
import { setRequestHeaderFilterFactory } from '../filters/set-request-header.js';
import { setResponseHeaderFilterFactory } from '../filters/set-response-header.js';
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
import type { FilterFactory, PredicateFactory } from './types.js';

const byName = <T extends { name: string }>(items: T[]): ReadonlyMap<string, T> =>
  new Map(items.map((item) => [item.name, item]));

/** Every predicate factory, by Spring name. */
export const PREDICATE_FACTORIES: ReadonlyMap<string, PredicateFactory> = byName([
  pathPredicateFactory,
  methodPredicateFactory,
  headerPredicateFactory,
  queryPredicateFactory,
  hostPredicateFactory,
  afterPredicateFactory,
  beforePredicateFactory,
  betweenPredicateFactory,
  cookiePredicateFactory,
]);

/** Every filter factory, by Spring name. */
export const FILTER_FACTORIES: ReadonlyMap<string, FilterFactory> = byName([
  rewritePathFilterFactory,
  removeRequestHeaderFilterFactory,
  addRequestHeaderFilterFactory,
  addResponseHeaderFilterFactory,
  setRequestHeaderFilterFactory,
  setResponseHeaderFilterFactory,
  removeResponseHeaderFilterFactory,
  stripPrefixFilterFactory,
  prefixPathFilterFactory,
  setPathFilterFactory,
  requestSizeFilterFactory,
  preserveHostHeaderFilterFactory,
  authorizationHeaderFilterFactory,
  loggingFilterFactory,
  customFilterFactory,
  globalFilterFactory,
]);
