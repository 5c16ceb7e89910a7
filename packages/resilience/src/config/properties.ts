import { parseDurationMs } from '@stratus/core';
import type { PolicyKind } from '../events.js';
import {
  RESILIENCE4J_PREFIX,
  readPropertyEntries,
  uniform,
  type PropertyEntry,
  type ResiliencePropertySource,
} from './property-source.js';

/** One bound `configs.<name>` or `instances.<name>` block: Resilience4j property name → value. */
export type PropertyLayer = Readonly<Record<string, unknown>>;

/** The `resilience4j.<kind>.*` properties of one kind. */
export interface KindProperties {
  readonly configs: ReadonlyMap<string, PropertyLayer>;
  readonly instances: ReadonlyMap<string, PropertyLayer>;
  /** `<kind>AspectOrder`, when set. */
  readonly aspectOrder: number | undefined;
}

/** `spring.cloud.circuitbreaker.resilience4j.*` (Spring Cloud CircuitBreaker's own switches). */
export interface SpringCloudCircuitBreakerProperties {
  readonly disableTimeLimiter: boolean;
  readonly disableTimeLimiterMap: ReadonlyMap<string, boolean>;
}

/** Everything bound from a property source. */
export interface ResilienceProperties {
  readonly kinds: Readonly<Record<PolicyKind, KindProperties>>;
  readonly springCloud: SpringCloudCircuitBreakerProperties;
}

type ValueType = 'int' | 'float' | 'duration' | 'boolean' | 'list' | 'string' | 'enum';
interface Spec {
  readonly name: string;
  readonly type: ValueType;
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: number;
  readonly maxExclusive?: number;
}

const STATES = ['CLOSED', 'OPEN', 'HALF_OPEN', 'DISABLED', 'FORCED_OPEN', 'METRICS_ONLY'] as const;

function specs(list: Spec[]): ReadonlyMap<string, Spec> {
  return new Map(list.map((spec) => [uniform(spec.name), spec]));
}

const COMMON: Spec[] = [
  { name: 'baseConfig', type: 'string' },
  { name: 'eventConsumerBufferSize', type: 'int', min: 1 },
  { name: 'writableStackTraceEnabled', type: 'boolean' },
];

// The InstanceProperties of resilience4j-framework-common, with their setters' checks.
const SPECS: Readonly<Record<PolicyKind, ReadonlyMap<string, Spec>>> = {
  circuitbreaker: specs([
    ...COMMON,
    { name: 'failureRateThreshold', type: 'float', min: 1, max: 100 },
    { name: 'slowCallRateThreshold', type: 'float', minExclusive: 0, max: 100 },
    { name: 'slowCallDurationThreshold', type: 'duration', minExclusive: 0 },
    { name: 'waitDurationInOpenState', type: 'duration', min: 1 },
    { name: 'maxWaitDurationInHalfOpenState', type: 'duration', min: 0 },
    { name: 'slidingWindowType', type: 'enum', values: ['COUNT_BASED', 'TIME_BASED'] },
    { name: 'slidingWindowSize', type: 'int', min: 1 },
    { name: 'minimumNumberOfCalls', type: 'int', min: 1 },
    { name: 'permittedNumberOfCallsInHalfOpenState', type: 'int', min: 1 },
    { name: 'automaticTransitionFromOpenToHalfOpenEnabled', type: 'boolean' },
    { name: 'transitionToStateAfterWaitDuration', type: 'enum', values: ['OPEN', 'CLOSED'] },
    { name: 'initialState', type: 'enum', values: STATES },
    { name: 'registerHealthIndicator', type: 'boolean' },
    { name: 'allowHealthIndicatorToFail', type: 'boolean' },
    { name: 'recordExceptions', type: 'list' },
    { name: 'ignoreExceptions', type: 'list' },
    { name: 'recordFailurePredicate', type: 'string' },
    { name: 'recordResultPredicate', type: 'string' },
    { name: 'ignoreExceptionPredicate', type: 'string' },
    { name: 'enableExponentialBackoff', type: 'boolean' },
    { name: 'exponentialBackoffMultiplier', type: 'float', minExclusive: 0 },
    { name: 'exponentialMaxWaitDurationInOpenState', type: 'duration', min: 1 },
    { name: 'enableRandomizedWait', type: 'boolean' },
    { name: 'randomizedWaitFactor', type: 'float', min: 0, maxExclusive: 1 },
    { name: 'ignoreClassBindingExceptions', type: 'boolean' },
  ]),
  retry: specs([
    ...COMMON,
    { name: 'maxAttempts', type: 'int', min: 1 },
    { name: 'waitDuration', type: 'duration', min: 0 },
    { name: 'retryExceptions', type: 'list' },
    { name: 'ignoreExceptions', type: 'list' },
    { name: 'retryExceptionPredicate', type: 'string' },
    { name: 'resultPredicate', type: 'string' },
    { name: 'intervalBiFunction', type: 'string' },
    { name: 'enableExponentialBackoff', type: 'boolean' },
    { name: 'exponentialBackoffMultiplier', type: 'float', minExclusive: 0 },
    { name: 'exponentialMaxWaitDuration', type: 'duration', min: 0 },
    { name: 'enableRandomizedWait', type: 'boolean' },
    { name: 'randomizedWaitFactor', type: 'float', min: 0, maxExclusive: 1 },
    { name: 'failAfterMaxAttempts', type: 'boolean' },
  ]),
  bulkhead: specs([
    ...COMMON,
    { name: 'maxConcurrentCalls', type: 'int', min: 0 },
    { name: 'maxWaitDuration', type: 'duration', min: 0 },
  ]),
  ratelimiter: specs([
    ...COMMON,
    { name: 'limitForPeriod', type: 'int', min: 1 },
    { name: 'limitRefreshPeriod', type: 'duration', minExclusive: 0 },
    { name: 'timeoutDuration', type: 'duration', min: 0 },
    { name: 'registerHealthIndicator', type: 'boolean' },
    { name: 'allowHealthIndicatorToFail', type: 'boolean' },
    { name: 'subscribeForEvents', type: 'boolean' },
  ]),
  timelimiter: specs([
    ...COMMON,
    { name: 'timeoutDuration', type: 'duration', min: 0 },
    { name: 'cancelRunningFuture', type: 'boolean' },
  ]),
};

const ASPECT_ORDER_KEYS: Readonly<Record<PolicyKind, string>> = {
  circuitbreaker: 'circuitbreakeraspectorder',
  retry: 'retryaspectorder',
  bulkhead: 'bulkheadaspectorder',
  ratelimiter: 'ratelimiteraspectorder',
  timelimiter: 'timelimiteraspectorder',
};

export const POLICY_KINDS: readonly PolicyKind[] = [
  'circuitbreaker',
  'retry',
  'bulkhead',
  'ratelimiter',
  'timelimiter',
];

interface RawKind {
  configs: Map<string, Map<string, unknown>>;
  instances: Map<string, Map<string, unknown>>;
  aspectOrder?: unknown;
}

/**
 * Binds `resilience4j.<kind>.configs|instances.<name>.<property>` and the Spring Cloud
 * CircuitBreaker switches with relaxed names (`sliding-window-size`, `slidingWindowSize`,
 * `SLIDINGWINDOWSIZE`); unknown properties are ignored, as Spring Boot does.
 *
 * @returns the bound properties and every problem found (empty when all bind).
 */
export function bindResilienceProperties(source: ResiliencePropertySource): {
  properties: ResilienceProperties;
  problems: string[];
} {
  const raw = Object.fromEntries(
    POLICY_KINDS.map((k) => [k, { configs: new Map(), instances: new Map() }]),
  ) as Record<PolicyKind, RawKind>;
  const springRaw: { disableTimeLimiter?: unknown; map: Map<string, unknown> } = { map: new Map() };
  for (const entry of readPropertyEntries(source)) collect(entry, raw, springRaw);
  const problems: string[] = [];
  const kinds = Object.fromEntries(
    POLICY_KINDS.map((kind) => [kind, bindKind(kind, raw[kind], problems)]),
  ) as Record<PolicyKind, KindProperties>;
  const prefix = 'spring.cloud.circuitbreaker.resilience4j';
  const disableTimeLimiter =
    springRaw.disableTimeLimiter === undefined
      ? false
      : ((bindValue(
          { name: 'disableTimeLimiter', type: 'boolean' },
          springRaw.disableTimeLimiter,
          `${prefix}.disable-time-limiter`,
          problems,
        ) as boolean | undefined) ?? false);
  const disableTimeLimiterMap = new Map<string, boolean>();
  for (const [id, value] of springRaw.map) {
    const bound = bindValue(
      { name: 'disableTimeLimiterMap', type: 'boolean' },
      value,
      `${prefix}.disable-time-limiter-map.${id}`,
      problems,
    );
    if (typeof bound === 'boolean') disableTimeLimiterMap.set(id, bound);
  }
  return {
    properties: { kinds, springCloud: { disableTimeLimiter, disableTimeLimiterMap } },
    problems,
  };
}

function collect(
  entry: PropertyEntry,
  raw: Record<PolicyKind, RawKind>,
  springRaw: { disableTimeLimiter?: unknown; map: Map<string, unknown> },
): void {
  const path = entry.path;
  const name = (i: number) =>
    typeof path[i] === 'string' ? uniform(path[i] as string) : undefined;
  if (name(0) === RESILIENCE4J_PREFIX) {
    const kind = POLICY_KINDS.find((k) => k === name(1));
    if (!kind) return;
    const section = name(2);
    if (section === 'configs' || section === 'instances' || section === 'backends') {
      if (path.length < 4 || path[3] === undefined) return;
      const target = section === 'configs' ? raw[kind].configs : raw[kind].instances;
      const instance = String(path[3]);
      if (!target.has(instance)) target.set(instance, new Map());
      const property = name(4);
      if (property === undefined) return;
      const props = target.get(instance)!;
      if (typeof path[5] === 'number') {
        const list = Array.isArray(props.get(property)) ? (props.get(property) as unknown[]) : [];
        list[path[5]] = entry.value;
        props.set(property, list);
      } else {
        props.set(property, entry.value);
      }
    } else if (section === ASPECT_ORDER_KEYS[kind] && path.length === 3) {
      raw[kind].aspectOrder = entry.value;
    }
    return;
  }
  // spring.cloud.circuitbreaker.resilience4j.<key>
  const key = name(4);
  if (key === 'disabletimelimiter' && path.length === 5) springRaw.disableTimeLimiter = entry.value;
  else if (key === 'disabletimelimitermap' && path.length === 6)
    springRaw.map.set(String(path[5]), entry.value);
}

function bindKind(kind: PolicyKind, raw: RawKind, problems: string[]): KindProperties {
  const bindSection = (section: 'configs' | 'instances') => {
    const out = new Map<string, PropertyLayer>();
    for (const [instance, props] of raw[section]) {
      const layer: Record<string, unknown> = {};
      for (const [property, value] of props) {
        const spec = SPECS[kind].get(property);
        if (!spec) continue;
        const bound = bindValue(
          spec,
          value,
          `resilience4j.${kind}.${section}.${instance}.${spec.name}`,
          problems,
        );
        if (bound !== undefined) layer[spec.name] = bound;
      }
      out.set(instance, Object.freeze(layer));
    }
    return out;
  };
  const aspectOrder =
    raw.aspectOrder === undefined
      ? undefined
      : (bindValue(
          { name: 'aspectOrder', type: 'int' },
          raw.aspectOrder,
          `resilience4j.${kind}.${kind}-aspect-order`,
          problems,
        ) as number | undefined);
  return { configs: bindSection('configs'), instances: bindSection('instances'), aspectOrder };
}

/** Converts one raw value; pushes a problem and returns undefined when it does not bind. */
function bindValue(spec: Spec, value: unknown, key: string, problems: string[]): unknown {
  const fail = (why: string) => {
    problems.push(`${key}: ${why}`);
    return undefined;
  };
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' && value.trim() !== ''
        ? value.trim()
        : fail('must be a non-empty string');
    case 'list': {
      const items = Array.isArray(value)
        ? value.filter((v) => v !== undefined)
        : String(value).split(',');
      return items.map((item) => String(item).trim()).filter((item) => item !== '');
    }
    case 'boolean': {
      const text = String(value).trim().toLowerCase();
      return text === 'true'
        ? true
        : text === 'false'
          ? false
          : fail(`'${String(value)}' is not true or false`);
    }
    case 'enum': {
      const text = String(value).trim().toUpperCase().replace(/-/g, '_');
      return spec.values!.includes(text)
        ? text
        : fail(`'${String(value)}' is not one of ${spec.values!.join(', ')}`);
    }
    default: {
      const number =
        spec.type === 'duration'
          ? parseDurationMs(value, 'ms')
          : typeof value === 'number'
            ? value
            : Number(String(value).trim());
      if (
        number === null ||
        !Number.isFinite(number) ||
        (typeof value === 'string' && value.trim() === '')
      )
        return fail(
          `'${String(value)}' is not ${spec.type === 'duration' ? 'a duration' : 'a number'}`,
        );
      if (spec.type === 'int' && !Number.isInteger(number)) return fail('must be an integer');
      const problem = rangeProblem(spec, number);
      return problem ? fail(problem) : number;
    }
  }
}

function rangeProblem(spec: Spec, value: number): string | undefined {
  if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
  if (spec.minExclusive !== undefined && value <= spec.minExclusive)
    return `must be greater than ${spec.minExclusive}`;
  if (spec.maxExclusive !== undefined && value >= spec.maxExclusive)
    return `must be less than ${spec.maxExclusive}`;
  return undefined;
}
