import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CIRCUIT_BREAKER_DEFAULTS } from '../circuit-breaker/config.js';
import { resolveBulkheadConfig } from '../bulkhead/bulkhead.js';
import { formatJavaFloat } from '../internal/java-format.js';
import { resolveRateLimiterConfig } from '../rate-limiter/rate-limiter.js';
import { resolveRetryConfig } from '../retry/retry.js';
import { resolveTimeLimiterConfig } from '../time-limiter/time-limiter.js';
import { JavaHarness, prepareHarness } from './java-harness.js';
import {
  bulkheadScenario,
  circuitBreakerScenario,
  rateLimiterScenario,
  retryScenario,
  runBulkhead,
  runCircuitBreaker,
  runRateLimiter,
  runRetry,
  type Scenario,
} from './scenarios.js';

// Differential test: the same generated scenarios run through Resilience4j 2.4.0 itself (its jars
// from Maven Central, driven by test/java/resilience/Resilience4jHarness.java with a clock the
// harness moves) and through Stratus; every observation after every step must be identical.
const ready = prepareHarness();
const skip =
  'reason' in ready
    ? process.env.CI === 'true'
      ? false // In CI a missing toolchain is a failure, not a skip.
      : `Resilience4j differential test skipped: ${ready.reason}`
    : false;

const SEED = Number(process.env.STRATUS_DIFF_SEED ?? 20_251_201);
const RUNS = { circuitBreaker: 1200, retry: 400, rateLimiter: 400, bulkhead: 150 };
let harness: JavaHarness | undefined;
const counts: Record<string, number> = {};

before(() => {
  if (!('reason' in ready)) harness = new JavaHarness(ready.classpath);
});
after(async () => {
  await harness?.close();
  if (Object.keys(counts).length > 0)
    process.stdout.write(`# differential scenarios: ${JSON.stringify(counts)}\n`);
});

function java(): JavaHarness {
  if ('reason' in ready)
    assert.fail(`CI=true and the Resilience4j harness cannot run: ${ready.reason}`);
  return harness!;
}

/** Asserts that both sides saw the same thing at every step, naming the first step that differs. */
function assertSame(kind: string, scenario: Scenario, expected: string, actual: string): void {
  if (expected === actual) return;
  const want = expected.split(' ');
  const got = actual.split(' ');
  const step = want.findIndex((w, i) => w !== got[i]);
  assert.fail(
    `${kind} diverges at step ${step} (${scenario.ops[step] ?? '?'})\n` +
      `config: ${JSON.stringify(scenario.config)}\nops: ${scenario.ops.join(' ')}\n` +
      `resilience4j: ${want.slice(0, step + 1).join(' ')}\nstratus:      ${got.slice(0, step + 1).join(' ')}`,
  );
}

async function differential(
  kind: string,
  arbitrary: fc.Arbitrary<Scenario>,
  numRuns: number,
  run: (s: Scenario) => string | Promise<string>,
): Promise<void> {
  const harness = java();
  counts[kind] = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (scenario) => {
      counts[kind]!++;
      const expected = await harness.run(kind, scenario.config, scenario.ops);
      assertSame(kind, scenario, expected, await run(scenario));
    }),
    { numRuns, seed: SEED, includeErrorInReport: true },
  );
}

test(
  'circuit breaker: states, permits, events, failure and slow-call rates, buffered calls match Resilience4j step by step',
  { skip, timeout: 120_000 },
  async () => {
    // Once with the breaker's timers firing, once with them never firing (the clock alone drives it).
    await differential('CB', circuitBreakerScenario, RUNS.circuitBreaker, (scenario) => {
      const withTimers = runCircuitBreaker(scenario, true);
      const clockOnly = runCircuitBreaker(scenario, false);
      assert.equal(clockOnly, withTimers, 'timers and the clock alone must give the same trace');
      return withTimers;
    });
  },
);

test(
  'retry: outcomes, attempts, waits (exponential, no jitter), counters and events match Resilience4j',
  { skip, timeout: 120_000 },
  async () => {
    await differential('RT', retryScenario, RUNS.retry, runRetry);
  },
);

test(
  'rate limiter: reservations, waits in nanoseconds and available permissions match Resilience4j',
  { skip, timeout: 120_000 },
  async () => {
    await differential('RL', rateLimiterScenario, RUNS.rateLimiter, runRateLimiter);
  },
);

test(
  'semaphore bulkhead: permits, rejections and available calls match Resilience4j',
  { skip, timeout: 120_000 },
  async () => {
    await differential('BH', bulkheadScenario, RUNS.bulkhead, runBulkhead);
  },
);

test(
  'every default setting equals Resilience4j 2.4.0 ofDefaults()',
  { skip, timeout: 60_000 },
  async () => {
    const cb = CIRCUIT_BREAKER_DEFAULTS;
    const retry = resolveRetryConfig();
    const bulkhead = resolveBulkheadConfig();
    const limiter = resolveRateLimiterConfig();
    const timeLimiter = resolveTimeLimiterConfig();
    const ours = [
      `cb.failureRateThreshold=${formatJavaFloat(cb.failureRateThreshold)}`,
      `cb.slowCallRateThreshold=${formatJavaFloat(cb.slowCallRateThreshold)}`,
      `cb.slowCallDurationThreshold=${cb.slowCallDurationThresholdMs}`,
      `cb.waitDurationInOpenState=${cb.waitIntervalInOpenState(1)}`,
      `cb.permittedNumberOfCallsInHalfOpenState=${cb.permittedNumberOfCallsInHalfOpenState}`,
      `cb.minimumNumberOfCalls=${cb.minimumNumberOfCalls}`,
      `cb.slidingWindowSize=${cb.slidingWindowSize}`,
      `cb.slidingWindowType=${cb.slidingWindowType}`,
      `cb.automaticTransitionFromOpenToHalfOpenEnabled=${cb.automaticTransitionFromOpenToHalfOpenEnabled}`,
      `cb.maxWaitDurationInHalfOpenState=${cb.maxWaitDurationInHalfOpenStateMs}`,
      `cb.transitionToStateAfterWaitDuration=${cb.transitionToStateAfterWaitDuration}`,
      `retry.maxAttempts=${retry.maxAttempts}`,
      `retry.waitDuration=${retry.intervalBiFunction(1, { result: undefined })}`,
      `bulkhead.maxConcurrentCalls=${bulkhead.maxConcurrentCalls}`,
      `bulkhead.maxWaitDuration=${bulkhead.maxWaitDurationMs}`,
      `ratelimiter.limitForPeriod=${limiter.limitForPeriod}`,
      `ratelimiter.limitRefreshPeriodNanos=${Math.round(limiter.limitRefreshPeriodMs * 1e6)}`,
      `ratelimiter.timeoutDuration=${limiter.timeoutDurationMs}`,
      `timelimiter.timeoutDuration=${timeLimiter.timeoutDurationMs}`,
      `timelimiter.cancelRunningFuture=${timeLimiter.cancelRunningFuture}`,
    ].join(' ');
    assert.equal(ours, await java().run('DF', {}, []));
  },
);
