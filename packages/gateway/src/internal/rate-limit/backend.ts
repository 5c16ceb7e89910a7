/** One route's token bucket settings (Spring's `RedisRateLimiter.Config`). */
export interface RateLimitConfig {
  /** Tokens added per second (`redis-rate-limiter.replenishRate`, >= 1). */
  readonly replenishRate: number;
  /** Bucket size (`redis-rate-limiter.burstCapacity`). */
  readonly burstCapacity: number;
  /** Tokens one request costs (`redis-rate-limiter.requestedTokens`, >= 1). */
  readonly requestedTokens: number;
}

/** The answer for one request. */
export interface RateLimitResult {
  readonly allowed: boolean;
  /** Tokens left after this request; -1 when the store failed and the request was let through. */
  readonly tokensLeft: number;
}

/** Where token buckets live: Redis (shared with Java gateways) or this process's memory. */
export interface RateLimiterBackend {
  /** `memory` or `redis`, for logs and the actuator. */
  readonly kind: 'memory' | 'redis';
  /** Takes `requestedTokens` from the bucket of `routeId` + `key`. Never rejects: a store failure allows. */
  isAllowed(routeId: string, key: string, config: RateLimitConfig): Promise<RateLimitResult>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * Spring's Redis keys for one bucket: `request_rate_limiter.{<routeId>.<key>}.tokens` and
 * `.timestamp` (RedisRateLimiter.getKeys; the braces are a Redis Cluster hash tag).
 */
export function bucketKeys(routeId: string, key: string): [string, string] {
  const prefix = `request_rate_limiter.{${routeId}.${key}}.`;
  return [`${prefix}tokens`, `${prefix}timestamp`];
}

/** `floor(burstCapacity / replenishRate * 2)` seconds: how long an idle bucket is kept. */
export const bucketTtlSec = (config: RateLimitConfig): number =>
  Math.floor((config.burstCapacity / config.replenishRate) * 2);
