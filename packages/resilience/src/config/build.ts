import type { BulkheadConfig } from '../bulkhead/bulkhead.js';
import type {
  CircuitBreakerConfigInput,
  CircuitBreakerState,
  SlidingWindowType,
} from '../circuit-breaker/config.js';
import type { PolicyKind } from '../events.js';
import {
  constantInterval,
  exponentialBackoff,
  exponentialRandomBackoff,
  randomizedInterval,
  type IntervalFunction,
  type RandomSource,
} from '../interval.js';
import type { RateLimiterConfig } from '../rate-limiter/rate-limiter.js';
import type { RetryConfigInput, RetryOutcome } from '../retry/retry.js';
import type { TimeLimiterConfig } from '../time-limiter/time-limiter.js';
import { exceptionMatcher } from './exception-matcher.js';
import type { KindProperties, PropertyLayer } from './properties.js';

/**
 * Functions a YAML file names by class (`recordFailurePredicate`, `resultPredicate`,
 * `intervalBiFunction`, …), registered in code under the same name.
 */
export type NamedFunctions = Readonly<Record<string, (...args: never[]) => unknown>>;

/** What the layers resolve to besides the policy's own settings. */
export interface RegistrySettings {
  readonly registerHealthIndicator: boolean;
  readonly allowHealthIndicatorToFail: boolean;
  readonly eventConsumerBufferSize: number;
}

const MAX_BASE_DEPTH = 16;

/**
 * The property blocks that make up instance `name`, lowest first, as resilience4j-framework-common
 * resolves them. A circuit breaker's base is `configs[baseConfig]`, else `configs[name]`, else
 * `configs.default` — and a named base does not itself sit on `default`. The other kinds put
 * `configs.default` under every name but `default`, and under any `baseConfig` too.
 *
 * @throws Error naming the problem (missing or circular `baseConfig`).
 */
export function resolveLayers(
  kind: PolicyKind,
  props: KindProperties,
  name: string,
  own: PropertyLayer | undefined,
  depth = 0,
): PropertyLayer[] {
  if (depth > MAX_BASE_DEPTH) throw new Error(`baseConfig chain of '${name}' is circular`);
  const base = own?.baseConfig as string | undefined;
  const top = own ? [own] : [];
  if (base !== undefined) {
    if (base === name) throw new Error(`circular reference: '${name}' names itself as baseConfig`);
    const baseLayer = props.configs.get(base);
    if (!baseLayer) throw new Error(`baseConfig '${base}' of '${name}' is not under configs`);
    return [...resolveLayers(kind, props, base, baseLayer, depth + 1), ...top];
  }
  const defaults = props.configs.get('default');
  if (kind === 'circuitbreaker') {
    const direct = props.configs.get(name);
    if (direct) return direct === own ? top : [direct, ...top];
    if (defaults && name !== 'default')
      return [...resolveLayers(kind, props, 'default', defaults, depth + 1), ...top];
    return top;
  }
  if (name !== 'default' && defaults)
    return [...resolveLayers(kind, props, 'default', defaults, depth + 1), ...top];
  return top;
}

/** Registry-level switches: the topmost block that sets each one wins. */
export function registrySettingsOf(layers: readonly PropertyLayer[]): RegistrySettings {
  const topmost = <T>(key: string, fallback: T): T => {
    for (let i = layers.length - 1; i >= 0; i--)
      if (layers[i]![key] !== undefined) return layers[i]![key] as T;
    return fallback;
  };
  return {
    registerHealthIndicator: topmost('registerHealthIndicator', false),
    allowHealthIndicatorToFail: topmost('allowHealthIndicatorToFail', false),
    eventConsumerBufferSize: topmost('eventConsumerBufferSize', 100),
  };
}

function named<F>(
  functions: NamedFunctions,
  className: unknown,
  problems: string[],
  key: string,
): F | undefined {
  if (className === undefined) return undefined;
  const fn = functions[String(className)];
  if (!fn) {
    problems.push(`${key}: no function is registered under '${String(className)}'`);
    return undefined;
  }
  return fn as unknown as F;
}

type ErrorPredicate = (error: unknown) => boolean;

function combine(
  classes: readonly string[] | undefined,
  predicate: ErrorPredicate | undefined,
): ErrorPredicate | undefined {
  const byClass = classes && classes.length > 0 ? exceptionMatcher(classes) : undefined;
  if (byClass && predicate) return (error) => byClass(error) || predicate(error);
  return byClass ?? predicate;
}

/**
 * Folds the layers into breaker settings as successive `CircuitBreakerConfig.Builder` steps do:
 * a block's `recordExceptions` replaces the list below and drops its predicate; the wait in OPEN
 * is rebuilt only by a block that sets `waitDurationInOpenState`.
 */
export function circuitBreakerInput(
  layers: readonly PropertyLayer[],
  functions: NamedFunctions,
  random: RandomSource,
  problems: string[],
  label: string,
): CircuitBreakerConfigInput {
  const input: Record<string, unknown> = {};
  let recordClasses: string[] | undefined;
  let recordPredicate: ErrorPredicate | undefined;
  let ignoreClasses: string[] | undefined;
  let ignorePredicate: ErrorPredicate | undefined;
  for (const layer of layers) {
    const wait = layer.waitDurationInOpenState as number | undefined;
    if (layer.enableExponentialBackoff === true && layer.enableRandomizedWait === true)
      problems.push(`${label}: exponential backoff and randomized wait cannot both be enabled`);
    if (wait !== undefined && wait > 0) {
      input.waitDurationInOpenStateMs = wait;
      input.waitIntervalInOpenState = openStateInterval(layer, wait, random);
    }
    copy(layer, input, {
      failureRateThreshold: 'failureRateThreshold',
      slowCallRateThreshold: 'slowCallRateThreshold',
      slowCallDurationThreshold: 'slowCallDurationThresholdMs',
      maxWaitDurationInHalfOpenState: 'maxWaitDurationInHalfOpenStateMs',
      slidingWindowSize: 'slidingWindowSize',
      minimumNumberOfCalls: 'minimumNumberOfCalls',
      slidingWindowType: 'slidingWindowType',
      permittedNumberOfCallsInHalfOpenState: 'permittedNumberOfCallsInHalfOpenState',
      automaticTransitionFromOpenToHalfOpenEnabled: 'automaticTransitionFromOpenToHalfOpenEnabled',
      transitionToStateAfterWaitDuration: 'transitionToStateAfterWaitDuration',
      initialState: 'initialState',
    });
    if (layer.recordExceptions !== undefined) {
      recordClasses = layer.recordExceptions as string[];
      recordPredicate = undefined;
    }
    recordPredicate =
      named<ErrorPredicate>(
        functions,
        layer.recordFailurePredicate,
        problems,
        `${label}.recordFailurePredicate`,
      ) ?? recordPredicate;
    const recordResult = named<(result: unknown) => boolean>(
      functions,
      layer.recordResultPredicate,
      problems,
      `${label}.recordResultPredicate`,
    );
    if (recordResult) input.recordResult = recordResult;
    if (layer.ignoreExceptions !== undefined) {
      ignoreClasses = layer.ignoreExceptions as string[];
      ignorePredicate = undefined;
    }
    ignorePredicate =
      named<ErrorPredicate>(
        functions,
        layer.ignoreExceptionPredicate,
        problems,
        `${label}.ignoreExceptionPredicate`,
      ) ?? ignorePredicate;
  }
  const recordException = combine(recordClasses, recordPredicate);
  const ignoreException = combine(ignoreClasses, ignorePredicate);
  return {
    ...(input as Partial<{
      slidingWindowType: SlidingWindowType;
      initialState: CircuitBreakerState;
    }>),
    ...(recordException ? { recordException } : {}),
    ...(ignoreException ? { ignoreException } : {}),
  } as CircuitBreakerConfigInput;
}

// CommonCircuitBreakerConfigurationProperties.configureCircuitBreakerOpenStateIntervalFunction
function openStateInterval(
  layer: PropertyLayer,
  wait: number,
  random: RandomSource,
): IntervalFunction {
  const multiplier = layer.exponentialBackoffMultiplier as number | undefined;
  if (layer.enableExponentialBackoff === true) {
    const max = layer.exponentialMaxWaitDurationInOpenState as number | undefined;
    if (max !== undefined && multiplier !== undefined)
      return exponentialBackoff({ initialIntervalMs: wait, multiplier, maxIntervalMs: max });
    return exponentialBackoff({
      initialIntervalMs: wait,
      ...(multiplier !== undefined ? { multiplier } : {}),
    });
  }
  if (layer.enableRandomizedWait === true) {
    const factor = layer.randomizedWaitFactor as number | undefined;
    return randomizedInterval(wait, {
      random,
      ...(factor !== undefined ? { randomizationFactor: factor } : {}),
    });
  }
  return constantInterval(wait);
}

// Retry's ConfigUtils.mergePropertiesIfAny: an instance takes these four from its base when unset.
const RETRY_INHERITED = [
  'enableExponentialBackoff',
  'enableRandomizedWait',
  'exponentialBackoffMultiplier',
  'exponentialMaxWaitDuration',
];

/** Folds the layers into retry settings as `RetryConfig.Builder` steps do. */
export function retryInput(
  layers: readonly PropertyLayer[],
  functions: NamedFunctions,
  random: RandomSource,
  problems: string[],
  label: string,
): RetryConfigInput {
  const input: { -readonly [K in keyof RetryConfigInput]: RetryConfigInput[K] } = {};
  let retryClasses: string[] | undefined;
  let retryPredicate: ErrorPredicate | undefined;
  let ignoreClasses: string[] | undefined;
  let below: PropertyLayer = {};
  for (const own of layers) {
    const layer: PropertyLayer = {
      ...Object.fromEntries(
        RETRY_INHERITED.filter((k) => below[k] !== undefined).map((k) => [k, below[k]]),
      ),
      ...own,
    };
    below = layer;
    const wait = layer.waitDuration as number | undefined;
    if (wait !== undefined && wait >= 0) {
      const interval = retryInterval(layer, wait, random, problems, label);
      if (interval) input.intervalBiFunction = (attempt: number) => interval(attempt);
    }
    if (layer.maxAttempts !== undefined && layer.maxAttempts !== 0)
      input.maxAttempts = layer.maxAttempts as number;
    retryPredicate =
      named<ErrorPredicate>(
        functions,
        layer.retryExceptionPredicate,
        problems,
        `${label}.retryExceptionPredicate`,
      ) ?? retryPredicate;
    if (layer.ignoreExceptions !== undefined) ignoreClasses = layer.ignoreExceptions as string[];
    if (layer.retryExceptions !== undefined) retryClasses = layer.retryExceptions as string[];
    const onResult = named<(result: unknown) => boolean>(
      functions,
      layer.resultPredicate,
      problems,
      `${label}.resultPredicate`,
    );
    if (onResult) input.retryOnResult = onResult;
    const biFunction = named<(attempt: number, outcome: RetryOutcome) => number>(
      functions,
      layer.intervalBiFunction,
      problems,
      `${label}.intervalBiFunction`,
    );
    if (biFunction) input.intervalBiFunction = biFunction;
    if (layer.failAfterMaxAttempts !== undefined)
      input.failAfterMaxAttempts = layer.failAfterMaxAttempts as boolean;
  }
  const retryOn = combine(retryClasses, retryPredicate) ?? (() => true);
  const ignored =
    ignoreClasses && ignoreClasses.length > 0 ? exceptionMatcher(ignoreClasses) : undefined;
  input.retryOnException = ignored
    ? (error: unknown) => retryOn(error) && !ignored(error)
    : retryOn;
  return input;
}

// CommonRetryConfigurationProperties.configureRetryIntervalFunction and its three helpers.
function retryInterval(
  layer: PropertyLayer,
  wait: number,
  random: RandomSource,
  problems: string[],
  label: string,
): IntervalFunction | undefined {
  const exponential = layer.enableExponentialBackoff === true;
  const randomized = layer.enableRandomizedWait === true;
  if (!exponential && !randomized) return constantInterval(wait);
  if (wait < 1) {
    problems.push(
      `${label}.waitDuration: must be at least 1 ms with exponential backoff or randomized wait`,
    );
    return undefined;
  }
  const multiplier = layer.exponentialBackoffMultiplier as number | undefined;
  const factor = layer.randomizedWaitFactor as number | undefined;
  const max = layer.exponentialMaxWaitDuration as number | undefined;
  if (exponential && randomized) {
    if (multiplier === undefined)
      return exponentialRandomBackoff({ initialIntervalMs: wait, random });
    if (factor === undefined)
      return exponentialRandomBackoff({ initialIntervalMs: wait, multiplier, random });
    return exponentialRandomBackoff({
      initialIntervalMs: wait,
      multiplier,
      randomizationFactor: factor,
      random,
      ...(max !== undefined ? { maxIntervalMs: max } : {}),
    });
  }
  if (exponential) {
    if (multiplier === undefined) return exponentialBackoff({ initialIntervalMs: wait });
    return exponentialBackoff({
      initialIntervalMs: wait,
      multiplier,
      ...(max !== undefined ? { maxIntervalMs: max } : {}),
    });
  }
  return randomizedInterval(wait, {
    random,
    ...(factor !== undefined ? { randomizationFactor: factor } : {}),
  });
}

export function bulkheadInput(layers: readonly PropertyLayer[]): Partial<BulkheadConfig> {
  const input: Record<string, unknown> = {};
  for (const layer of layers)
    copy(layer, input, {
      maxConcurrentCalls: 'maxConcurrentCalls',
      maxWaitDuration: 'maxWaitDurationMs',
    });
  return input as Partial<BulkheadConfig>;
}

export function rateLimiterInput(layers: readonly PropertyLayer[]): Partial<RateLimiterConfig> {
  const input: Record<string, unknown> = {};
  for (const layer of layers)
    copy(layer, input, {
      limitForPeriod: 'limitForPeriod',
      limitRefreshPeriod: 'limitRefreshPeriodMs',
      timeoutDuration: 'timeoutDurationMs',
    });
  return input as Partial<RateLimiterConfig>;
}

export function timeLimiterInput(layers: readonly PropertyLayer[]): Partial<TimeLimiterConfig> {
  const input: Record<string, unknown> = {};
  for (const layer of layers)
    copy(layer, input, {
      timeoutDuration: 'timeoutDurationMs',
      cancelRunningFuture: 'cancelRunningFuture',
    });
  return input as Partial<TimeLimiterConfig>;
}

function copy(
  layer: PropertyLayer,
  input: Record<string, unknown>,
  names: Record<string, string>,
): void {
  for (const [from, to] of Object.entries(names))
    if (layer[from] !== undefined) input[to] = layer[from];
}
