/** Helpers for predicate and filter unit tests; no servers, so they load fast. */
import { createSilentLogger, systemClock } from '@stratus/core';
import type { ArgsDefinition } from '../route-definition.js';
import { parseShortcut } from './shortcut.js';
import { bindArgs } from './bind-args.js';
import type {
  FactoryContext,
  FilterFactory,
  GatewayExchange,
  GatewayFilter,
  PredicateContext,
  PredicateFactory,
  RoutePredicate,
} from './types.js';

/** A factory context for unit tests. */
export function factoryContext(overrides: Partial<FactoryContext> = {}): FactoryContext {
  return {
    clock: systemClock,
    logger: createSilentLogger(),
    tokenKey: undefined,
    tokenIssuer: undefined,
    tokenAudience: undefined,
    userIdHeader: 'X-User-Id',
    validateOnly: false,
    ...overrides,
  };
}

const toDefinition = (item: string | ArgsDefinition): ArgsDefinition =>
  typeof item === 'string' ? parseShortcut(item) : item;

/** Builds a predicate from a shortcut (`Path=/a/**`) or `{ name, args }`. */
export function predicate(
  factory: PredicateFactory,
  item: string | ArgsDefinition,
): RoutePredicate {
  return factory.create(bindArgs(toDefinition(item).args, factory), factoryContext());
}

/** Builds a filter from a shortcut or `{ name, args }`. */
export function filter(
  factory: FilterFactory,
  item: string | ArgsDefinition,
  context: Partial<FactoryContext> = {},
  order = 1,
): GatewayFilter {
  return factory.create(bindArgs(toDefinition(item).args, factory), factoryContext(context), order);
}

/** A predicate context for a request. */
export function requestContext(
  request: {
    method?: string;
    path?: string;
    query?: string;
    headers?: Record<string, string | string[]>;
    nowMs?: number;
  } = {},
): PredicateContext & { uriVariables: Record<string, string> } {
  const headers = request.headers ?? {};
  const query = request.query ?? '';
  return {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    rawQuery: query,
    headers,
    nowMs: request.nowMs ?? 0,
    uriVariables: {},
    query: () => new URLSearchParams(query),
    cookies: () => {
      const map = new Map<string, string[]>();
      const raw = headers['cookie'];
      for (const pair of (typeof raw === 'string' ? raw : '').split(';')) {
        const [name, ...rest] = pair.split('=');
        if (name === undefined || rest.length === 0) continue;
        map.set(name.trim(), [...(map.get(name.trim()) ?? []), rest.join('=').trim()]);
      }
      return map;
    },
  };
}

/** A gateway exchange for filter unit tests. */
export function exchange(overrides: Partial<GatewayExchange> = {}): GatewayExchange {
  return {
    routeId: 'test',
    method: 'GET',
    path: '/',
    query: '',
    requestHeaders: {},
    responseHeaders: {},
    statusCode: 200,
    uriVariables: {},
    contentLength: null,
    maxBodyBytes: 5 * 1024 * 1024,
    preserveHost: false,
    log: createSilentLogger(),
    ...overrides,
  };
}
