import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import {
  instanceIdOf,
  toInstanceStatus,
  type InstanceInfo,
  type InstanceStatus,
} from '../model.js';
import type { EurekaRegistry, RegistryChange } from '../registry-types.js';
import { appsHashCode } from '../internal/hashcode.js';
import { instanceJson } from '../wire/json.js';
import { parseInstance } from '../wire/parse-instance.js';
import type { ReplicationItem, ReplicationItemResponse } from './batch.js';
import type { PeerEndpoint } from './peers.js';
import { Tombstones } from './tombstones.js';

/** The replication header Eureka peers send (and only peers may send). */
export const REPLICATION_HEADER = 'x-netflix-discovery-replication';

/** One HTTP exchange with a peer. */
export interface TransportRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** A peer's answer; the body as text. */
export interface TransportResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one request to a peer; rejects on network errors and timeouts. */
export type ReplicationTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** Options of {@link createPeerReplicator}. */
export interface PeerReplicatorOptions {
  readonly registry: EurekaRegistry;
  /** The other servers (see `resolvePeers`). */
  readonly peers: readonly PeerEndpoint[];
  /** @default fetch-based transport */
  readonly transport?: ReplicationTransport;
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default createSilentLogger() */
  readonly logger?: Logger;
  /** Shared with the batch endpoint so both refuse stale registers. @default new Tombstones(clock, 180000) */
  readonly tombstones?: Tombstones;
  /** Tasks per batch (Eureka: 250). @default 250 */
  readonly maxBatchSize?: number;
  /** Batching delay in ms (Eureka: 500). @default 500 */
  readonly batchDelayMs?: number;
  /** Queued tasks per peer; beyond it the oldest task is dropped with a warn log. @default 10000 */
  readonly maxQueueSize?: number;
  /** First retry delay after a transient failure, doubled per failure. @default 100 */
  readonly retryInitialMs?: number;
  /** Largest retry delay. @default 30000 */
  readonly retryMaxMs?: number;
  /** Timeout of one peer request in ms. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Period of the anti-entropy pass in ms; 0 disables it. @default 30000 */
  readonly antiEntropyIntervalMs?: number;
  /** Instances changed more recently than this are left to the normal replication. @default 2000 */
  readonly antiEntropyGraceMs?: number;
}

/** Replication health of one peer, as the dashboard shows it. */
export interface PeerStatus {
  readonly url: string;
  readonly queued: number;
  readonly dropped: number;
  /** Epoch ms of the last successful batch or sync, 0 if none. */
  readonly lastSuccessMs: number;
  /** Epoch ms of the last failed batch or sync, 0 if none. */
  readonly lastFailureMs: number;
  /** Short reason of the last failure (no URL credentials, no body), or null. */
  readonly lastError: string | null;
  /** False after a failure, true again after the next success. */
  readonly isHealthy: boolean;
  /** Instances registered from this peer by the start-up sync, or null when it did not answer. */
  readonly syncedInstances: number | null;
}

/** Replicates this server's writes to its peers (Netflix `PeerEurekaNodes`). */
export interface PeerReplicator {
  /**
   * Start-up sync: registers every instance of every peer's `GET apps` locally
   * as replication. Resolves with the number registered; never rejects.
   */
  syncFromPeers(): Promise<number>;
  /** One anti-entropy pass: pushes registers for local instances a peer lacks or holds older. */
  antiEntropy(): Promise<void>;
  /** Sends everything queued now and resolves when the queues are empty or failing (tests). */
  flush(): Promise<void>;
  /** Per-peer health. */
  peers(): PeerStatus[];
  /**
   * Unsubscribes, sends what is queued to healthy peers (bounded by the request
   * timeout), then stops timers and drops the rest. Idempotent.
   */
  close(): Promise<void>;
}

/** Default transport: `fetch` with a timeout. */
export const fetchTransport: ReplicationTransport = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  return { status: response.status, body: await response.text() };
};

type Obj = Record<string, unknown>;
const isObject = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : error.name;
    return code === 'Error' ? 'request failed' : code;
  }
  return 'request failed';
}

function registerItem(instance: InstanceInfo): ReplicationItem {
  return {
    appName: instance.app,
    id: instanceIdOf(instance),
    lastDirtyTimestamp: instance.lastDirtyTimestamp,
    overriddenStatus: instance.overriddenStatus,
    status: instance.status,
    action: 'Register',
    instanceInfo: instanceJson(instance),
  };
}

/** Reads `{"applications":{"application":[{"instance":[…]}]}}` leniently (object or array). */
function instancesOf(body: unknown): Obj[] {
  if (!isObject(body) || !isObject(body.applications)) return [];
  const apps = body.applications.application;
  const list = Array.isArray(apps) ? apps : isObject(apps) ? [apps] : [];
  return list.flatMap((app: unknown) => {
    if (!isObject(app)) return [];
    const instances = Array.isArray(app.instance)
      ? app.instance
      : isObject(app.instance)
        ? [app.instance]
        : [];
    return instances.filter(isObject);
  });
}

class PeerNode {
  readonly endpoint: PeerEndpoint;
  queue: ReplicationItem[] = [];
  dropped = 0;
  failures = 0;
  lastSuccessMs = 0;
  lastFailureMs = 0;
  lastError: string | null = null;
  syncedInstances: number | null = null;
  sending: Promise<void> | null = null;
  timer: NodeJS.Timeout | undefined;

  constructor(endpoint: PeerEndpoint) {
    this.endpoint = endpoint;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.endpoint.authorization !== null) headers.authorization = this.endpoint.authorization;
    return headers;
  }
}

/**
 * Creates the replicator: every non-replicated register, renew, cancel,
 * status update and override removal on `registry` becomes one task per
 * peer, sent in batches to `POST {peer}peerreplication/batch/` with
 * `x-netflix-discovery-replication: true`. A heartbeat answered 404 is
 * followed by a Register; a 409 applies the returned instance locally;
 * transient failures (network, timeout, 408, 429, 5xx) are retried with
 * exponential backoff; other statuses drop the batch with a warn log.
 *
 * @example
 * const replicator = createPeerReplicator({ registry, peers: resolvePeers(zones, self).peers });
 * await replicator.syncFromPeers();
 */
export function createPeerReplicator(options: PeerReplicatorOptions): PeerReplicator {
  const { registry } = options;
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'peer-replication' });
  const transport = options.transport ?? fetchTransport;
  const tombstones = options.tombstones ?? new Tombstones(clock, 180_000);
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? 250);
  const batchDelayMs = Math.max(0, options.batchDelayMs ?? 500);
  const maxQueueSize = Math.max(1, options.maxQueueSize ?? 10_000);
  const retryInitialMs = Math.max(1, options.retryInitialMs ?? 100);
  const retryMaxMs = Math.max(retryInitialMs, options.retryMaxMs ?? 30_000);
  const timeoutMs = Math.max(1, options.requestTimeoutMs ?? 5000);
  const antiEntropyIntervalMs = options.antiEntropyIntervalMs ?? 30_000;
  const graceMs = options.antiEntropyGraceMs ?? 2000;
  const nodes = options.peers.map((peer) => new PeerNode(peer));
  let closed = false;
  let closing: Promise<void> | null = null;

  const markFailure = (node: PeerNode, reason: string): void => {
    node.lastFailureMs = clock.now();
    node.lastError = reason;
    node.failures += 1;
    if (node.failures === 1)
      log.warn({ peer: node.endpoint.url, reason }, 'peer replication failing, will retry');
  };

  const markSuccess = (node: PeerNode): void => {
    if (node.failures > 0) log.info({ peer: node.endpoint.url }, 'peer replication recovered');
    node.failures = 0;
    node.lastError = null;
    node.lastSuccessMs = clock.now();
  };

  const trim = (node: PeerNode): void => {
    const excess = node.queue.length - maxQueueSize;
    if (excess <= 0) return;
    node.queue.splice(0, excess);
    node.dropped += excess;
    log.warn(
      { peer: node.endpoint.url, dropped: excess, maxQueueSize },
      'replication queue full, oldest tasks dropped',
    );
  };

  const schedule = (node: PeerNode, delayMs?: number): void => {
    if (closed || node.sending !== null || node.timer !== undefined || node.queue.length === 0)
      return;
    const delay = delayMs ?? (node.queue.length >= maxBatchSize ? 0 : batchDelayMs);
    node.timer = setTimeout(() => {
      node.timer = undefined;
      node.sending = send(node).finally(() => {
        node.sending = null;
        schedule(node, node.failures > 0 ? backoff(node) : undefined);
      });
    }, delay).unref();
  };

  const backoff = (node: PeerNode): number =>
    Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(node.failures - 1, 20));

  const enqueue = (node: PeerNode, item: ReplicationItem): void => {
    if (closed) return;
    node.queue.push(item);
    trim(node);
    schedule(node);
  };

  const handleResponse = (
    node: PeerNode,
    item: ReplicationItem,
    response: ReplicationItemResponse | undefined,
  ): void => {
    const code = response?.statusCode;
    if (code === undefined || code === 200) return;
    const local = registry.getInstance(item.appName, item.id);
    if (code === 404 && (item.action === 'Heartbeat' || item.action === 'StatusUpdate')) {
      // The peer lacks the instance: replicate our copy (Eureka's PeerEurekaNode.heartbeat → register).
      if (local !== null) enqueue(node, registerItem(local));
      return;
    }
    if (code === 409 && item.action === 'Heartbeat' && isObject(response?.responseEntity)) {
      const parsed = parseInstance(response.responseEntity, item.appName, clock.now());
      if (
        parsed.ok &&
        (local === null || parsed.instance.lastDirtyTimestamp > local.lastDirtyTimestamp)
      ) {
        registry.register(parsed.instance, { isReplication: true });
        log.debug({ app: item.appName, instanceId: item.id }, 'instance synced from peer');
      }
      return;
    }
    if (code >= 500) {
      log.warn(
        { peer: node.endpoint.url, action: item.action, app: item.appName, statusCode: code },
        'peer failed a replication task',
      );
    } else {
      log.debug(
        { peer: node.endpoint.url, action: item.action, app: item.appName, statusCode: code },
        'peer refused a replication task',
      );
    }
  };

  const send = async (node: PeerNode): Promise<void> => {
    const batch = node.queue.splice(0, maxBatchSize);
    if (batch.length === 0) return;
    let response: TransportResponse;
    try {
      response = await transport({
        url: `${node.endpoint.url}peerreplication/batch/`,
        method: 'POST',
        headers: node.headers({ 'content-type': 'application/json', [REPLICATION_HEADER]: 'true' }),
        body: JSON.stringify({ replicationList: batch }),
        timeoutMs,
      });
    } catch (error) {
      requeue(node, batch, describe(error));
      return;
    }
    const { status } = response;
    if (status === 408 || status === 429 || status >= 500) {
      requeue(node, batch, `HTTP ${status}`);
      return;
    }
    if (status !== 200) {
      markFailure(node, `HTTP ${status}`);
      node.failures = 0; // not transient: no backoff, the batch is gone
      log.warn(
        { peer: node.endpoint.url, statusCode: status, tasks: batch.length },
        'peer rejected a replication batch, tasks dropped',
      );
      return;
    }
    markSuccess(node);
    let responses: unknown;
    try {
      responses = (JSON.parse(response.body) as Obj).responseList;
    } catch {
      responses = undefined;
    }
    if (!Array.isArray(responses) || responses.length !== batch.length) {
      log.warn({ peer: node.endpoint.url }, 'peer sent an unreadable batch response');
      return;
    }
    if (closed) return;
    batch.forEach((item, index) =>
      handleResponse(node, item, responses[index] as ReplicationItemResponse | undefined),
    );
  };

  const requeue = (node: PeerNode, batch: ReplicationItem[], reason: string): void => {
    markFailure(node, reason);
    if (closed) return;
    node.queue.unshift(...batch);
    trim(node);
  };

  const onChange = (change: RegistryChange): void => {
    if (change.kind === 'cancel')
      tombstones.record(change.app, change.id, change.instance.lastDirtyTimestamp);
    if (change.isReplication || change.kind === 'evict' || nodes.length === 0) return;
    const { instance } = change;
    let item: ReplicationItem;
    switch (change.kind) {
      case 'register':
        item = registerItem(instance);
        break;
      case 'renew':
        item = {
          appName: change.app,
          id: change.id,
          lastDirtyTimestamp: instance.lastDirtyTimestamp,
          overriddenStatus: instance.overriddenStatus,
          status: instance.status,
          action: 'Heartbeat',
        };
        break;
      case 'cancel':
        item = {
          appName: change.app,
          id: change.id,
          lastDirtyTimestamp: instance.lastDirtyTimestamp,
          action: 'Cancel',
        };
        break;
      case 'status-update':
        item = {
          appName: change.app,
          id: change.id,
          lastDirtyTimestamp: instance.lastDirtyTimestamp,
          status: instance.status,
          action: 'StatusUpdate',
        };
        break;
      case 'delete-status-override':
        item = {
          appName: change.app,
          id: change.id,
          lastDirtyTimestamp: instance.lastDirtyTimestamp,
          status: instance.status,
          action: 'DeleteStatusOverride',
        };
        break;
    }
    for (const node of nodes) enqueue(node, item);
  };
  const unsubscribe = registry.subscribe(onChange);

  const fetchApps = async (node: PeerNode): Promise<Obj[]> => {
    const response = await transport({
      url: `${node.endpoint.url}apps/`,
      method: 'GET',
      headers: node.headers(),
      timeoutMs,
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    return instancesOf(JSON.parse(response.body));
  };

  const syncFrom = async (node: PeerNode): Promise<number> => {
    let instances: Obj[];
    try {
      instances = await fetchApps(node);
    } catch (error) {
      const reason = error instanceof SyntaxError ? 'invalid JSON' : describeFetch(error);
      node.lastFailureMs = clock.now();
      node.lastError = reason;
      log.warn({ peer: node.endpoint.url, reason }, 'start-up sync from peer failed');
      return 0;
    }
    let count = 0;
    for (const raw of instances) {
      const parsed = parseInstance(raw, typeof raw.app === 'string' ? raw.app : '', clock.now());
      if (!parsed.ok) continue;
      const { instance } = parsed;
      const id = instanceIdOf(instance);
      if (tombstones.isStale(instance.app, id, instance.lastDirtyTimestamp)) continue;
      if (closed) break;
      registry.register(instance, { isReplication: true });
      count += 1;
    }
    node.syncedInstances = count;
    node.lastSuccessMs = clock.now();
    log.info({ peer: node.endpoint.url, instances: count }, 'start-up sync from peer done');
    return count;
  };

  const describeFetch = (error: unknown): string =>
    error instanceof Error && /^HTTP \d+$/.test(error.message) ? error.message : describe(error);

  const antiEntropyFor = async (node: PeerNode): Promise<void> => {
    // Only when the normal path is idle and healthy: queued tasks may be the very difference.
    if (node.failures > 0 || node.queue.length > 0 || node.sending !== null) return;
    let remote: Obj[];
    try {
      remote = await fetchApps(node);
    } catch (error) {
      log.debug(
        { peer: node.endpoint.url, reason: describeFetch(error) },
        'anti-entropy fetch failed',
      );
      return;
    }
    const local = registry.getApplications();
    const remoteDirty = new Map<string, number>();
    const remoteStatuses: { status: InstanceStatus }[] = [];
    for (const raw of remote) {
      const app = typeof raw.app === 'string' ? raw.app.toUpperCase() : '';
      const id =
        typeof raw.instanceId === 'string' && raw.instanceId !== ''
          ? raw.instanceId
          : typeof raw.hostName === 'string'
            ? raw.hostName
            : '';
      const dirty = Number(raw.lastDirtyTimestamp);
      remoteDirty.set(`${app}\u0000${id}`, Number.isFinite(dirty) ? dirty : 0);
      remoteStatuses.push({ status: toInstanceStatus(raw.status) ?? 'UNKNOWN' });
    }
    const localInstances = local.applications.flatMap((app) => app.instances);
    const sameHash = appsHashCode(remoteStatuses) === local.appsHashCode;
    const now = clock.now();
    let pushed = 0;
    for (const instance of localInstances) {
      const key = `${instance.app}\u0000${instanceIdOf(instance)}`;
      const theirs = remoteDirty.get(key);
      if (theirs !== undefined && theirs >= instance.lastDirtyTimestamp) continue;
      if (now - instance.lastUpdatedTimestamp < graceMs) continue;
      enqueue(node, registerItem(instance));
      pushed += 1;
    }
    if (pushed > 0)
      log.info(
        { peer: node.endpoint.url, pushed, sameHash },
        'anti-entropy pushed instances the peer lacked',
      );
  };

  const flushUntil = async (deadlineMs: number): Promise<void> => {
    while (!closed && Date.now() < deadlineMs) {
      const busy = nodes.filter(
        (node) => (node.queue.length > 0 && node.failures === 0) || node.sending !== null,
      );
      if (busy.length === 0) return;
      for (const node of busy) {
        if (node.sending === null) {
          clearTimeout(node.timer);
          node.timer = undefined;
          schedule(node, 0);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  let antiEntropyRunning: Promise<void> | null = null;
  const replicator: PeerReplicator = {
    async syncFromPeers() {
      const counts = await Promise.all(nodes.map(syncFrom));
      return counts.reduce((sum, count) => sum + count, 0);
    },

    antiEntropy() {
      antiEntropyRunning ??= Promise.all(nodes.map(antiEntropyFor))
        .then(() => undefined)
        .finally(() => {
          antiEntropyRunning = null;
        });
      return antiEntropyRunning;
    },

    async flush() {
      await flushUntil(Date.now() + 10 * timeoutMs);
    },

    peers() {
      return nodes.map((node) => ({
        url: node.endpoint.url,
        queued: node.queue.length,
        dropped: node.dropped,
        lastSuccessMs: node.lastSuccessMs,
        lastFailureMs: node.lastFailureMs,
        lastError: node.lastError,
        isHealthy: node.lastFailureMs <= node.lastSuccessMs,
        syncedInstances: node.syncedInstances,
      }));
    },

    close() {
      closing ??= (async () => {
        unsubscribe();
        clearInterval(antiEntropyTimer);
        // Graceful stop: writes acknowledged to clients still reach healthy peers.
        await flushUntil(Date.now() + timeoutMs);
        closed = true;
        for (const node of nodes) {
          clearTimeout(node.timer);
          node.timer = undefined;
          node.queue = [];
        }
        await Promise.allSettled(nodes.map((node) => node.sending));
        await antiEntropyRunning?.catch(() => undefined);
      })();
      return closing;
    },
  };

  const antiEntropyTimer =
    antiEntropyIntervalMs > 0 && nodes.length > 0
      ? setInterval(() => {
          replicator.antiEntropy().catch((error: unknown) => {
            log.warn({ err: error }, 'anti-entropy pass failed');
          });
        }, antiEntropyIntervalMs).unref()
      : undefined;

  return replicator;
}
