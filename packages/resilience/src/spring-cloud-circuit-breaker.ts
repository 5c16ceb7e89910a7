import type { Bulkhead } from './bulkhead/bulkhead.js';
import { CallController, type CallSignal } from './call-signal.js';
import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import type { CircuitBreakerConfigInput } from './circuit-breaker/config.js';
import type { ResilienceRegistry } from './registry.js';
import type { TimeLimiter, TimeLimiterConfig } from './time-limiter/time-limiter.js';

/** `Resilience4JConfigBuilder.Resilience4JCircuitBreakerConfiguration`: a breaker and its time limit. */
export interface Resilience4JCircuitBreakerConfiguration {
  readonly circuitBreakerConfig?: CircuitBreakerConfigInput;
  readonly timeLimiterConfig?: Partial<TimeLimiterConfig>;
}

/** Spring Cloud's `CircuitBreaker`: runs a call, and a fallback when it fails or is refused. */
export interface SpringCircuitBreaker {
  /**
   * Runs `toRun` under the breaker (and the time limiter unless disabled); any failure — the
   * call's error, a timeout, an open breaker — goes to `fallback` when given, else is thrown.
   * A `toRun` that declares a parameter gets an `AbortSignal` that aborts on timeout; one that
   * declares none (Spring's `Supplier`, `() => client.getOrders(id)`) is given none, and none is
   * made.
   */
  run<T>(
    toRun: (signal: AbortSignal) => T | Promise<T>,
    fallback?: (cause: unknown) => T | Promise<T>,
  ): Promise<T>;
  /**
   * {@link SpringCircuitBreaker.run} with a {@link CallSignal} instead of an `AbortSignal`: no
   * cost until an `AbortSignal` is asked of it, and undici takes it as it is.
   */
  runCancellable<T>(
    toRun: (signal: CallSignal) => T | Promise<T>,
    fallback?: (cause: unknown) => T | Promise<T>,
  ): Promise<T>;
}

/** Spring Cloud's `Resilience4JCircuitBreakerFactory`. */
export interface CircuitBreakerFactory {
  /** The breaker `id`, in group `groupName` (default: the id); the same object for the same pair. */
  create(id: string, groupName?: string): SpringCircuitBreaker;
  /** The global customizer: settings for every id without properties of its own. */
  configureDefault(
    defaultConfiguration: (id: string) => Resilience4JCircuitBreakerConfiguration,
  ): void;
  /** Settings for the given ids (Spring's `factory.configure(builder -> …, ids)`). */
  configure(
    configuration: (id: string) => Resilience4JCircuitBreakerConfiguration,
    ...ids: string[]
  ): void;
}

/** The instances one id runs under, as last looked up. */
interface Policies {
  readonly breaker: CircuitBreaker;
  readonly timeLimiter: TimeLimiter | undefined;
  readonly bulkhead: Bulkhead | undefined;
  /** The registry's revision and the factory's version they were looked up at. */
  readonly revision: number;
  readonly version: number;
}

/**
 * Spring Cloud CircuitBreaker over a registry, with `Resilience4JCircuitBreakerFactory`'s lookup:
 * the breaker's settings come from `resilience4j.circuitbreaker.instances.<id>`, else
 * `configs.<id>`, else `configs.<group>`, else the configured default (or `configs.default`);
 * the time limiter likewise from `resilience4j.timelimiter.*` (Resilience4j's default: 1 s), unless
 * `spring.cloud.circuitbreaker.resilience4j.disable-time-limiter[-map.<id>]` is true. A semaphore
 * bulkhead named after the group applies when `resilience4j.bulkhead` configures one. The
 * instances are looked up again only after the registry changed (a refresh, a new instance).
 *
 * @example
 * const factory = createCircuitBreakerFactory(registry);
 * factory.configureDefault(() => ({
 *   circuitBreakerConfig: { failureRateThreshold: 50, waitDurationInOpenStateMs: 60_000, slidingWindowType: 'COUNT_BASED', slidingWindowSize: 100 },
 *   timeLimiterConfig: { timeoutDurationMs: 1000 },
 * }));
 * const orders = await factory.create('circuitbreaker').run(() => orderClient.getOrders(userId), () => []);
 */
export function createCircuitBreakerFactory(registry: ResilienceRegistry): CircuitBreakerFactory {
  let defaultConfiguration: ((id: string) => Resilience4JCircuitBreakerConfiguration) | undefined;
  const configurations = new Map<string, Resilience4JCircuitBreakerConfiguration>();
  const breakers = new Map<string, SpringCircuitBreaker>();
  // Changes whenever configure/configureDefault do, so cached lookups are made again.
  let version = 0;
  const configurationFor = (id: string) => {
    const known = configurations.get(id);
    if (known) return known;
    if (!defaultConfiguration) return undefined;
    const made = defaultConfiguration(id);
    configurations.set(id, made);
    return made;
  };

  const timeLimiterFor = (
    id: string,
    group: string,
    configuration: Resilience4JCircuitBreakerConfiguration | undefined,
  ): TimeLimiter | undefined => {
    const cloud = registry.springCloud;
    const disabled =
      cloud.disableTimeLimiterMap.get(id) ??
      cloud.disableTimeLimiterMap.get(group) ??
      cloud.disableTimeLimiter;
    if (disabled) return undefined;
    return (
      registry.find('timelimiter', id) ??
      registry.find('timelimiter', group) ??
      registry.timeLimiter(id, {
        configNames: [id, group],
        ...(configuration?.timeLimiterConfig ? { config: configuration.timeLimiterConfig } : {}),
        tags: { group },
      })
    );
  };

  const lookUp = (id: string, group: string): Policies => {
    const configuration = configurationFor(id);
    const breaker = registry.circuitBreaker(id, {
      configNames: [id, group],
      ...(configuration?.circuitBreakerConfig
        ? { config: configuration.circuitBreakerConfig }
        : {}),
      tags: { group },
    });
    const timeLimiter = timeLimiterFor(id, group, configuration);
    const bulkhead =
      registry.find('bulkhead', group) ??
      (registry.hasConfig('bulkhead', group)
        ? registry.bulkhead(group, { configNames: [group] })
        : undefined);
    // Read after the lookups: they may have created instances, which moves the revision.
    return { breaker, timeLimiter, bulkhead, revision: registry.revision, version };
  };

  const springBreaker = (id: string, group: string): SpringCircuitBreaker => {
    let policies: Policies | undefined;
    const current = () => {
      if (
        policies === undefined ||
        policies.revision !== registry.revision ||
        policies.version !== version
      )
        policies = lookUp(id, group);
      return policies;
    };
    const runCancellable = async <T>(
      toRun: (signal: CallSignal) => T | Promise<T>,
      fallback?: (cause: unknown) => T | Promise<T>,
    ): Promise<T> => {
      const { breaker, timeLimiter, bulkhead } = current();
      const limited = timeLimiter
        ? () => timeLimiter.executeCancellable(toRun)
        : () => toRun(new CallController().signal);
      try {
        return await breaker.execute(bulkhead ? () => bulkhead.execute(limited) : limited);
      } catch (cause) {
        if (fallback) return fallback(cause);
        throw cause;
      }
    };
    return {
      run: (toRun, fallback) =>
        runCancellable(
          toRun.length === 0
            ? (toRun as () => ReturnType<typeof toRun>)
            : (signal) => toRun(signal.signal),
          fallback,
        ),
      runCancellable,
    };
  };

  return {
    configureDefault(configuration) {
      defaultConfiguration = configuration;
      configurations.clear();
      version++;
    },
    configure(configuration, ...ids) {
      for (const id of ids) configurations.set(id, configuration(id));
      version++;
    },
    create(id, groupName = id) {
      const key = `${id}\u0000${groupName}`;
      let breaker = breakers.get(key);
      if (breaker === undefined) {
        breaker = springBreaker(id, groupName);
        breakers.set(key, breaker);
      }
      return breaker;
    },
  };
}
