import type { Clock } from '@stratus/core';
import {
  bucketKeys,
  bucketTtlSec,
  type RateLimitConfig,
  type RateLimiterBackend,
} from './backend.js';

interface Bucket {
  tokens: number;
  timestampSec: number;
  expiresAtSec: number;
}

/** Buckets kept at most; the least recently used go first beyond it. */
const MAX_BUCKETS = 100_000;

/**
 * Token buckets in this process, computed as Spring's `request_rate_limiter.lua` computes them
 * (fill `delta × rate` up to the capacity, take `requested` if there are that many, keep the
 * bucket `floor(capacity / rate × 2)` seconds), with the injected clock's fractional seconds
 * instead of Redis `TIME`'s whole ones. Memory is bounded by {@link MAX_BUCKETS}.
 */
export function createMemoryRateLimiter(clock: Clock): RateLimiterBackend {
  const buckets = new Map<string, Bucket>();
  const sweep = (nowSec: number): void => {
    for (const [id, bucket] of buckets) if (bucket.expiresAtSec <= nowSec) buckets.delete(id);
    for (const id of buckets.keys()) {
      if (buckets.size < MAX_BUCKETS) break;
      buckets.delete(id);
    }
  };
  return {
    kind: 'memory',
    isAllowed(routeId, key, config: RateLimitConfig) {
      const nowSec = clock.now() / 1000;
      const [id] = bucketKeys(routeId, key);
      let bucket = buckets.get(id);
      if (bucket !== undefined && bucket.expiresAtSec <= nowSec) bucket = undefined;
      const lastTokens = bucket?.tokens ?? config.burstCapacity;
      const lastSec = bucket?.timestampSec ?? 0;
      const filled = Math.min(
        config.burstCapacity,
        lastTokens + Math.max(0, nowSec - lastSec) * config.replenishRate,
      );
      const allowed = filled >= config.requestedTokens;
      const tokens = allowed ? filled - config.requestedTokens : filled;
      const ttlSec = bucketTtlSec(config);
      if (ttlSec > 0) {
        buckets.delete(id);
        if (buckets.size >= MAX_BUCKETS) sweep(nowSec);
        buckets.set(id, { tokens, timestampSec: nowSec, expiresAtSec: nowSec + ttlSec });
      }
      return Promise.resolve({ allowed, tokensLeft: Math.floor(tokens) });
    },
    close() {
      buckets.clear();
      return Promise.resolve();
    },
  };
}
