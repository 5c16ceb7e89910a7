import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualClock } from '@stratus/core';
import { exponentialBackoff, exponentialRandomBackoff } from '../interval.js';
import type { Timers } from '../timers.js';
import { createRetry } from './retry.js';
import { parseRetryAfter, retryAfterMsOf } from './retry-after.js';

/** Timers that run callbacks at once and note each wait. */
function recordingTimers(waits: number[]): Timers {
  return {
    setTimeout(callback, delayMs) {
      waits.push(delayMs);
      queueMicrotask(callback);
      return () => {};
    },
  };
}

class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(readonly headers: Record<string, string> = {}) {
    super('503 Service Unavailable');
  }
}

test('makes maxAttempts attempts in all, waiting waitDuration between them, then rethrows the last error', async () => {
  const waits: number[] = [];
  const retry = createRetry(
    'backendA',
    { maxAttempts: 3, waitDurationMs: 100 },
    { timers: recordingTimers(waits) },
  );
  let attempts = 0;
  await assert.rejects(
    retry.execute(() => {
      attempts++;
      throw new UpstreamError();
    }),
    { name: 'UpstreamError' },
  );
  assert.equal(attempts, 3);
  assert.deepEqual(waits, [100, 100]);
  assert.equal(retry.metrics.numberOfFailedCallsWithRetryAttempt, 1);
  assert.equal(retry.metrics.numberOfTotalCalls, 3);
});

test('waits grow exponentially, truncated to whole milliseconds and capped, without jitter', async () => {
  const waits: number[] = [];
  const retry = createRetry(
    'backendA',
    {
      maxAttempts: 6,
      intervalFunction: exponentialBackoff({
        initialIntervalMs: 100,
        multiplier: 1.5,
        maxIntervalMs: 300,
      }),
    },
    { timers: recordingTimers(waits) },
  );
  await retry.execute(() => Promise.reject(new UpstreamError())).catch(() => {});
  assert.deepEqual(waits, [100, 150, 225, 300, 300]);
});

test('jitter spreads the waits of 100 clients over the randomization range', async () => {
  const waits: number[] = [];
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const retry = createRetry(
    'backendA',
    {
      maxAttempts: 2,
      intervalFunction: exponentialRandomBackoff({
        initialIntervalMs: 1000,
        multiplier: 2,
        randomizationFactor: 0.5,
        random,
      }),
    },
    { timers: recordingTimers(waits) },
  );
  for (let client = 0; client < 100; client++)
    await retry.execute(() => Promise.reject(new UpstreamError())).catch(() => {});
  assert.equal(waits.length, 100);
  assert.ok(
    waits.every((w) => w >= 500 && w <= 1501),
    'within ±50 %',
  );
  const buckets = new Set(waits.map((w) => Math.floor(w / 10)));
  assert.ok(buckets.size >= 60, `only ${buckets.size} distinct 10 ms buckets`);
});

test('a result retryOnResult rejects is retried, and the last one is returned when attempts run out', async () => {
  const retry = createRetry(
    'backendA',
    {
      maxAttempts: 2,
      waitDurationMs: 0,
      retryOnResult: (r) => (r as { status: number }).status === 503,
    },
    { timers: recordingTimers([]) },
  );
  assert.deepEqual(await retry.execute(() => ({ status: 503 })), { status: 503 });
  assert.equal(retry.metrics.numberOfFailedCallsWithRetryAttempt, 1);
});

test('failAfterMaxAttempts turns an exhausted result retry into RES_ERR_MAX_RETRIES_EXCEEDED', async () => {
  const retry = createRetry(
    'backendA',
    { maxAttempts: 2, waitDurationMs: 0, retryOnResult: () => true, failAfterMaxAttempts: true },
    { timers: recordingTimers([]) },
  );
  await assert.rejects(
    retry.execute(() => 'still bad'),
    { code: 'RES_ERR_MAX_RETRIES_EXCEEDED' },
  );
});

test('an error retryOnException rejects fails at once and counts as failed without retry', async () => {
  const retry = createRetry(
    'backendA',
    { retryOnException: (e) => (e as Error).name !== 'TypeError' },
    { timers: recordingTimers([]) },
  );
  let attempts = 0;
  await assert.rejects(
    retry.execute(() => {
      attempts++;
      throw new TypeError('bug');
    }),
    TypeError,
  );
  assert.equal(attempts, 1);
  assert.equal(retry.metrics.numberOfFailedCallsWithoutRetryAttempt, 1);
});

test('honours Retry-After: waits at least what the server asks, as seconds or an HTTP date', async () => {
  const clock = createManualClock(Date.parse('2025-01-01T00:00:00Z'));
  const waits: number[] = [];
  const retry = createRetry(
    'backendA',
    { maxAttempts: 3, waitDurationMs: 100 },
    { clock, timers: recordingTimers(waits) },
  );
  const answers = [
    new UpstreamError({ 'Retry-After': '2' }),
    new UpstreamError({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }),
  ];
  let attempt = 0;
  assert.equal(
    await retry.execute(() => {
      if (attempt < 2) throw answers[attempt++]!;
      return 'ok';
    }),
    'ok',
  );
  assert.deepEqual(waits, [2000, 5000]);
});

test('gives up instead of waiting when Retry-After asks for more than maxRetryAfterMs', async () => {
  const waits: number[] = [];
  const retry = createRetry(
    'backendA',
    { maxAttempts: 3, maxRetryAfterMs: 10_000 },
    { timers: recordingTimers(waits) },
  );
  let attempts = 0;
  await assert.rejects(
    retry.execute(() => {
      attempts++;
      throw new UpstreamError({ 'retry-after': '120' });
    }),
    { name: 'UpstreamError' },
  );
  assert.equal(attempts, 1);
  assert.deepEqual(waits, []);
});

test('reads Retry-After from fetch Headers, plain header objects and retryAfterMs', () => {
  assert.equal(retryAfterMsOf({ headers: new Headers({ 'retry-after': '3' }) }, 0), 3000);
  assert.equal(retryAfterMsOf({ headers: { 'retry-after': ['7'] } }, 0), 7000);
  assert.equal(retryAfterMsOf({ details: { retryAfterMs: 250 } }, 0), 250);
  assert.equal(retryAfterMsOf(new Error('no header'), 0), undefined);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter('-1', 0), undefined);
});

test('aborting the caller during a wait ends the call with the last error', async () => {
  const retry = createRetry('backendA', { maxAttempts: 5, waitDurationMs: 60_000 });
  const controller = new AbortController();
  const pending = retry.execute(() => Promise.reject(new UpstreamError()), controller.signal);
  setImmediate(() => controller.abort());
  await assert.rejects(pending, { name: 'UpstreamError' });
});

test('publishes RETRY with the wait, then SUCCESS with the attempts it took', async () => {
  const retry = createRetry('backendA', { waitDurationMs: 10 }, { timers: recordingTimers([]) });
  const events: string[] = [];
  retry.onEvent((e) => events.push(`${e.type}:${e.numberOfAttempts}:${e.waitMs ?? '-'}`));
  let attempt = 0;
  await retry.execute(() => {
    if (attempt++ === 0) throw new UpstreamError();
    return 'ok';
  });
  assert.deepEqual(events, ['RETRY:1:10', 'SUCCESS:1:-']);
  assert.equal(retry.metrics.numberOfSuccessfulCallsWithRetryAttempt, 1);
});
