import { isStratusError, type StratusError } from '@stratus/core';
import { readApplicationsDocument, type JsonObject } from '@stratus/discovery';
import { RegistryErrors } from '../../errors.js';
import type { PeerEndpoint } from '../../replication-types.js';
import {
  REPLICATION_HEADER,
  type ReplicationItem,
  type ReplicationItemResponse,
} from './replication-item.js';
import type { ReplicationTransport, TransportResponse } from './transport.js';

/** Statuses after which Eureka's `ReplicationTaskProcessor` retries (congestion, server errors). */
const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500;

/** The error code of a network failure (`ECONNREFUSED`, `TimeoutError`), never its message. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : error.name;
  return code === 'Error' ? 'request failed' : code;
}

function statusError(status: number): StratusError {
  const factory = isTransientStatus(status)
    ? RegistryErrors.PEER_FAILED
    : RegistryErrors.PEER_REJECTED;
  return factory({ message: `Peer answered HTTP ${status}`, details: { statusCode: status } });
}

/**
 * A short, safe reason for a failed peer request (`HTTP 503`, `ECONNREFUSED`, `invalid JSON`),
 * read from the typed error: no URL, credentials or body.
 */
export function failureReason(error: unknown): string {
  if (RegistryErrors.PEER_FAILED.is(error) || RegistryErrors.PEER_REJECTED.is(error))
    return `HTTP ${String(error.details.statusCode)}`;
  if (RegistryErrors.PEER_UNREACHABLE.is(error)) return String(error.details.reason);
  if (RegistryErrors.PEER_BAD_RESPONSE.is(error)) return 'invalid JSON';
  return networkReason(error);
}

/** True when a failed peer request is worth retrying (network, 408, 429, 5xx). */
export function isRetryable(error: unknown): boolean {
  return isStratusError(error) && error.retryable;
}

/** The HTTP calls to one peer, with failures as typed errors (`REG_ERR_PEER_*`). */
export class PeerClient {
  readonly endpoint: PeerEndpoint;
  readonly #transport: ReplicationTransport;
  readonly #timeoutMs: () => number;

  constructor(endpoint: PeerEndpoint, transport: ReplicationTransport, timeoutMs: () => number) {
    this.endpoint = endpoint;
    this.#transport = transport;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * `POST {peer}peerreplication/batch/` with the replication header. Resolves with one response
   * per item, or null when a 200 carried a body that is not such a list.
   * @throws StratusError `REG_ERR_PEER_UNREACHABLE`, `REG_ERR_PEER_FAILED` (retry) or
   *   `REG_ERR_PEER_REJECTED` (`details.statusCode`).
   */
  async postBatch(items: readonly ReplicationItem[]): Promise<ReplicationItemResponse[] | null> {
    const response = await this.#send(
      'POST',
      'peerreplication/batch/',
      {
        'content-type': 'application/json',
        [REPLICATION_HEADER]: 'true',
      },
      JSON.stringify({ replicationList: items }),
    );
    if (response.status !== 200) throw statusError(response.status);
    let responses: unknown;
    try {
      responses = (JSON.parse(response.body) as { responseList?: unknown }).responseList;
    } catch {
      return null;
    }
    return Array.isArray(responses) && responses.length === items.length
      ? (responses as ReplicationItemResponse[])
      : null;
  }

  /**
   * `GET {peer}apps/`: every instance object of the peer's registry, unvalidated.
   * @throws StratusError `REG_ERR_PEER_UNREACHABLE`, `REG_ERR_PEER_FAILED`,
   *   `REG_ERR_PEER_REJECTED` or `REG_ERR_PEER_BAD_RESPONSE` (not JSON).
   */
  async fetchApps(): Promise<readonly JsonObject[]> {
    const response = await this.#send('GET', 'apps/', {});
    if (response.status !== 200) throw statusError(response.status);
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      throw RegistryErrors.PEER_BAD_RESPONSE({ cause: error });
    }
    return readApplicationsDocument(body)?.instances ?? [];
  }

  async #send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<TransportResponse> {
    const { url, authorization } = this.endpoint;
    const all: Record<string, string> = { accept: 'application/json', ...headers };
    if (authorization !== null) all.authorization = authorization;
    try {
      return await this.#transport({
        url: `${url}${path}`,
        method,
        headers: all,
        ...(body === undefined ? {} : { body }),
        timeoutMs: this.#timeoutMs(),
      });
    } catch (error) {
      throw RegistryErrors.PEER_UNREACHABLE({
        cause: error,
        details: { reason: networkReason(error) },
      });
    }
  }
}
