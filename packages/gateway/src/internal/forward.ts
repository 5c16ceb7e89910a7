import type { Agent, Dispatcher } from 'undici';
import type { Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import { GatewayErrors } from '../errors.js';
import type { CompiledRoute } from './types.js';
import {
  failureKindOf,
  isInstanceFailureStatus,
  mayRetry,
  type FailureKind,
} from '@stratus/discovery';
import type { ForwardedBody } from './forwarded-body.js';
import type { HeaderRecord } from './headers.js';
import { UpstreamResponse, type AttemptListener } from './upstream-response.js';

/** One request to send upstream, possibly twice. */
export interface ForwardRequest {
  readonly route: CompiledRoute;
  readonly method: string;
  /** Path and query as sent upstream. */
  readonly path: string;
  readonly headers: HeaderRecord;
  readonly body: ForwardedBody;
  /** True for GET, HEAD, OPTIONS and requests carrying the idempotency key. */
  readonly isIdempotent: boolean;
  /** undici's idle time between response body chunks, ms (0 = none). */
  readonly bodyTimeoutMs: number;
}

/** A request on its way upstream. */
export interface ForwardCall {
  /** Cancels it (the client left, or the response timeout passed); no further attempt is made. */
  abort(reason: Error): void;
}

/** Sends a request upstream with failover; the listener hears of the answer or the failure. */
export type Forward = (request: ForwardRequest, listener: AttemptListener) => ForwardCall;

interface Target {
  readonly origin: string;
  readonly serviceId: string | null;
  readonly instanceId: string | null;
}

/** A request is sent at most this many times: once, and once more on another instance. */
const MAX_ATTEMPTS = 2;

/** Picks instances for one request (never the same twice) and reports how they answered. */
class Attempts {
  readonly #tried = new Set<string>();
  readonly #request: ForwardRequest;
  readonly #options: ForwarderOptions;
  constructor(request: ForwardRequest, options: ForwarderOptions) {
    this.#request = request;
    this.#options = options;
  }

  /** The target of attempt `attempt` (1-based), or null when there is none left. */
  target(attempt: number): Target | null {
    const route = this.#request.route;
    if (route.target.kind !== 'lb') {
      return attempt === 1 && route.target.kind === 'direct'
        ? { origin: route.target.origin, serviceId: null, instanceId: null }
        : null;
    }
    const serviceId = route.target.serviceId;
    const tried = this.#tried;
    const instance =
      this.#options.loadBalancer?.choose(
        serviceId,
        tried.size > 0 ? { exclude: tried } : undefined,
      ) ?? null;
    if (instance === null || tried.has(instance.instanceId)) return null;
    tried.add(instance.instanceId);
    return {
      origin: originOf(instance.uri, serviceId, this.#options.logger),
      serviceId,
      instanceId: instance.instanceId,
    };
  }

  report(target: Target, isFailure: boolean): void {
    const balancer = this.#options.loadBalancer;
    if (target.serviceId === null || target.instanceId === null || balancer === undefined) return;
    if (isFailure) balancer.markFailed(target.serviceId, target.instanceId);
    else balancer.markSucceeded?.(target.serviceId, target.instanceId);
  }

  /** The next target after a failure, when {@link mayRetry} allows another attempt. */
  next(attempt: number, failure: FailureKind | 'status'): Target | null {
    const request = this.#request;
    const canRetry =
      attempt < MAX_ATTEMPTS &&
      !request.body.isOverLimit &&
      mayRetry({
        isIdempotent: request.isIdempotent,
        failure,
        isBodyReplayable: request.body.isReplayable,
      });
    return canRetry ? this.target(attempt + 1) : null;
  }
}

/** What {@link createForwarder} needs. */
export interface ForwarderOptions {
  readonly loadBalancer: LoadBalancer | undefined;
  readonly agentFor: (route: CompiledRoute) => Agent;
  readonly logger: Logger;
  /** The error for an `lb://` service without instances (503, or 404 with `use404`). */
  readonly noInstance: (serviceId: string | null) => Error;
}

/** One request's attempts: the first, and at most one more on another instance. */
class Forwarding implements AttemptListener, ForwardCall {
  readonly #options: ForwarderOptions;
  readonly #request: ForwardRequest;
  readonly #listener: AttemptListener;
  readonly #attempts: Attempts;
  #attempt = 1;
  #target: Target | null = null;
  #current: UpstreamResponse | null = null;
  #abortReason: Error | null = null;

  constructor(options: ForwarderOptions, request: ForwardRequest, listener: AttemptListener) {
    this.#options = options;
    this.#request = request;
    this.#listener = listener;
    this.#attempts = new Attempts(request, options);
  }

  start(): void {
    let target: Target | null;
    try {
      target = this.#attempts.target(1);
    } catch (error) {
      this.#listener.onFailure(error as Error);
      return;
    }
    if (target === null) {
      const { route } = this.#request;
      this.#listener.onFailure(
        this.#options.noInstance(route.target.kind === 'lb' ? route.target.serviceId : null),
      );
      return;
    }
    this.#send(target);
  }

  abort(reason: Error): void {
    this.#abortReason ??= reason;
    this.#current?.abort(reason);
  }

  #send(target: Target): void {
    const request = this.#request;
    this.#target = target;
    const response = new UpstreamResponse(this);
    this.#current = response;
    let agent: Agent;
    try {
      agent = this.#options.agentFor(request.route);
    } catch (error) {
      this.#listener.onFailure(error as Error);
      return;
    }
    agent.dispatch(
      {
        origin: target.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body.next(),
        headersTimeout: 0,
        bodyTimeout: request.bodyTimeoutMs,
      },
      response,
    );
  }

  onFailure(error: Error): void {
    const target = this.#target as Target;
    if (this.#abortReason !== null) return this.#listener.onFailure(error);
    const failure = failureKindOf(error);
    if (failure === 'connect' || failure === 'reset') this.#attempts.report(target, true);
    let next: Target | null;
    try {
      next = this.#next(failure);
    } catch (nextError) {
      return this.#listener.onFailure(nextError as Error);
    }
    if (next === null) return this.#listener.onFailure(error);
    this.#options.logger.warn(
      { routeId: this.#request.route.id, instanceId: target.instanceId, failure },
      'upstream attempt failed; retrying on another instance',
    );
    this.#send(next);
  }

  onResponse(response: UpstreamResponse): void {
    const target = this.#target as Target;
    const isFailure = isInstanceFailureStatus(response.statusCode);
    this.#attempts.report(target, isFailure);
    let next: Target | null = null;
    try {
      if (isFailure && this.#abortReason === null) next = this.#next('status');
    } catch (nextError) {
      response.discard();
      return this.#listener.onFailure(nextError as Error);
    }
    if (next === null) return this.#listener.onResponse(response);
    response.discard();
    this.#options.logger.warn(
      {
        routeId: this.#request.route.id,
        instanceId: target.instanceId,
        status: response.statusCode,
      },
      'upstream instance unavailable; retrying on another instance',
    );
    this.#send(next);
  }

  /** @throws what the load balancer's instance choice throws (an unusable instance uri). */
  #next(failure: FailureKind | 'status'): Target | null {
    const next = this.#attempts.next(this.#attempt, failure);
    if (next !== null) this.#attempt++;
    return next;
  }
}

/**
 * Creates the function that sends a request upstream with failover: an instance that refuses
 * or resets the connection, or answers 502/503, is reported to the shared load balancer at
 * once (`markFailed`), and the request is repeated on another instance when {@link mayRetry}
 * allows it; any other answer reports the instance healthy (`markSucceeded`).
 */
export function createForwarder(options: ForwarderOptions): Forward {
  return (request, listener) => {
    const forwarding = new Forwarding(options, request, listener);
    forwarding.start();
    return forwarding;
  };
}

function originOf(uri: string, serviceId: string, logger: Logger): string {
  try {
    const url = new URL(uri);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // handled below
  }
  logger.warn({ serviceId }, 'load balancer returned an unusable instance uri');
  throw GatewayErrors.UPSTREAM_UNAVAILABLE({ details: { serviceId } });
}
