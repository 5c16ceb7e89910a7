import type { CircuitBreaker } from './circuit-breaker/circuit-breaker.js';
import type { CircuitBreakerState } from './circuit-breaker/config.js';
import type { CircuitBreakerEvent, PolicyKind, ResilienceEvent } from './events.js';
import { formatJavaFloat } from './internal/java-format.js';
import type { ResilienceRegistry } from './registry.js';

/** One entry of `/actuator/circuitbreakers` (`CircuitBreakerDetails`). */
export interface CircuitBreakerDetails {
  failureRate: string;
  slowCallRate: string;
  failureRateThreshold: string;
  slowCallRateThreshold: string;
  bufferedCalls: number;
  failedCalls: number;
  slowCalls: number;
  slowFailedCalls: number;
  notPermittedCalls: number;
  state: CircuitBreakerState;
}

function details(cb: CircuitBreaker): CircuitBreakerDetails {
  const m = cb.metrics;
  return {
    failureRate: `${formatJavaFloat(m.failureRate)}%`,
    slowCallRate: `${formatJavaFloat(m.slowCallRate)}%`,
    failureRateThreshold: `${formatJavaFloat(cb.config.failureRateThreshold)}%`,
    slowCallRateThreshold: `${formatJavaFloat(cb.config.slowCallRateThreshold)}%`,
    bufferedCalls: m.numberOfBufferedCalls,
    failedCalls: m.numberOfFailedCalls,
    slowCalls: m.numberOfSlowCalls,
    slowFailedCalls: m.numberOfSlowFailedCalls,
    notPermittedCalls: m.numberOfNotPermittedCalls,
    state: cb.state,
  };
}

/** `GET /actuator/circuitbreakers`: every breaker by name, rates printed as Java does (`"50.0%"`). */
export function circuitBreakersEndpoint(registry: ResilienceRegistry): {
  circuitBreakers: Record<string, CircuitBreakerDetails>;
} {
  return {
    circuitBreakers: Object.fromEntries(
      registry.all('circuitbreaker').map((cb) => [cb.name, details(cb)]),
    ),
  };
}

/** The body of `POST /actuator/circuitbreakers/{name}` (`CircuitBreakerUpdateStateResponse`). */
export interface CircuitBreakerUpdateStateResponse {
  circuitBreakerName: string;
  currentState: string;
  message: string;
}

/** `POST /actuator/circuitbreakers/{name}` with `{"updateState": "CLOSE" | "FORCE_OPEN" | "DISABLE"}`. */
export function updateCircuitBreakerState(
  registry: ResilienceRegistry,
  name: string,
  updateState: string,
): CircuitBreakerUpdateStateResponse {
  const cb = registry.circuitBreaker(name);
  const actions: Record<string, () => void> = {
    CLOSE: () => cb.transitionToClosedState(),
    FORCE_OPEN: () => cb.transitionToForcedOpenState(),
    DISABLE: () => cb.transitionToDisabledState(),
  };
  const action = actions[updateState.toUpperCase()];
  if (!action) {
    return {
      circuitBreakerName: name,
      currentState: cb.state,
      message: 'State change value is not supported please use only [CLOSE, FORCE_OPEN, DISABLE]',
    };
  }
  action();
  return {
    circuitBreakerName: name,
    currentState: cb.state,
    message: `${name} state has been changed successfully`,
  };
}

/** What the `/actuator/<kind>events` endpoints may filter on (`/{name}` and `/{name}/{eventType}`). */
export interface EventFilter {
  name?: string;
  eventType?: string;
}

function eventsOf(
  registry: ResilienceRegistry,
  kind: PolicyKind,
  filter: EventFilter,
): ResilienceEvent[] {
  const events = registry.events(kind, filter.name);
  return filter.eventType === undefined
    ? events
    : events.filter((e) => e.type === filter.eventType!.toUpperCase());
}

/** `GET /actuator/circuitbreakerevents[/{name}[/{eventType}]]`. */
export function circuitBreakerEventsEndpoint(
  registry: ResilienceRegistry,
  filter: EventFilter = {},
): { circuitBreakerEvents: Record<string, unknown>[] } {
  return {
    circuitBreakerEvents: eventsOf(registry, 'circuitbreaker', filter).map((e) => {
      const event = e as CircuitBreakerEvent;
      return {
        circuitBreakerName: event.name,
        type: event.type,
        creationTime: javaInstant(event.creationTimeMs),
        ...(event.error !== undefined ? { errorMessage: javaThrowableText(event.error) } : {}),
        ...(event.elapsedMs !== undefined ? { durationInMs: Math.trunc(event.elapsedMs) } : {}),
        ...(event.stateTransition !== undefined ? { stateTransition: event.stateTransition } : {}),
      };
    }),
  };
}

/** `GET /actuator/retries`. */
export function retriesEndpoint(registry: ResilienceRegistry): { retries: string[] } {
  return { retries: registry.all('retry').map((r) => r.name) };
}

/** `GET /actuator/retryevents[/{name}[/{eventType}]]`. */
export function retryEventsEndpoint(
  registry: ResilienceRegistry,
  filter: EventFilter = {},
): { retryEvents: Record<string, unknown>[] } {
  return {
    retryEvents: eventsOf(registry, 'retry', filter).map((e) => {
      const event = e as Extract<ResilienceEvent, { kind: 'retry' }>;
      return {
        retryName: event.name,
        type: event.type,
        creationTime: javaInstant(event.creationTimeMs),
        ...(event.error !== undefined ? { errorMessage: javaThrowableText(event.error) } : {}),
        numberOfAttempts: event.numberOfAttempts,
      };
    }),
  };
}

/** `GET /actuator/bulkheads`. */
export function bulkheadsEndpoint(registry: ResilienceRegistry): { bulkheads: string[] } {
  return { bulkheads: registry.all('bulkhead').map((b) => b.name) };
}

/** `GET /actuator/bulkheadevents[/{name}[/{eventType}]]`. */
export function bulkheadEventsEndpoint(
  registry: ResilienceRegistry,
  filter: EventFilter = {},
): { bulkheadEvents: Record<string, unknown>[] } {
  return {
    bulkheadEvents: eventsOf(registry, 'bulkhead', filter).map((e) => ({
      bulkheadName: e.name,
      type: e.type,
      creationTime: javaInstant(e.creationTimeMs),
    })),
  };
}

/** `GET /actuator/ratelimiters`. */
export function rateLimitersEndpoint(registry: ResilienceRegistry): { rateLimiters: string[] } {
  return { rateLimiters: registry.all('ratelimiter').map((r) => r.name) };
}

/** `GET /actuator/ratelimiterevents[/{name}[/{eventType}]]`. */
export function rateLimiterEventsEndpoint(
  registry: ResilienceRegistry,
  filter: EventFilter = {},
): { rateLimiterEvents: Record<string, unknown>[] } {
  return {
    rateLimiterEvents: eventsOf(registry, 'ratelimiter', filter).map((e) => ({
      rateLimiterName: e.name,
      type: e.type,
      creationTime: javaInstant(e.creationTimeMs),
    })),
  };
}

/** `GET /actuator/timelimiters`. */
export function timeLimitersEndpoint(registry: ResilienceRegistry): { timeLimiters: string[] } {
  return { timeLimiters: registry.all('timelimiter').map((t) => t.name) };
}

/** `GET /actuator/timelimiterevents[/{name}[/{eventType}]]`. */
export function timeLimiterEventsEndpoint(
  registry: ResilienceRegistry,
  filter: EventFilter = {},
): { timeLimiterEvents: Record<string, unknown>[] } {
  return {
    timeLimiterEvents: eventsOf(registry, 'timelimiter', filter).map((e) => ({
      timeLimiterName: e.name,
      type: e.type,
      creationTime: javaInstant(e.creationTimeMs),
    })),
  };
}

/** Spring's health shape: a status and details. */
export interface HealthComponent {
  status: string;
  details: Record<string, unknown>;
}

// Spring Boot's SimpleStatusAggregator: only these count, the first present wins, else UNKNOWN.
const STATUS_ORDER = ['DOWN', 'OUT_OF_SERVICE', 'UP', 'UNKNOWN'];

/**
 * The `circuitBreakers` health contributor (`CircuitBreakersHealthIndicator`): breakers with
 * `registerHealthIndicator: true`; CLOSED is UP, OPEN is CIRCUIT_OPEN (DOWN with
 * `allowHealthIndicatorToFail`), HALF_OPEN is CIRCUIT_HALF_OPEN, the rest UNKNOWN.
 */
export function circuitBreakersHealth(registry: ResilienceRegistry): HealthComponent {
  const components: Record<string, HealthComponent> = {};
  for (const cb of registry.all('circuitbreaker')) {
    const settings = registry.settings('circuitbreaker', cb.name);
    if (!settings?.registerHealthIndicator) continue;
    const state = cb.state;
    const status =
      state === 'CLOSED'
        ? 'UP'
        : state === 'OPEN'
          ? settings.allowHealthIndicatorToFail
            ? 'DOWN'
            : 'CIRCUIT_OPEN'
          : state === 'HALF_OPEN'
            ? 'CIRCUIT_HALF_OPEN'
            : 'UNKNOWN';
    const { bufferedCalls, failedCalls, slowCalls, slowFailedCalls, notPermittedCalls, ...rates } =
      details(cb);
    components[cb.name] = {
      status,
      details: {
        failureRate: rates.failureRate,
        failureRateThreshold: rates.failureRateThreshold,
        slowCallRate: rates.slowCallRate,
        slowCallRateThreshold: rates.slowCallRateThreshold,
        bufferedCalls,
        slowCalls,
        slowFailedCalls,
        failedCalls,
        notPermittedCalls,
        state,
      },
    };
  }
  const statuses = new Set(Object.values(components).map((c) => c.status));
  const status = STATUS_ORDER.find((s) => statuses.has(s)) ?? 'UNKNOWN';
  return { status, details: components };
}

/** `ZonedDateTime.toString()` in UTC: seconds and fraction only when not zero, as `LocalTime` prints. */
function javaInstant(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const [date, time] = iso.slice(0, -1).split('T') as [string, string];
  const [hm, secondsPart] = [time.slice(0, 5), time.slice(6)];
  const [seconds, millis] = secondsPart.split('.') as [string, string];
  if (seconds === '00' && millis === '000') return `${date}T${hm}Z`;
  return millis === '000' ? `${date}T${hm}:${seconds}Z` : `${date}T${hm}:${seconds}.${millis}Z`;
}

/** Java's `Throwable.toString()`: the class name, then `: message` when there is one. */
function javaThrowableText(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
