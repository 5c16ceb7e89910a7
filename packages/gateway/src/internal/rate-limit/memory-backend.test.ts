import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '@stratus/core';
import { createMemoryRateLimiter } from './memory-backend.js';

const config = { replenishRate: 2, burstCapacity: 4, requestedTokens: 1 };

test('a new bucket starts full: burstCapacity requests pass at once, the next is refused', async () => {
  const clock = createManualClock(1_000_000);
  const limiter = createMemoryRateLimiter(clock);
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await limiter.isAllowed('route', 'key', config));
  assert.deepEqual(
    results.map((r) => r.allowed),
    [true, true, true, true, false],
  );
  assert.deepEqual(
    results.map((r) => r.tokensLeft),
    [3, 2, 1, 0, 0],
  );
});

test('tokens come back at replenishRate per second, never above burstCapacity', async () => {
  const clock = createManualClock(1_000_000);
  const limiter = createMemoryRateLimiter(clock);
  for (let i = 0; i < 4; i++) await limiter.isAllowed('route', 'key', config);
  clock.advance(500);
  assert.deepEqual(await limiter.isAllowed('route', 'key', config), {
    allowed: true,
    tokensLeft: 0,
  });
  assert.equal((await limiter.isAllowed('route', 'key', config)).allowed, false);
  clock.advance(1_000);
  assert.deepEqual(await limiter.isAllowed('route', 'key', config), {
    allowed: true,
    tokensLeft: 1,
  });
  clock.advance(60_000);
  assert.deepEqual(await limiter.isAllowed('route', 'key', config), {
    allowed: true,
    tokensLeft: 3,
  });
});

test('requestedTokens prices a request: 1 request a minute with rate 1, requested 60, burst 60', async () => {
  const clock = createManualClock(0);
  const limiter = createMemoryRateLimiter(clock);
  const perMinute = { replenishRate: 1, burstCapacity: 60, requestedTokens: 60 };
  assert.equal((await limiter.isAllowed('r', 'k', perMinute)).allowed, true);
  clock.advance(59_000);
  assert.equal((await limiter.isAllowed('r', 'k', perMinute)).allowed, false);
  clock.advance(1_000);
  assert.equal((await limiter.isAllowed('r', 'k', perMinute)).allowed, true);
});

test('buckets are per route and key; burstCapacity 0 refuses everything', async () => {
  const limiter = createMemoryRateLimiter(createManualClock(0));
  for (let i = 0; i < 4; i++) await limiter.isAllowed('a', 'k', config);
  assert.equal((await limiter.isAllowed('a', 'k', config)).allowed, false);
  assert.equal((await limiter.isAllowed('b', 'k', config)).allowed, true);
  assert.equal((await limiter.isAllowed('a', 'other', config)).allowed, true);
  const closed = { replenishRate: 1, burstCapacity: 0, requestedTokens: 1 };
  assert.equal((await limiter.isAllowed('z', 'k', closed)).allowed, false);
});
