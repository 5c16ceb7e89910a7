import { Bulkhead, resolveBulkheadConfig, type BulkheadConfig } from './bulkhead/bulkhead.js';
import { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import {
  resolveCircuitBreakerConfig,
  type CircuitBreakerConfig,
  type CircuitBreakerConfigInput,
} from './circuit-breaker/config.js';
import {
  bulkheadInput,
  circuitBreakerInput,
  rateLimiterInput,
  retryInput,
  timeLimiterInput,
  type NamedFunctions,
  type RegistrySettings,
} from './config/build.js';
import {
  bindResilienceProperties,
  type PropertyLayer,
  type ResilienceProperties,
  type SpringCloudCircuitBreakerProperties,
} from './config/properties.js';
import type { ResiliencePropertySource } from './config/property-source.js';
import { decorate, DEFAULT_ASPECT_ORDER, type AspectOrder, type Call } from './decorate.js';
import { InvalidResilienceConfigError } from './errors.js';
import type { PolicyKind, ResilienceEvent } from './events.js';
import type { RandomSource } from './interval.js';
import { Listeners } from './internal/listeners.js';
import {
  PolicyTable,
  type KindAdapter,
  type Policy,
  type Recipe,
} from './internal/policy-table.js';
import {
  RateLimiter,
  resolveRateLimiterConfig,
  type RateLimiterConfig,
} from './rate-limiter/rate-limiter.js';
import {
  Retry,
  resolveRetryConfig,
  type RetryConfig,
  type RetryConfigInput,
} from './retry/retry.js';
import type { PolicyRuntime } from './runtime.js';
import {
  resolveTimeLimiterConfig,
  TimeLimiter,
  type TimeLimiterConfig,
} from './time-limiter/time-limiter.js';

/** Options of {@link createResilienceRegistry}. */
export interface ResilienceRegistryOptions extends Omit<PolicyRuntime, 'tags'> {
  /** `resilience4j.*` (and `spring.cloud.circuitbreaker.resilience4j.*`) properties. @default none */
  properties?: ResiliencePropertySource;
  /**
   * Functions the properties name by class: `recordFailurePredicate`, `recordResultPredicate`,
   * `ignoreExceptionPredicate`, `retryExceptionPredicate`, `resultPredicate`, `intervalBiFunction`.
   * @default {}
   */
  functions?: NamedFunctions;
  /** Randomness for randomized waits. @default Math.random */
  random?: RandomSource;
}

/** How one instance is asked for: code settings, or the Spring Cloud lookup by config name. */
export interface InstanceRequest<I> {
  /** Settings from code; used only when no `instances.<name>` block exists. */
  config?: I;
  /** Spring Cloud CircuitBreaker's lookup: the first of these under `configs`, else `config`. */
  configNames?: readonly string[];
  /** Tags for metrics (kept from the first request). */
  tags?: Readonly<Record<string, string>>;
}

/** The names of the instances one decorated call runs under. */
export interface PolicyNames {
  readonly retry?: string;
  readonly circuitBreaker?: string;
  readonly rateLimiter?: string;
  readonly timeLimiter?: string;
  readonly bulkhead?: string;
}

/** What a reconfiguration changed, by kind. */
export type ReconfigureResult = Readonly<Record<PolicyKind, readonly string[]>>;

type Tables = {
  circuitbreaker: PolicyTable<CircuitBreaker, CircuitBreakerConfig>;
  retry: PolicyTable<Retry, RetryConfig>;
  bulkhead: PolicyTable<Bulkhead, BulkheadConfig>;
  ratelimiter: PolicyTable<RateLimiter, RateLimiterConfig>;
  timelimiter: PolicyTable<TimeLimiter, TimeLimiterConfig>;
};

function adapters(functions: NamedFunctions, random: RandomSource) {
  const guard = <C>(build: () => C, problems: string[], label: string): C | undefined => {
    try {
      return build();
    } catch (error) {
      if (error instanceof InvalidResilienceConfigError)
        problems.push(...error.problems.map((p) => `${label}: ${p}`));
      else throw error;
      return undefined;
    }
  };
  return {
    circuitbreaker: {
      kind: 'circuitbreaker',
      fromLayers: (layers: readonly PropertyLayer[], label: string, problems: string[]) =>
        guard(
          () =>
            resolveCircuitBreakerConfig(
              circuitBreakerInput(layers, functions, random, problems, label),
            ),
          problems,
          label,
        ),
      fromInput: (input: unknown) =>
        resolveCircuitBreakerConfig(input as CircuitBreakerConfigInput),
      create: (name: string, config: CircuitBreakerConfig, runtime: PolicyRuntime) =>
        new CircuitBreaker(name, config, runtime),
    } satisfies KindAdapter<CircuitBreaker, CircuitBreakerConfig>,
    retry: {
      kind: 'retry',
      fromLayers: (layers: readonly PropertyLayer[], label: string, problems: string[]) =>
        guard(
          () => resolveRetryConfig(retryInput(layers, functions, random, problems, label)),
          problems,
          label,
        ),
      fromInput: (input: unknown) => resolveRetryConfig(input as RetryConfigInput),
      create: (name: string, config: RetryConfig, runtime: PolicyRuntime) =>
        new Retry(name, config, runtime),
    } satisfies KindAdapter<Retry, RetryConfig>,
    bulkhead: {
      kind: 'bulkhead',
      fromLayers: (layers: readonly PropertyLayer[], label: string, problems: string[]) =>
        guard(() => resolveBulkheadConfig(bulkheadInput(layers)), problems, label),
      fromInput: (input: unknown) => resolveBulkheadConfig(input as Partial<BulkheadConfig>),
      create: (name: string, config: BulkheadConfig, runtime: PolicyRuntime) =>
        new Bulkhead(name, config, runtime),
      update: (policy: Bulkhead, config: BulkheadConfig) => {
        policy.changeConfig(config);
        return true;
      },
    } satisfies KindAdapter<Bulkhead, BulkheadConfig>,
    ratelimiter: {
      kind: 'ratelimiter',
      fromLayers: (layers: readonly PropertyLayer[], label: string, problems: string[]) =>
        guard(() => resolveRateLimiterConfig(rateLimiterInput(layers)), problems, label),
      fromInput: (input: unknown) => resolveRateLimiterConfig(input as Partial<RateLimiterConfig>),
      create: (name: string, config: RateLimiterConfig, runtime: PolicyRuntime) =>
        new RateLimiter(name, config, runtime),
    } satisfies KindAdapter<RateLimiter, RateLimiterConfig>,
    timelimiter: {
      kind: 'timelimiter',
      fromLayers: (layers: readonly PropertyLayer[], label: string, problems: string[]) =>
        guard(() => resolveTimeLimiterConfig(timeLimiterInput(layers)), problems, label),
      fromInput: (input: unknown) => resolveTimeLimiterConfig(input as Partial<TimeLimiterConfig>),
      create: (name: string, config: TimeLimiterConfig, runtime: PolicyRuntime) =>
        new TimeLimiter(name, config, runtime),
    } satisfies KindAdapter<TimeLimiter, TimeLimiterConfig>,
  };
}

type Adapters = ReturnType<typeof adapters>;

/** Binds and checks a property source; throws with every problem. */
function loadProperties(
  source: ResiliencePropertySource | undefined,
  kinds: Adapters,
): ResilienceProperties {
  const { properties, problems } = bindResilienceProperties(source ?? {});
  for (const kind of Object.keys(kinds) as PolicyKind[])
    problems.push(
      ...PolicyTable.validate(kinds[kind] as KindAdapter<Policy, unknown>, properties.kinds[kind]),
    );
  if (problems.length > 0) throw new InvalidResilienceConfigError(problems);
  return properties;
}

function recipeOf<I>(request: InstanceRequest<I>): Recipe {
  if (request.configNames)
    return { source: 'named', configNames: request.configNames, fallback: request.config };
  if (request.config !== undefined) return { source: 'code', input: request.config };
  return { source: 'properties' };
}

/**
 * Resilience4j's five registries in one, configured from `resilience4j.<kind>.configs.<name>` and
 * `.instances.<name>` exactly as Spring Boot binds them. Instances under `instances` exist from
 * the start; others are created on first use with `configs.default` (or the code settings given).
 * {@link ResilienceRegistry.reconfigure} applies refreshed properties: changed instances are
 * replaced (their state starts afresh, as Resilience4j's refresh-scoped registries do), the
 * bulkhead's limits change in place, unchanged instances keep their state.
 */
export class ResilienceRegistry {
  readonly #tables: Tables;
  readonly #listeners: Listeners<ResilienceEvent>;
  readonly #adapters: Adapters;
  #properties: ResilienceProperties;
  #revision = 0;
  #closed = false;

  constructor(options: ResilienceRegistryOptions = {}) {
    this.#adapters = adapters(options.functions ?? {}, options.random ?? Math.random);
    this.#properties = loadProperties(options.properties, this.#adapters);
    this.#listeners = new Listeners((error) =>
      options.logger?.warn({ err: error }, 'resilience event listener failed'),
    );
    const runtime = (): PolicyRuntime => ({
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const emit = (event: ResilienceEvent) => this.#listeners.emit(event);
    const table = <K extends PolicyKind>(kind: K) =>
      new PolicyTable(
        this.#adapters[kind] as unknown as KindAdapter<Policy, unknown>,
        this.#properties.kinds[kind],
        runtime,
        emit,
        () => this.#revision++,
      );
    this.#tables = {
      circuitbreaker: table('circuitbreaker'),
      retry: table('retry'),
      bulkhead: table('bulkhead'),
      ratelimiter: table('ratelimiter'),
      timelimiter: table('timelimiter'),
    } as unknown as Tables;
    for (const kind of Object.keys(this.#tables) as PolicyKind[]) this.#tables[kind].createListed();
  }

  /** The breaker `name`, created on first use (see {@link InstanceRequest}). */
  circuitBreaker(
    name: string,
    request: InstanceRequest<CircuitBreakerConfigInput> = {},
  ): CircuitBreaker {
    return this.#tables.circuitbreaker.get(name, recipeOf(request), request.tags);
  }

  /** The retry `name`, created on first use. */
  retry(name: string, request: InstanceRequest<RetryConfigInput> = {}): Retry {
    return this.#tables.retry.get(name, recipeOf(request), request.tags);
  }

  /** The semaphore bulkhead `name`, created on first use. */
  bulkhead(name: string, request: InstanceRequest<Partial<BulkheadConfig>> = {}): Bulkhead {
    return this.#tables.bulkhead.get(name, recipeOf(request), request.tags);
  }

  /** The rate limiter `name`, created on first use. */
  rateLimiter(
    name: string,
    request: InstanceRequest<Partial<RateLimiterConfig>> = {},
  ): RateLimiter {
    return this.#tables.ratelimiter.get(name, recipeOf(request), request.tags);
  }

  /** The time limiter `name`, created on first use. */
  timeLimiter(
    name: string,
    request: InstanceRequest<Partial<TimeLimiterConfig>> = {},
  ): TimeLimiter {
    return this.#tables.timelimiter.get(name, recipeOf(request), request.tags);
  }

  /** The existing instance, without creating one. */
  find(kind: 'circuitbreaker', name: string): CircuitBreaker | undefined;
  find(kind: 'retry', name: string): Retry | undefined;
  find(kind: 'bulkhead', name: string): Bulkhead | undefined;
  find(kind: 'ratelimiter', name: string): RateLimiter | undefined;
  find(kind: 'timelimiter', name: string): TimeLimiter | undefined;
  find(
    kind: PolicyKind,
    name: string,
  ): CircuitBreaker | Retry | Bulkhead | RateLimiter | TimeLimiter | undefined {
    return (this.#tables[kind] as PolicyTable<Policy, unknown>).find(name) as
      CircuitBreaker | undefined;
  }

  /** Every instance of a kind, sorted by name. */
  all(kind: 'circuitbreaker'): CircuitBreaker[];
  all(kind: 'retry'): Retry[];
  all(kind: 'bulkhead'): Bulkhead[];
  all(kind: 'ratelimiter'): RateLimiter[];
  all(kind: 'timelimiter'): TimeLimiter[];
  all(kind: PolicyKind): Array<CircuitBreaker | Retry | Bulkhead | RateLimiter | TimeLimiter> {
    return (this.#tables[kind] as PolicyTable<Policy, unknown>).all() as CircuitBreaker[];
  }

  /** `registerHealthIndicator`, `allowHealthIndicatorToFail` and `eventConsumerBufferSize` of an instance. */
  settings(kind: PolicyKind, name: string): RegistrySettings | undefined {
    return (this.#tables[kind] as PolicyTable<Policy, unknown>).settingsOf(name);
  }

  /** Buffered events (the last `eventConsumerBufferSize` per instance), oldest first. */
  events(kind: PolicyKind, name?: string): ResilienceEvent[] {
    const events = (this.#tables[kind] as PolicyTable<Policy, unknown>).events(name);
    return name === undefined ? events.sort((a, b) => a.creationTimeMs - b.creationTimeMs) : events;
  }

  /**
   * Moves on whenever an instance is created or replaced, or the properties change: what was
   * looked up at one revision still holds while the revision stays the same.
   */
  get revision(): number {
    return this.#revision;
  }

  /** Spring's aspect order, from `resilience4j.<kind>.<kind>-aspect-order` or the defaults. */
  get aspectOrder(): AspectOrder {
    const kinds = this.#properties.kinds;
    return {
      retry: kinds.retry.aspectOrder ?? DEFAULT_ASPECT_ORDER.retry,
      circuitBreaker: kinds.circuitbreaker.aspectOrder ?? DEFAULT_ASPECT_ORDER.circuitBreaker,
      rateLimiter: kinds.ratelimiter.aspectOrder ?? DEFAULT_ASPECT_ORDER.rateLimiter,
      timeLimiter: kinds.timelimiter.aspectOrder ?? DEFAULT_ASPECT_ORDER.timeLimiter,
      bulkhead: kinds.bulkhead.aspectOrder ?? DEFAULT_ASPECT_ORDER.bulkhead,
    };
  }

  /** `spring.cloud.circuitbreaker.resilience4j.*`. */
  get springCloud(): SpringCloudCircuitBreakerProperties {
    return this.#properties.springCloud;
  }

  /** True when `configs.<name>` exists for the kind. */
  hasConfig(kind: PolicyKind, name: string): boolean {
    return this.#properties.kinds[kind].configs.has(name);
  }

  /**
   * Wraps `fn` in the named instances, looked up on every call (so refreshed ones apply at once),
   * in the aspect order — by default Retry ( CircuitBreaker ( RateLimiter ( TimeLimiter ( Bulkhead ( fn ) ) ) ) ).
   *
   * @example
   * const getOrders = registry.decorate((signal) => client.get('/orders', { signal }), { circuitBreaker: 'orders', retry: 'orders' });
   */
  decorate<T>(fn: Call<T>, names: PolicyNames): (signal?: AbortSignal) => Promise<T> {
    return decorate(
      fn,
      () => ({
        ...(names.retry !== undefined ? { retry: this.retry(names.retry) } : {}),
        ...(names.circuitBreaker !== undefined
          ? { circuitBreaker: this.circuitBreaker(names.circuitBreaker) }
          : {}),
        ...(names.rateLimiter !== undefined
          ? { rateLimiter: this.rateLimiter(names.rateLimiter) }
          : {}),
        ...(names.timeLimiter !== undefined
          ? { timeLimiter: this.timeLimiter(names.timeLimiter) }
          : {}),
        ...(names.bulkhead !== undefined ? { bulkhead: this.bulkhead(names.bulkhead) } : {}),
      }),
      this.aspectOrder,
    );
  }

  /** Subscribes to the events of every instance, present and future. */
  onEvent(listener: (event: ResilienceEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /**
   * Applies refreshed properties. Nothing changes when they do not bind.
   *
   * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG`; the old configuration stays in force.
   */
  reconfigure(source: ResiliencePropertySource): ReconfigureResult {
    const next = loadProperties(source, this.#adapters);
    this.#properties = next;
    this.#revision++;
    const result = {} as Record<PolicyKind, readonly string[]>;
    for (const kind of Object.keys(this.#tables) as PolicyKind[])
      result[kind] = (this.#tables[kind] as PolicyTable<Policy, unknown>).reconfigure(
        next.kinds[kind],
      );
    return result;
  }

  /** Stops every instance's timers. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const kind of Object.keys(this.#tables) as PolicyKind[])
      await (this.#tables[kind] as PolicyTable<Policy, unknown>).close();
  }
}

/**
 * Creates the registry of a process from its properties.
 *
 * @throws InvalidResilienceConfigError `RES_ERR_INVALID_CONFIG` listing every property that does not bind.
 * @example
 * const registry = createResilienceRegistry({ properties: env }); // env: a ConfigEnvironment or a property map
 * const breaker = registry.circuitBreaker('backendA');
 */
export function createResilienceRegistry(
  options: ResilienceRegistryOptions = {},
): ResilienceRegistry {
  return new ResilienceRegistry(options);
}
