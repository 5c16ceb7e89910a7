import { Agent } from 'undici';
import { createSilentLogger, parseDurationMs, type Logger } from '@stratus/core';
import { CallController, type CallSignal } from '@stratus/resilience';
import type { LoadBalancer } from '@stratus/discovery';
import {
  HttpErrors,
  decodeError,
  invalidRequestError,
  statusError,
  timeoutError,
  unavailableError,
} from './errors.js';
import { connectorWithTimeout } from './internal/connector.js';
import { exchange, type Exchanged, type OutgoingExchange } from './internal/exchange.js';
import type { PropertySource } from './property-source.js';
import { viewOf } from './internal/property-view.js';
import { readBody } from './internal/read-body.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_METHODS } from '@stratus/discovery';

/** Options of one call. */
export interface CallOptions {
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Budget of the whole call, retry included, ms. @default the client's timeoutMs */
  timeoutMs?: number;
  /**
   * The URL's template (`/users/{id}/orders`): the `uri` tag the process's instrumentation gives
   * `http_client_requests_seconds` and the client span. @default 'none'
   */
  uriTemplate?: string;
  /**
   * Sent as `Idempotency-Key`: the callee promises to execute a repeated
   * request once, so a POST carrying it is retried like a GET.
   * @default none
   */
  idempotencyKey?: string;
}

/** A decoded JSON answer. */
export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** The RestTemplate/Feign analogue: `lb://service/path` or plain URLs, JSON in and out. */
export interface HttpClient {
  /**
   * Calls `url` and decodes a JSON body. An `lb://` call that cannot connect, is
   * reset or gets a 502/503 marks that instance failed in the load balancer;
   * it is repeated once on another instance when that is safe (see `retries`).
   *
   * @throws StratusError `HTTP_ERR_NO_INSTANCE`, `HTTP_ERR_UPSTREAM_UNAVAILABLE`,
   *   `HTTP_ERR_TIMEOUT`, `HTTP_ERR_STATUS`, `HTTP_ERR_DECODE`, `HTTP_ERR_INVALID_REQUEST`,
   *   `HTTP_ERR_CLOSED`
   */
  json<T>(url: string, options?: CallOptions): Promise<JsonResponse<T>>;
  /** Closes the connection pool; idempotent. */
  close(): Promise<void>;
}

/** Options of `createHttpClient`. */
export interface HttpClientOptions {
  /** Resolves `lb://SERVICE` URLs; the same balancer the gateway uses. */
  loadBalancer?: LoadBalancer;
  /** Budget of a whole call, retry included, ms. @default 5000 */
  timeoutMs?: number;
  /** TCP connect timeout of one attempt, ms (RestTemplate's `setConnectTimeout`). @default 2000 */
  connectTimeoutMs?: number;
  /**
   * Longest wait for an attempt's answer head, and between body chunks, ms (RestTemplate's
   * `setReadTimeout`); never longer than the call's budget. @default timeoutMs
   */
  readTimeoutMs?: number;
  /**
   * Attempts on other instances after the first one fails. GET, HEAD, OPTIONS
   * and calls with an idempotency key are repeated after a refused or reset
   * connection or a 502/503; any other call only after a refused connection,
   * which proves the request never left. Timeouts are never repeated.
   * @default 1
   */
  retries?: number;
  logger?: Logger;
  /**
   * @deprecated Ignored: `http_client_requests_seconds` is recorded by the process's HTTP client
   * instrumentation (`instrumentHttpClients`, set up by boot); give calls a `uriTemplate`.
   */
  metricsRegistry?: unknown;
  /** Largest answer body read into memory, bytes. @default 16777216 (16 MiB) */
  maxResponseBytes?: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function prepare(url: URL, call: CallOptions): OutgoingExchange {
  const method = (call.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(call.headers ?? {}))
    headers[name.toLowerCase()] = value;
  if (call.idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(call.idempotencyKey))
      throw invalidRequestError('idempotencyKey must be 1-255 visible ASCII characters');
    headers[IDEMPOTENCY_KEY_HEADER] = call.idempotencyKey;
  }
  for (const [name, value] of Object.entries(headers))
    if (/[\r\n\0]/.test(value))
      throw invalidRequestError(`header '${name}' has a line break or NUL`);
  const isIdempotent =
    IDEMPOTENT_METHODS.has(method) || headers[IDEMPOTENCY_KEY_HEADER] !== undefined;
  const isLoadBalanced = url.protocol === 'lb:';
  if (!isLoadBalanced && url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidRequestError('the URL must be lb://, http:// or https://');
  const target = {
    serviceId: isLoadBalanced ? url.hostname : null,
    origin: isLoadBalanced ? '' : url.origin,
    path: `${url.pathname}${url.search}`,
    uriTemplate: call.uriTemplate,
  };
  if (call.json === undefined) return { method, ...target, headers, body: undefined, isIdempotent };
  headers['content-type'] = 'application/json';
  return { method, ...target, headers, body: JSON.stringify(call.json), isIdempotent };
}

/**
 * RestTemplate-era timeouts from configuration, for {@link createHttpClient}: Spring Boot 3.4's
 * `spring.http.client.connect-timeout` / `read-timeout` (durations: `2s`, `500ms`, `PT1S`), else
 * the course's `restTemplate.connectTimeOut` / `restTemplate.readTimeOut` (whole seconds, read
 * with `Duration.ofSeconds` as its `RestTemplateConfig` does). Unset keys are left out.
 *
 * @example
 * const http = createHttpClient({ loadBalancer, ...restTemplateTimeouts(app.config) });
 */
export function restTemplateTimeouts(
  properties: PropertySource,
): Pick<HttpClientOptions, 'connectTimeoutMs' | 'readTimeoutMs'> {
  const view = viewOf(properties);
  const read = (boot: string, course: string): number | undefined => {
    const value = view.get(boot);
    const ms =
      value !== undefined && value !== ''
        ? parseDurationMs(value)
        : parseDurationMs(view.get(course), 's');
    if (ms === null) {
      if (view.get(boot) === undefined && view.get(course) === undefined) return undefined;
      throw HttpErrors.INVALID_CONFIG({
        message: `${boot} (or ${course}) is not a duration`,
        details: { key: boot },
      });
    }
    if (!(ms > 0))
      throw HttpErrors.INVALID_CONFIG({
        message: `${boot} must be positive`,
        details: { key: boot },
      });
    return Math.ceil(ms);
  };
  const connectTimeoutMs = read(
    'spring.http.client.connect-timeout',
    'restTemplate.connectTimeOut',
  );
  const readTimeoutMs = read('spring.http.client.read-timeout', 'restTemplate.readTimeOut');
  return {
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(readTimeoutMs !== undefined ? { readTimeoutMs } : {}),
  };
}

/**
 * Creates a pooled HTTP client that resolves `lb://` through the load balancer.
 *
 * @example
 * const http = createHttpClient({ loadBalancer });
 * const { body } = await http.json<Order[]>(`lb://order-service/${userId}/orders`);
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const logger = options.logger ?? createSilentLogger();
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.retries ?? 1;
  const agent = new Agent({
    connect: connectorWithTimeout(options.connectTimeoutMs ?? 2000),
    keepAliveTimeout: 10_000,
  });
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  let closed = false;

  async function decode<T>(
    { response, readTimer }: Exchanged,
    where: string,
    signal: CallSignal,
    budgetMs: number,
  ): Promise<JsonResponse<T>> {
    let read;
    try {
      read = await readBody(response, maxResponseBytes, false, () => readTimer.rearm());
    } catch (error) {
      if (readTimer.hasFired || signal.aborted)
        throw timeoutError(where, readTimer.hasFired ? readTimer.timeoutMs : budgetMs, error);
      throw unavailableError(where, error);
    }
    if (typeof read === 'string') throw decodeError(where, `body over ${maxResponseBytes} bytes`);
    const text = read.toString('utf8');
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw statusError(where, response.statusCode);
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw decodeError(where, 'not JSON', error);
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed as T };
  }

  async function json<T>(url: string, call: CallOptions = {}): Promise<JsonResponse<T>> {
    if (closed) throw HttpErrors.CLOSED({ message: 'HTTP client is closed' });
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidRequestError('the URL is not absolute');
    }
    const out = prepare(parsed, call);
    const budgetMs = call.timeoutMs ?? timeoutMs;
    // One deadline for every attempt: a retry happens within the caller's budget, not after it.
    const deadline = new CallController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException('The call took too long', 'TimeoutError')),
      budgetMs,
    );
    timer.unref();
    const { signal } = deadline;
    try {
      const exchanged = await exchange(
        out,
        {
          dispatcher: agent,
          readTimeoutMs: Math.min(options.readTimeoutMs ?? budgetMs, budgetMs),
          budgetMs,
          retriesOnNextInstance: retries,
          retryOnAllOperations: false,
          loadBalancer: options.loadBalancer,
          logger,
          nameOf: (target) => target.origin,
        },
        signal,
      );
      const where = `${out.method} ${exchanged.target.origin}${parsed.pathname}`;
      try {
        return await decode<T>(exchanged, where, signal, budgetMs);
      } finally {
        exchanged.readTimer.clear();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    json,
    async close() {
      if (closed) return;
      closed = true;
      await agent.close();
    },
  };
}
