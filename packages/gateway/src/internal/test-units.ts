/** Helpers for predicate and filter unit tests; no servers, so they load fast. */
import { createSilentLogger, systemClock } from '@stratus/core';
import { createCircuitBreakerFactory, createResilienceRegistry } from '@stratus/resilience';
import type { GatewayExchange, PredicateContext } from '../exchange.js';
import type { GatewayFilter, RoutePredicate } from '../filter-api.js';
import { invalidRoutes } from '../errors.js';
import {
  parseDefinitions,
  type ArgsDefinition,
  type GatewayDefinitions,
} from '../route-definition.js';
import { FILTER_FACTORIES, PREDICATE_FACTORIES } from './built-in-factories.js';
import { compileRouteTable } from './compile.js';
import { resolveGatewaySettings, type GatewaySettingsInput } from '../settings.js';
import { bindArgs } from './bind-args.js';
import { createMemoryRateLimiter } from './rate-limit/memory-backend.js';
import { BUILT_IN_KEY_RESOLVERS } from '../key-resolvers.js';
import { parseShortcut } from './shortcut.js';
import { tokenVerifierOf } from './services.js';
import type { CompileContext, FilterFactory, GatewayServices, PredicateFactory } from './types.js';

/** A compile context for unit tests: silent logger, system clock, in-memory services. */
export function factoryContext(
  overrides: Partial<Omit<CompileContext, 'settings'>> & { settings?: GatewaySettingsInput } = {},
): CompileContext & { registerWeight(group: string, weight: number): void } {
  const settings = resolveGatewaySettings(overrides.settings);
  const clock = overrides.clock ?? systemClock;
  const services: GatewayServices = {
    tokenVerifier: tokenVerifierOf(settings.jwt, clock),
    rateLimiter: createMemoryRateLimiter(clock),
    keyResolvers: BUILT_IN_KEY_RESOLVERS,
    circuitBreakers: createCircuitBreakerFactory(createResilienceRegistry({ clock })),
    forwardLocally: () => Promise.reject(new Error('no local forward in unit tests')),
    random: Math.random,
    ...overrides.services,
  };
  return {
    routeId: overrides.routeId ?? 'test',
    routeKey: overrides.routeKey ?? '0:test',
    clock,
    logger: overrides.logger ?? createSilentLogger(),
    settings,
    services,
    validateOnly: overrides.validateOnly ?? false,
    registerWeight: () => undefined,
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
  context: Parameters<typeof factoryContext>[0] = {},
): GatewayFilter {
  return factory.create(bindArgs(toDefinition(item).args, factory), factoryContext(context));
}

/** A predicate context for a request. */
export function requestContext(
  request: {
    method?: string;
    path?: string;
    query?: string;
    headers?: Record<string, string | string[]>;
    nowMs?: number;
    peerAddress?: string;
    isTrustedPeer?: boolean;
    weights?: Record<string, string>;
  } = {},
): PredicateContext {
  const headers = request.headers ?? {};
  const query = request.query ?? '';
  return {
    method: request.method ?? 'GET',
    path: request.path ?? '/',
    rawQuery: query,
    headers,
    nowMs: request.nowMs ?? 0,
    peerAddress: request.peerAddress ?? '127.0.0.1',
    isTrustedPeer: request.isTrustedPeer ?? false,
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
    weightChoice: (group) => request.weights?.[group],
  };
}

/** A gateway exchange for filter unit tests (a plain object: no request behind it). */
export function exchange(overrides: Partial<GatewayExchange> = {}): GatewayExchange {
  const base = {
    route: { id: 'test', uri: 'http://127.0.0.1', order: 0, metadata: {} },
    routeId: 'test',
    requestId: 'req-1',
    method: 'GET',
    originalPath: overrides.path ?? '/',
    path: '/',
    query: '',
    incomingHeaders: {},
    requestHeaders: {},
    responseHeaders: {},
    statusCode: 200,
    responseBody: null,
    uriVariables: {},
    contentLength: null,
    maxBodyBytes: 5 * 1024 * 1024,
    preserveHost: false,
    clientAddress: '127.0.0.1',
    principal: null,
    claims: null,
    attributes: new Map<string, unknown>(),
    signal: new AbortController().signal,
    isResponded: false,
    log: createSilentLogger(),
    ...overrides,
  };
  let requestBody: Buffer = Buffer.alloc(0);
  return Object.assign(base, {
    respond(status: number, body: Buffer | string | null = null) {
      base.statusCode = status;
      base.responseBody = typeof body === 'string' ? Buffer.from(body) : body;
      (base as { isResponded: boolean }).isResponded = true;
    },
    readRequestBody: overrides.readRequestBody ?? (() => Promise.resolve(requestBody)),
    setRequestBody:
      overrides.setRequestBody ??
      ((body: Buffer | string) => {
        requestBody = typeof body === 'string' ? Buffer.from(body) : body;
        (base.requestHeaders as Record<string, string>)['content-length'] = String(
          requestBody.length,
        );
      }),
  }) as GatewayExchange;
}

/**
 * Parses and compiles definitions with the built-in factories, as a gateway would, throwing
 * `GW_ERR_INVALID_ROUTE` with every structural and compile problem.
 */
export function validateDefinitions(config: unknown): GatewayDefinitions {
  const { definitions, problems } = parseDefinitions(config);
  const context = factoryContext();
  const table = compileRouteTable(definitions, {
    filterFactories: FILTER_FACTORIES,
    predicateFactories: PREDICATE_FACTORIES,
    globalFilters: [],
    services: context.services,
    settings: context.settings,
    clock: context.clock,
    logger: context.logger,
    validateOnly: true,
  });
  const all = [...problems, ...table.problems];
  if (all.length > 0) throw invalidRoutes(all);
  return definitions;
}
