import { isRecord, type Logger } from '@stratus/core';
import { RegistryErrors } from '../../errors.js';
import type { EurekaRegistry } from '../../registry-types.js';
import { failureReason, isRetryable } from './peer-client.js';
import type { PeerNode } from './peer-node.js';
import type { PeerInstanceReader } from './peer-instance.js';
import {
  registerItem,
  type ReplicationItem,
  type ReplicationItemResponse,
} from './replication-item.js';

/** What {@link sendBatch} works with. */
export interface BatchSenderContext {
  readonly registry: EurekaRegistry;
  readonly log: Logger;
  readonly readPeerInstance: PeerInstanceReader;
  readonly maxBatchSize: () => number;
  readonly isClosed: () => boolean;
}

/**
 * Eureka's `ReplicationTaskProcessor` for one batch: transient failures (network, timeout,
 * 408, 429, 5xx) put the batch back for a retry with backoff; other statuses drop it with a
 * warn log; per-item answers are acted on (a heartbeat's 404 sends a Register, its 409 syncs).
 */
export async function sendBatch(node: PeerNode, context: BatchSenderContext): Promise<void> {
  const batch = node.queue.take(context.maxBatchSize());
  if (batch.length === 0) return;
  let responses: ReplicationItemResponse[] | null;
  try {
    responses = await node.client.postBatch(batch);
  } catch (error) {
    if (isRetryable(error)) {
      node.markFailure(failureReason(error));
      node.putBack(batch);
      return;
    }
    node.markRejected(failureReason(error));
    const statusCode = RegistryErrors.PEER_REJECTED.is(error) ? error.details.statusCode : null;
    context.log.warn(
      { peer: node.url, statusCode, tasks: batch.length },
      'peer rejected a replication batch, tasks dropped',
    );
    return;
  }
  node.markSuccess();
  if (responses === null) {
    context.log.warn({ peer: node.url }, 'peer sent an unreadable batch response');
    return;
  }
  if (context.isClosed()) return;
  batch.forEach((item, index) => {
    try {
      handleResponse(node, item, responses[index], context);
    } catch (error) {
      context.log.warn(
        { err: error, peer: node.url, action: item.action },
        'replication answer not applied',
      );
    }
  });
}

function handleResponse(
  node: PeerNode,
  item: ReplicationItem,
  response: ReplicationItemResponse | undefined,
  { registry, log, readPeerInstance }: BatchSenderContext,
): void {
  const code = response?.statusCode;
  if (code === undefined || code === 200) return;
  const local = registry.getInstance(item.appName, item.id);
  if (code === 404 && (item.action === 'Heartbeat' || item.action === 'StatusUpdate')) {
    // The peer lacks the instance: replicate our copy (Eureka's PeerEurekaNode.heartbeat → register).
    if (local !== null) node.enqueue(registerItem(local));
    return;
  }
  if (code === 409 && item.action === 'Heartbeat' && isRecord(response?.responseEntity)) {
    const parsed = readPeerInstance(response.responseEntity, item.appName);
    if (
      parsed !== null &&
      (local === null || parsed.lastDirtyTimestamp > local.lastDirtyTimestamp)
    ) {
      registry.register(parsed, { isReplication: true });
      log.debug({ app: item.appName, instanceId: item.id }, 'instance synced from peer');
    }
    return;
  }
  const fields = { peer: node.url, action: item.action, app: item.appName, statusCode: code };
  if (code >= 500) log.warn(fields, 'peer failed a replication task');
  else log.debug(fields, 'peer refused a replication task');
}
