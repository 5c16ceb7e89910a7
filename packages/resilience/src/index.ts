export {
  CallNotPermittedError,
  BulkheadFullError,
  RequestNotPermittedError,
  TimeLimiterTimeoutError,
  MaxRetriesExceededError,
  ResultRecordedAsFailureError,
  IllegalStateTransitionError,
  InvalidResilienceConfigError,
} from './errors.js';
export {
  systemTimers,
  createManualTimers,
  sleep,
  type Timers,
  type ManualTimers,
  type CancelTimer,
} from './timers.js';
export type { PolicyRuntime } from './runtime.js';
export { CallSignal, CallController, onAbort, type AnySignal } from './call-signal.js';
export {
  constantInterval,
  exponentialBackoff,
  randomizedInterval,
  exponentialRandomBackoff,
  type IntervalFunction,
  type RandomSource,
  type ExponentialBackoffOptions,
  type RandomizedOptions,
} from './interval.js';
export type {
  CircuitBreakerEvent,
  CircuitBreakerEventType,
  RetryEvent,
  BulkheadEvent,
  RateLimiterEvent,
  TimeLimiterEvent,
  ResilienceEvent,
  PolicyKind,
} from './events.js';
export {
  CIRCUIT_BREAKER_DEFAULTS,
  resolveCircuitBreakerConfig,
  type CircuitBreakerConfig,
  type CircuitBreakerConfigInput,
  type CircuitBreakerState,
  type SlidingWindowType,
} from './circuit-breaker/config.js';
export {
  CircuitBreaker,
  createCircuitBreaker,
  type CircuitBreakerMetrics,
} from './circuit-breaker/circuit-breaker.js';
export {
  Retry,
  createRetry,
  resolveRetryConfig,
  type RetryConfig,
  type RetryConfigInput,
  type RetryContext,
  type RetryMetrics,
  type RetryOutcome,
} from './retry/retry.js';
export { parseRetryAfter, retryAfterMsOf } from './retry/retry-after.js';
export {
  Bulkhead,
  createBulkhead,
  resolveBulkheadConfig,
  type BulkheadConfig,
  type BulkheadMetrics,
} from './bulkhead/bulkhead.js';
export {
  RateLimiter,
  createRateLimiter,
  resolveRateLimiterConfig,
  type RateLimiterConfig,
  type RateLimiterMetrics,
} from './rate-limiter/rate-limiter.js';
export {
  TimeLimiter,
  createTimeLimiter,
  resolveTimeLimiterConfig,
  type TimeLimiterConfig,
} from './time-limiter/time-limiter.js';
export {
  decorate,
  DEFAULT_ASPECT_ORDER,
  type AspectOrder,
  type PolicySet,
  type Call,
} from './decorate.js';
export type { ResiliencePropertySource } from './config/property-source.js';
export { exceptionMatcher } from './config/exception-matcher.js';
export type { NamedFunctions, RegistrySettings } from './config/build.js';
export type { SpringCloudCircuitBreakerProperties } from './config/properties.js';
export {
  ResilienceRegistry,
  createResilienceRegistry,
  type ResilienceRegistryOptions,
  type InstanceRequest,
  type PolicyNames,
  type ReconfigureResult,
} from './registry.js';
export {
  createCircuitBreakerFactory,
  type CircuitBreakerFactory,
  type SpringCircuitBreaker,
  type Resilience4JCircuitBreakerConfiguration,
} from './spring-cloud-circuit-breaker.js';
export { bindResilienceMetrics, type ResilienceMetricsBinding } from './metrics.js';
export {
  circuitBreakersEndpoint,
  circuitBreakerEventsEndpoint,
  updateCircuitBreakerState,
  retriesEndpoint,
  retryEventsEndpoint,
  bulkheadsEndpoint,
  bulkheadEventsEndpoint,
  rateLimitersEndpoint,
  rateLimiterEventsEndpoint,
  timeLimitersEndpoint,
  timeLimiterEventsEndpoint,
  circuitBreakersHealth,
  type CircuitBreakerDetails,
  type CircuitBreakerUpdateStateResponse,
  type EventFilter,
  type HealthComponent,
} from './actuator.js';
