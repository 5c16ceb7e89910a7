import { GatewayErrors, withResponse } from '../errors.js';
import type { GatewayExchange } from '../exchange.js';
import { beanName } from '../internal/bean-reference.js';
import type { BoundArgs } from '../internal/bind-args.js';
import { parseHttpStatus } from '../internal/http-status.js';
import type { RateLimitConfig } from '../internal/rate-limit/backend.js';
import { headerKeyResolver, type KeyResolver } from '../key-resolvers.js';
import type { CompileContext, FilterFactory } from '../internal/types.js';

const REPLENISH = 'redis-rate-limiter.replenishRate';
const BURST = 'redis-rate-limiter.burstCapacity';
const REQUESTED = 'redis-rate-limiter.requestedTokens';

function bucketConfig(args: BoundArgs): RateLimitConfig {
  const replenishRate = args.integer(REPLENISH, 0);
  if (replenishRate < 1) throw new Error(`argument '${REPLENISH}' is required and must be >= 1`);
  const burstCapacity = args.integer(BURST, 1);
  if (args.has(BURST) && burstCapacity < replenishRate)
    throw new Error(
      `BurstCapacity(${burstCapacity}) must be greater than or equal than replenishRate(${replenishRate})`,
    );
  const requestedTokens = args.integer(REQUESTED, 1);
  if (requestedTokens < 1) throw new Error(`argument '${REQUESTED}' must be >= 1`);
  return Object.freeze({ replenishRate, burstCapacity, requestedTokens });
}

function keyResolverOf(args: BoundArgs, context: CompileContext): KeyResolver {
  const name = beanName(args.string('keyResolver'), 'key-resolver') ?? 'principalNameKeyResolver';
  if (name === 'headerKeyResolver') {
    const header = args.string('keyResolverHeader');
    if (!header)
      throw new Error("'#{@headerKeyResolver}' needs the argument 'key-resolver-header'");
    return headerKeyResolver(header);
  }
  const resolver = context.services.keyResolvers.get(name);
  if (resolver === undefined)
    throw new Error(
      `no key resolver named '${name}' (known: headerKeyResolver, ${[...context.services.keyResolvers.keys()].join(', ')})`,
    );
  return resolver;
}

function statusArg(args: BoundArgs, name: string, fallback: number): number {
  const text = args.string(name);
  if (text === undefined || text === '') return fallback;
  const status = parseHttpStatus(text);
  if (status === null || status < 400)
    throw new Error(`argument '${name}' must be a 4xx or 5xx status`);
  return status;
}

/** Refuses the request: the problem for 429/403, else Spring's bare status. */
function refuse(
  exchange: GatewayExchange,
  status: number,
  headers: Record<string, string>,
  isEmptyKey: boolean,
): void {
  if (status === 429 && !isEmptyKey) throw withResponse(GatewayErrors.RATE_LIMITED(), { headers });
  if (status === 403 && isEmptyKey)
    throw withResponse(GatewayErrors.FORBIDDEN({ message: 'No rate-limit key for the request' }), {
      headers,
    });
  Object.assign(exchange.responseHeaders, headers);
  exchange.respond(status);
}

/**
 * `RequestRateLimiter` — a token bucket per route and key (Spring's `RedisRateLimiter`):
 * `redis-rate-limiter.replenishRate` tokens per second up to `burstCapacity`, each request
 * costing `requestedTokens`. The key comes from `key-resolver: "#{@principalNameKeyResolver}"`
 * (the default; needs AuthorizationHeaderFilter before it), `#{@remoteAddrKeyResolver}` (the
 * client address), `#{@headerKeyResolver}` with `key-resolver-header`, or a resolver registered
 * in code. No key → 403 (`deny-empty-key`); no token → 429; both answers and allowed responses
 * carry `X-RateLimit-Remaining`, `-Replenish-Rate`, `-Burst-Capacity`, `-Requested-Tokens`.
 * Buckets live in Redis when `spring.data.redis.*` is configured (shared with Java gateways),
 * in memory otherwise.
 */
export const requestRateLimiterFilterFactory: FilterFactory = {
  name: 'RequestRateLimiter',
  shortcutFieldOrder: [],
  extraFields: [
    'keyResolver',
    'keyResolverHeader',
    'rateLimiter',
    'statusCode',
    'denyEmptyKey',
    'emptyKeyStatus',
    REPLENISH,
    BURST,
    REQUESTED,
  ],
  create(args, context) {
    const config = bucketConfig(args);
    const resolveKey = keyResolverOf(args, context);
    const limiter = beanName(args.string('rateLimiter'), 'rate-limiter') ?? 'redisRateLimiter';
    if (limiter !== 'redisRateLimiter')
      throw new Error(`no rate limiter named '${limiter}' (known: redisRateLimiter)`);
    const defaults = context.settings.rateLimiter;
    const statusCode = statusArg(args, 'statusCode', 429);
    const denyEmptyKey = args.boolean('denyEmptyKey', defaults.denyEmptyKey);
    const emptyKeyStatus = statusArg(args, 'emptyKeyStatus', defaults.emptyKeyStatusCode);
    const headersOf = (tokensLeft: number): Record<string, string> =>
      defaults.includeHeaders
        ? {
            'x-ratelimit-remaining': String(tokensLeft),
            'x-ratelimit-replenish-rate': String(config.replenishRate),
            'x-ratelimit-burst-capacity': String(config.burstCapacity),
            'x-ratelimit-requested-tokens': String(config.requestedTokens),
          }
        : {};
    const { routeId } = context;
    const backend = context.services.rateLimiter;
    const log = context.logger.child({ component: 'gateway.filter.RequestRateLimiter' });
    return {
      async pre(exchange) {
        let key: string | null | undefined;
        try {
          key = await resolveKey(exchange);
        } catch (error) {
          log.warn(
            { routeId, err: (error as Error).message },
            'key resolver failed; treating the key as empty',
          );
        }
        if (key === undefined || key === null || key === '') {
          if (denyEmptyKey) refuse(exchange, emptyKeyStatus, {}, true);
          return;
        }
        const result = await backend.isAllowed(routeId, key, config);
        const headers = headersOf(result.tokensLeft);
        if (!result.allowed) return refuse(exchange, statusCode, headers, false);
        Object.assign(exchange.responseHeaders, headers);
      },
    };
  },
};
