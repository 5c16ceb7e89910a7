import type { Clock, Logger } from '@stratus/core';
import {
  appsHashCode,
  instanceIdOf,
  instanceIdOfRaw,
  toInstanceStatus,
  type JsonObject,
} from '@stratus/discovery';
import type { EurekaRegistry } from '../../registry-types.js';
import { failureReason } from './peer-client.js';
import type { PeerInstanceReader } from './peer-instance.js';
import type { PeerNode } from './peer-node.js';
import { registerItem } from './replication-item.js';
import type { Tombstones } from './tombstones.js';

/** What the start-up sync and the anti-entropy pass work with. */
export interface PeerSyncContext {
  readonly registry: EurekaRegistry;
  readonly tombstones: Tombstones;
  readonly readPeerInstance: PeerInstanceReader;
  readonly clock: Clock;
  readonly log: Logger;
  readonly antiEntropyGraceMs: () => number;
  readonly isClosed: () => boolean;
}

const appOf = (raw: JsonObject): string => (typeof raw.app === 'string' ? raw.app : '');

/**
 * Eureka's `syncUp` from one peer: registers every instance of its `GET apps` locally as
 * replication, except those a recorded cancel makes stale. Resolves with the number
 * registered; never rejects.
 */
export async function syncFromPeer(node: PeerNode, context: PeerSyncContext): Promise<number> {
  const { registry, tombstones, log } = context;
  let instances: readonly JsonObject[];
  try {
    instances = await node.client.fetchApps();
  } catch (error) {
    const reason = failureReason(error);
    node.markSyncFailure(reason);
    log.warn({ peer: node.url, reason }, 'start-up sync from peer failed');
    return 0;
  }
  let count = 0;
  for (const raw of instances) {
    const instance = context.readPeerInstance(raw, appOf(raw));
    if (instance === null) continue;
    if (tombstones.isStale(instance.app, instanceIdOf(instance), instance.lastDirtyTimestamp))
      continue;
    if (context.isClosed()) break;
    registry.register(instance, { isReplication: true });
    count += 1;
  }
  node.syncedInstances = count;
  node.markSyncSuccess();
  log.info({ peer: node.url, instances: count }, 'start-up sync from peer done');
  return count;
}

/**
 * One anti-entropy pass against one peer: queues a Register for every local instance the peer
 * lacks or holds with an older `lastDirtyTimestamp`. Runs only while normal replication to it
 * is idle and healthy, since queued tasks may be the very difference.
 */
export async function antiEntropyFor(node: PeerNode, context: PeerSyncContext): Promise<void> {
  if (node.isFailing || node.queue.length > 0 || node.sending !== null) return;
  let remote: readonly JsonObject[];
  try {
    remote = await node.client.fetchApps();
  } catch (error) {
    context.log.debug(
      { peer: node.url, reason: failureReason(error) },
      'anti-entropy fetch failed',
    );
    return;
  }
  const remoteDirty = new Map<string, number>();
  for (const raw of remote) {
    const dirty = Number(raw.lastDirtyTimestamp);
    const key = `${appOf(raw).toUpperCase()}\u0000${instanceIdOfRaw(raw)}`;
    remoteDirty.set(key, Number.isFinite(dirty) ? dirty : 0);
  }
  const local = context.registry.getApplications();
  const remoteStatuses = remote.map((raw) => ({
    status: toInstanceStatus(raw.status) ?? 'UNKNOWN',
  }));
  const sameHash = appsHashCode(remoteStatuses) === local.appsHashCode;
  const now = context.clock.now();
  let pushed = 0;
  for (const instance of local.applications.flatMap((app) => app.instances)) {
    const theirs = remoteDirty.get(`${instance.app}\u0000${instanceIdOf(instance)}`);
    if (theirs !== undefined && theirs >= instance.lastDirtyTimestamp) continue;
    if (now - instance.lastUpdatedTimestamp < context.antiEntropyGraceMs()) continue;
    node.enqueue(registerItem(instance));
    pushed += 1;
  }
  if (pushed > 0)
    context.log.info(
      { peer: node.url, pushed, sameHash },
      'anti-entropy pushed instances the peer lacked',
    );
}
