import { Redis } from 'ioredis';
import type { Clock, Logger } from '@stratus/core';
import type { RedisSettings } from '../../settings.js';
import { bucketKeys, type RateLimiterBackend } from './backend.js';

/**
 * Spring Cloud Gateway's `request_rate_limiter.lua` (the two-key form: `.tokens` and
 * `.timestamp`, `now` from Redis `TIME` when ARGV[3] is empty), so Java and Stratus gateways
 * configured alike share one bucket per route and key.
 */
export const REQUEST_RATE_LIMITER_SCRIPT = `redis.replicate_commands()

local tokens_key = KEYS[1]
local timestamp_key = KEYS[2]

local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local requested = tonumber(ARGV[4])

local fill_time = capacity/rate
local ttl = math.floor(fill_time*2)

if now == nil then
  now = tonumber(redis.call('TIME')[1])
end

local last_tokens = tonumber(redis.call("get", tokens_key))
if last_tokens == nil then
  last_tokens = capacity
end

local last_refreshed = tonumber(redis.call("get", timestamp_key))
if last_refreshed == nil then
  last_refreshed = 0
end

local delta = math.max(0, now-last_refreshed)
local filled_tokens = math.min(capacity, last_tokens+(delta*rate))
local allowed = filled_tokens >= requested
local new_tokens = filled_tokens
local allowed_num = 0
if allowed then
  new_tokens = filled_tokens - requested
  allowed_num = 1
end

if ttl > 0 then
  redis.call("setex", tokens_key, ttl, new_tokens)
  redis.call("setex", timestamp_key, ttl, now)
end

return { allowed_num, new_tokens }
`;

/** Least time between two error logs while Redis fails, ms. */
const ERROR_LOG_INTERVAL_MS = 10_000;

type LimiterRedis = Redis & {
  requestRateLimiter(tokensKey: string, timestampKey: string, ...args: string[]): Promise<unknown>;
};

/**
 * Token buckets in Redis through Spring's script. A Redis failure (down, slow past the command
 * timeout) lets the request through with `tokensLeft: -1`, as Spring does ("we don't want a
 * hard dependency on Redis to allow traffic"), and is logged at most every 10 s.
 */
export function createRedisRateLimiter(
  settings: RedisSettings,
  logger: Logger,
  clock: Clock,
): RateLimiterBackend {
  const redis = new Redis({
    host: settings.host,
    port: settings.port,
    db: settings.database,
    ...(settings.username === null ? {} : { username: settings.username }),
    ...(settings.password === null ? {} : { password: settings.password.reveal() }),
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: settings.commandTimeoutMs,
    // Fail fast while disconnected instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  }) as LimiterRedis;
  redis.defineCommand('requestRateLimiter', {
    numberOfKeys: 2,
    lua: REQUEST_RATE_LIMITER_SCRIPT,
  });
  let lastErrorLogMs = -Infinity;
  redis.on('error', (error: Error) => {
    const now = clock.now();
    if (now - lastErrorLogMs < ERROR_LOG_INTERVAL_MS) return;
    lastErrorLogMs = now;
    logger.error({ err: error.message }, 'redis rate limiter unavailable; requests are allowed');
  });
  let closed = false;
  // Until the first connection is made, wait for it (bounded); once lost, fail open at once.
  let firstConnection: Promise<void> | null = new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      firstConnection = null;
      resolve();
    };
    const timer = setTimeout(done, settings.commandTimeoutMs).unref();
    redis.once('ready', done);
  });
  return {
    kind: 'redis',
    async isAllowed(routeId, key, config) {
      const [tokensKey, timestampKey] = bucketKeys(routeId, key);
      if (firstConnection !== null) await firstConnection;
      try {
        const reply = (await redis.requestRateLimiter(
          tokensKey,
          timestampKey,
          String(config.replenishRate),
          String(config.burstCapacity),
          '',
          String(config.requestedTokens),
        )) as [number, number];
        return { allowed: reply[0] === 1, tokensLeft: Number(reply[1]) };
      } catch (error) {
        const now = clock.now();
        if (now - lastErrorLogMs >= ERROR_LOG_INTERVAL_MS) {
          lastErrorLogMs = now;
          logger.error(
            { routeId, err: (error as Error).message },
            'error determining if request is allowed from redis; allowing it',
          );
        }
        return { allowed: true, tokensLeft: -1 };
      }
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      // disconnect, not quit: QUIT's command timer would hold the process for commandTimeout.
      redis.disconnect();
      return Promise.resolve();
    },
  };
}
