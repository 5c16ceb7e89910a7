import type { Dispatcher } from 'undici';
import type { Logger } from '@stratus/core';
import type { LoadBalancer } from '@stratus/discovery';
import type { AnySignal } from '@stratus/resilience';
import { noInstanceError, timeoutError, unavailableError } from '../errors.js';
import { startObserved } from './observe.js';
import { ReadTimer } from './read-timer.js';
import {
  failureKindOf,
  isInstanceFailureStatus,
  mayRetry,
  type FailureKind,
} from '@stratus/discovery';

/** A request ready to go: headers final, body in memory (so any attempt can send it again). */
export interface OutgoingExchange {
  readonly method: string;
  /** The service of an `lb://` call, chosen by the load balancer; null for a direct call. */
  readonly serviceId: string | null;
  /** `scheme://host[:port]` of a direct call (unused for `lb://`). */
  readonly origin: string;
  /** Path and query, encoded: `/order-service/u1/orders?page=2`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | undefined;
  readonly isIdempotent: boolean;
  /** The `uri` tag of `http_client_requests_seconds` (`/users/{id}`). @default the instrumentation's `none` */
  readonly uriTemplate?: string | undefined;
}

/** Where one attempt goes. */
export interface Target {
  /** `scheme://host[:port]`. */
  readonly origin: string;
  readonly serviceId: string | null;
  readonly instanceId: string | null;
}

/** The URL of a call as written (`lb://order-service/…` or `http://host/…`), for logs. */
export function urlOf(out: OutgoingExchange): string {
  return `${out.serviceId === null ? out.origin : `lb://${out.serviceId}`}${out.path}`;
}

/** How attempts are made. */
export interface ExchangeOptions {
  readonly dispatcher: Dispatcher;
  /** Longest wait for the answer's head, and between body chunks, ms. */
  readonly readTimeoutMs: number;
  /** Attempts on other instances after a failed one (Spring Cloud LoadBalancer's retry). */
  readonly retriesOnNextInstance: number;
  /** Treat every method as idempotent (`retry-on-all-operations`). */
  readonly retryOnAllOperations: boolean;
  readonly loadBalancer: LoadBalancer | undefined;
  readonly logger: Logger;
  /** Names the upstream in errors and logs. */
  readonly nameOf: (target: Target) => string;
  /** The budget an abort with a `TimeoutError` reason stands for, ms. @default readTimeoutMs */
  readonly budgetMs?: number;
  /** Whether the process's instrumentation observes these requests (metrics, spans). @default true */
  readonly isObserved?: boolean;
}

/** An answer and where it came from; its body is still to be read. */
export interface Exchanged {
  readonly response: Dispatcher.ResponseData;
  readonly target: Target;
  /** The read timeout, now waiting for body chunks: `rearm()` on each, `clear()` when done. */
  readonly readTimer: ReadTimer;
}

type Attempt =
  | { readonly response: Dispatcher.ResponseData; readonly readTimer: ReadTimer }
  | { readonly error: unknown; readonly failure: FailureKind; readonly readTimer: ReadTimer };

// Instance URIs seen, and their origins: a process calls few, and parsing one costs a URL.
const origins = new Map<string, string>();
const MAX_ORIGINS = 1_000;

function originOf(uri: string): string {
  let origin = origins.get(uri);
  if (origin === undefined) {
    origin = new URL(uri).origin;
    if (origins.size >= MAX_ORIGINS) origins.clear();
    origins.set(uri, origin);
  }
  return origin;
}

/** Picks the next target, or null when no (other) instance is left. */
function targetOf(
  out: OutgoingExchange,
  balancer: LoadBalancer | undefined,
  tried: ReadonlySet<string>,
  attempt: number,
): Target | null {
  const serviceId = out.serviceId;
  if (serviceId === null)
    return attempt === 0 ? { origin: out.origin, serviceId: null, instanceId: null } : null;
  const instance = balancer?.choose(serviceId, tried.size > 0 ? { exclude: tried } : undefined);
  if (!instance || tried.has(instance.instanceId)) return null;
  // Only the instance's origin is used: the call's path is never resolved against its URI.
  return { origin: originOf(instance.uri), serviceId, instanceId: instance.instanceId };
}

async function send(
  target: Target,
  out: OutgoingExchange,
  options: ExchangeOptions,
  signal: AnySignal | undefined,
): Promise<Attempt> {
  const readTimer = new ReadTimer(options.readTimeoutMs, signal);
  try {
    const response = await startObserved(out.uriTemplate, options.isObserved ?? true, () =>
      options.dispatcher.request({
        origin: target.origin,
        path: out.path,
        method: out.method as Dispatcher.HttpMethod,
        headers: out.headers,
        body: out.body,
        // undici's own timeouts stay as a backstop; the native ReadTimer is the precise one.
        headersTimeout: options.readTimeoutMs,
        bodyTimeout: options.readTimeoutMs,
        signal: readTimer.signal as unknown as Dispatcher.RequestOptions['signal'],
      }),
    );
    readTimer.rearm();
    return { response, readTimer };
  } catch (error) {
    readTimer.clear();
    const failure = readTimer.hasFired || signal?.aborted ? 'timeout' : failureKindOf(error);
    return { error, failure, readTimer };
  }
}

function report(options: ExchangeOptions, target: Target, failed: boolean, answered: boolean) {
  if (target.serviceId === null || target.instanceId === null) return;
  if (failed) options.loadBalancer?.markFailed(target.serviceId, target.instanceId);
  else if (answered) options.loadBalancer?.markSucceeded?.(target.serviceId, target.instanceId);
}

function errorOf(
  attempt: Extract<Attempt, { error: unknown }>,
  target: Target,
  options: ExchangeOptions,
  signal?: AnySignal,
): Error {
  const name = options.nameOf(target);
  if (attempt.readTimer.hasFired) return timeoutError(name, options.readTimeoutMs, attempt.error);
  if (signal?.aborted) {
    const reason = signal.reason as { name?: unknown } | undefined;
    if (reason?.name !== 'TimeoutError') return reason as Error;
    return timeoutError(name, options.budgetMs ?? options.readTimeoutMs, attempt.error);
  }
  return attempt.failure === 'timeout'
    ? timeoutError(name, options.readTimeoutMs, attempt.error)
    : unavailableError(name, attempt.error);
}

/**
 * Sends `out`, resolving `lb://` through the load balancer. An attempt that cannot connect, is
 * reset or gets a 502/503 marks that instance failed; it is repeated on another instance when
 * `mayRetry` allows it and one is left. A 502/503 with no retry left is returned as the answer.
 *
 * @throws `HTTP_ERR_NO_INSTANCE`, `HTTP_ERR_UPSTREAM_UNAVAILABLE`, `HTTP_ERR_TIMEOUT`, or the
 *   signal's reason when it was aborted for anything but a timeout.
 */
export async function exchange(
  out: OutgoingExchange,
  options: ExchangeOptions,
  signal?: AnySignal,
): Promise<Exchanged> {
  const tried = new Set<string>();
  const balancer = options.loadBalancer;
  let lastError: Error | null = null;
  let hasRefreshed = false;
  let next = targetOf(out, balancer, tried, 0);
  for (let attempt = 0; ; attempt++) {
    const target = next;
    if (target === null) {
      if (lastError !== null) throw lastError;
      if (hasRefreshed || !balancer?.refresh) throw noInstanceError(out.serviceId ?? out.origin);
      // The registry cache may predate the callee's registration: look again once.
      hasRefreshed = true;
      await balancer.refresh();
      next = targetOf(out, balancer, tried, attempt);
      attempt--;
      continue;
    }
    if (target.instanceId !== null) tried.add(target.instanceId);
    const outcome = await send(target, out, options, signal);
    const failure = 'response' in outcome ? null : outcome.failure;
    const status = 'response' in outcome ? outcome.response.statusCode : 0;
    const isInstanceFailure =
      failure === 'connect' || failure === 'reset' || isInstanceFailureStatus(status);
    report(options, target, isInstanceFailure, failure === null);
    const canRetry =
      attempt < options.retriesOnNextInstance &&
      !signal?.aborted &&
      isInstanceFailure &&
      target.serviceId !== null &&
      mayRetry({
        isIdempotent: out.isIdempotent || options.retryOnAllOperations,
        failure: failure ?? 'status',
        isBodyReplayable: true,
      });
    if ('response' in outcome) {
      const exchanged = { response: outcome.response, target, readTimer: outcome.readTimer };
      if (!canRetry) return exchanged;
      next = targetOf(out, balancer, tried, attempt + 1);
      // A 502/503 with no other instance left is the answer.
      if (next === null) return exchanged;
      outcome.readTimer.clear();
      await outcome.response.body.dump();
    } else {
      lastError = errorOf(outcome, target, options, signal);
      if (!canRetry) throw lastError;
      next = targetOf(out, balancer, tried, attempt + 1);
    }
    options.logger.warn(
      { serviceId: target.serviceId, attempt: attempt + 1, failure: failure ?? status },
      'call failed; retrying on another instance',
    );
  }
}
