import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, request } from 'undici';
import type { Logger } from '@stratus/core';
import type { ServiceUrl } from './service-url.js';

/** A response from one registry server. */
export interface TransportResponse {
  readonly status: number;
  readonly body: string;
  /** Base URL of the server that answered (credentials removed). */
  readonly server: string;
}

/** Options of one call. */
export interface TransportCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Relative to the service URL, e.g. `apps/MYAPP`. */
  path: string;
  json?: unknown;
}

export interface Transport {
  /** Tries each server in order; moves on after a network error, timeout or 5xx. `null` when all failed. */
  send(call: TransportCall): Promise<TransportResponse | null>;
  close(): Promise<void>;
}

class ResponseTooLarge extends Error {}

export function createTransport(
  servers: readonly ServiceUrl[],
  options: { requestTimeoutMs: number; maxResponseBytes: number; logger: Logger },
): Transport {
  const { requestTimeoutMs, maxResponseBytes, logger } = options;
  // Registry traffic is the client's own background work, whoever triggers it: a lookup that
  // refreshes the registry inside a request must not put its fetch into that request's trace
  // (or its timers' context). Calls run in the context the transport was created in.
  const detached = AsyncLocalStorage.snapshot();
  const agent = new Agent({
    connect: { timeout: requestTimeoutMs },
    headersTimeout: requestTimeoutMs,
    bodyTimeout: requestTimeoutMs,
    keepAliveTimeout: 4_000,
  });

  const attempt = async (server: ServiceUrl, call: TransportCall): Promise<TransportResponse> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (server.authorization !== null) headers.authorization = server.authorization.reveal();
    let body: string | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    }
    const response = await request(`${server.base}${call.path}`, {
      dispatcher: agent,
      method: call.method,
      headers,
      body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLarge();
      }
      chunks.push(chunk as Buffer);
    }
    return {
      status: response.statusCode,
      body: Buffer.concat(chunks).toString('utf8'),
      server: server.base,
    };
  };

  const sendToFirstAnswering = async (call: TransportCall): Promise<TransportResponse | null> => {
    for (const server of servers) {
      try {
        const response = await attempt(server, call);
        if (response.status < 500) return response;
        logger.warn(
          { server: server.base, method: call.method, status: response.status },
          'registry server error, trying next',
        );
      } catch (error) {
        const reason =
          error instanceof ResponseTooLarge
            ? 'response too large'
            : ((error as { code?: string }).code ?? 'error');
        logger.warn(
          { server: server.base, method: call.method, reason },
          'registry server unreachable, trying next',
        );
      }
    }
    return null;
  };

  return {
    send: (call) => detached(() => sendToFirstAnswering(call)),
    async close() {
      await agent.close();
    },
  };
}
