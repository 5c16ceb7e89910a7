import { Agent, request as undiciRequest, errors as undiciErrors } from 'undici';
import { type Logger, createSilentLogger } from '@stratus/core';
import {
  NoInstanceError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.js';

/** Anything that picks an instance for a service id (`@stratus/discovery`'s balancers). */
export interface InstanceChooser {
  choose(serviceId: string): { uri: string; instanceId?: string } | null;
  /** Told when a connection to the chosen instance failed, so it can be skipped for a while. */
  markFailed?(serviceId: string, instanceId: string): void;
  /** Fetches the registry early; awaited once when a service has no known instance. */
  refresh?(): Promise<void>;
}

/** Options of one call. */
export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Serialised as JSON with `content-type: application/json`. */
  json?: unknown;
  /** @default the client's timeoutMs */
  timeoutMs?: number;
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
   * Calls `url` and decodes a JSON body.
   * @throws NoInstanceError (HTTP_ERR_NO_INSTANCE), UpstreamUnavailableError, UpstreamTimeoutError, UpstreamStatusError
   */
  json<T>(url: string, options?: CallOptions): Promise<JsonResponse<T>>;
  close(): Promise<void>;
}

/** Options of `createHttpClient`. */
export interface HttpClientOptions {
  /** Resolves `lb://SERVICE` URLs. */
  loadBalancer?: InstanceChooser;
  /** @default 5000 ms */
  timeoutMs?: number;
  /** @default 2000 ms */
  connectTimeoutMs?: number;
  /** Idempotent calls (GET, HEAD) are tried once more on another instance when a connection fails. @default 1 */
  retries?: number;
  logger?: Logger;
}

/**
 * Creates a pooled HTTP client that resolves `lb://` through the registry.
 *
 * @example
 * const http = createHttpClient({ loadBalancer });
 * const { body } = await http.json<Order[]>(`lb://order-service/${userId}/orders`);
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const logger = options.logger ?? createSilentLogger();
  const timeoutMs = options.timeoutMs ?? 5000;
  const agent = new Agent({
    connect: { timeout: options.connectTimeoutMs ?? 2000 },
    keepAliveTimeout: 10_000,
  });
  let closed = false;

  function resolve(url: string): {
    target: URL;
    serviceId: string | null;
    instanceId: string | null;
  } {
    const parsed = new URL(url);
    if (parsed.protocol !== 'lb:') return { target: parsed, serviceId: null, instanceId: null };
    const serviceId = parsed.hostname;
    const instance = options.loadBalancer?.choose(serviceId) ?? null;
    if (!instance) throw new NoInstanceError(serviceId);
    const base = new URL(instance.uri);
    return {
      target: new URL(`${parsed.pathname}${parsed.search}`, base),
      serviceId,
      instanceId: instance.instanceId ?? null,
    };
  }

  async function attempt<T>(url: string, call: CallOptions): Promise<JsonResponse<T>> {
    const { target, serviceId, instanceId } = resolve(url);
    const method = (call.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    }
    const budget = call.timeoutMs ?? timeoutMs;
    let response;
    try {
      response = await undiciRequest(target, {
        method: method as 'GET',
        headers,
        body,
        dispatcher: agent,
        headersTimeout: budget,
        bodyTimeout: budget,
        signal: AbortSignal.timeout(budget),
      });
    } catch (error) {
      const timedOut =
        error instanceof undiciErrors.HeadersTimeoutError ||
        error instanceof undiciErrors.BodyTimeoutError ||
        (error as Error).name === 'TimeoutError';
      if (timedOut) throw new UpstreamTimeoutError(target.origin, budget, { cause: error });
      // Only a failed connection marks the instance; a slow one may just be busy.
      if (serviceId !== null && instanceId !== null)
        options.loadBalancer?.markFailed?.(serviceId, instanceId);
      throw new UpstreamUnavailableError(target.origin, { cause: error });
    }
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new UpstreamStatusError(
        `${method} ${target.origin}${target.pathname}`,
        response.statusCode,
      );
    }
    let parsed: unknown = null;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UpstreamStatusError(`${method} ${target.origin}${target.pathname}`, 502);
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed as T };
  }

  return {
    async json<T>(url: string, call: CallOptions = {}) {
      const idempotent = ['GET', 'HEAD', 'OPTIONS'].includes((call.method ?? 'GET').toUpperCase());
      const retries = idempotent ? (options.retries ?? 1) : 0;
      let refreshed = false;
      for (let i = 0; ; i++) {
        try {
          return await attempt<T>(url, call);
        } catch (error) {
          if (error instanceof NoInstanceError && !refreshed && options.loadBalancer?.refresh) {
            // The registry cache may predate the callee's registration: look again once.
            refreshed = true;
            await options.loadBalancer.refresh();
            i--;
            continue;
          }
          if (i >= retries || !(error instanceof UpstreamUnavailableError)) throw error;
          logger.warn(
            { url: url.split('?')[0], attempt: i + 1 },
            'call failed; retrying on another instance',
          );
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await agent.close();
    },
  };
}
