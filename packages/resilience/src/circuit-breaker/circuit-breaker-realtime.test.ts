import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { createCircuitBreaker } from './circuit-breaker.js';

test('while OPEN, calls fail fast (p99 under 2 ms) and the wrapped function is never called', async (t) => {
  const breaker = createCircuitBreaker('orders', {
    slidingWindowSize: 5,
    minimumNumberOfCalls: 5,
    waitDurationInOpenStateMs: 60_000,
  });
  t.after(() => breaker.close());
  for (let i = 0; i < 5; i++)
    await breaker.execute(() => Promise.reject(new Error('upstream down'))).catch(() => {});
  assert.equal(breaker.state, 'OPEN');
  let calls = 0;
  const upstream = async () => {
    calls++;
    return 'never';
  };
  const refuse = async () => {
    const start = performance.now();
    const error = await breaker.execute(upstream).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { ms: performance.now() - start, code: (error as { code?: string } | undefined)?.code };
  };
  for (let i = 0; i < 100; i++) await refuse(); // warm-up, not measured
  // On a shared, loaded machine a round can be preempted; the best of five rounds must be fast.
  const p99s: number[] = [];
  for (let round = 0; round < 5; round++) {
    const durations: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const { ms, code } = await refuse();
      assert.equal(code, 'RES_ERR_CALL_NOT_PERMITTED');
      durations.push(ms);
    }
    durations.sort((a, b) => a - b);
    p99s.push(durations[Math.floor(durations.length * 0.99)]!);
    if (p99s.at(-1)! < 2) break;
  }
  assert.equal(calls, 0, 'the upstream saw no call');
  assert.ok(Math.min(...p99s) < 2, `p99 per round: ${p99s.map((p) => p.toFixed(3)).join(', ')} ms`);
  assert.equal(breaker.metrics.numberOfNotPermittedCalls, 100 + 1000 * p99s.length);
});
