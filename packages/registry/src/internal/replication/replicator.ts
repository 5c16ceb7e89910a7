import { createSilentLogger, systemClock, type Clock, type Logger } from '@stratus/core';
import { REGISTRY_DEFAULTS } from '../../defaults.js';
import type { EurekaRegistry, RegistryChange } from '../../registry-types.js';
import type { PeerEndpoint, PeerReplicator } from '../../replication-types.js';
import { sendBatch } from './batch-sender.js';
import { PeerClient } from './peer-client.js';
import { createPeerInstanceReader } from './peer-instance.js';
import { PeerNode } from './peer-node.js';
import { AntiEntropyRunner } from './anti-entropy-runner.js';
import { antiEntropyFor, syncFromPeer, type PeerSyncContext } from './peer-sync.js';
import { itemOf } from './replication-item.js';
import { resolveReplicationSettings, type ReplicationSettings } from './replication-settings.js';
import { Tombstones } from './tombstones.js';
import { fetchTransport, type ReplicationTransport } from './transport.js';

/** Options of {@link createPeerReplicator}. */
export interface PeerReplicatorOptions extends Partial<ReplicationSettings> {
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
}

/** A replicator whose tuning a configuration refresh may change. */
export interface LivePeerReplicator extends PeerReplicator {
  /** Applies new tuning at once; unset fields keep their value. */
  reconfigure(update: Partial<ReplicationSettings>): void;
}

/**
 * Creates the replicator: every non-replicated register, renew, cancel, status update and
 * override removal on `registry` becomes one task per peer, sent in batches to
 * `POST {peer}peerreplication/batch/` with `x-netflix-discovery-replication: true`
 * (spring-wire §1.12). A heartbeat answered 404 is followed by a Register; a 409 applies the
 * returned instance locally; transient failures are retried with exponential backoff.
 *
 * @example
 * const replicator = createPeerReplicator({ registry, peers: resolvePeers(zones, self).peers });
 * await replicator.syncFromPeers();
 */
export function createPeerReplicator(options: PeerReplicatorOptions): LivePeerReplicator {
  const { registry } = options;
  let settings = resolveReplicationSettings(options);
  const clock = options.clock ?? systemClock;
  const log = (options.logger ?? createSilentLogger()).child({ component: 'peer-replication' });
  const transport = options.transport ?? fetchTransport;
  const tombstones =
    options.tombstones ?? new Tombstones(clock, REGISTRY_DEFAULTS.deltaRetentionMs);
  const readPeerInstance = createPeerInstanceReader(clock);
  let closed = false;
  const isClosed = () => closed;
  const senderContext = {
    registry,
    log,
    readPeerInstance,
    maxBatchSize: () => settings.maxBatchSize,
    isClosed,
  };
  const nodes = options.peers.map(
    (peer) =>
      new PeerNode(new PeerClient(peer, transport, () => settings.requestTimeoutMs), {
        settings: () => settings,
        clock,
        log,
        send: (node) => sendBatch(node, senderContext),
        isClosed,
      }),
  );
  const syncContext: PeerSyncContext = {
    registry,
    tombstones,
    readPeerInstance,
    clock,
    log,
    antiEntropyGraceMs: () => settings.antiEntropyGraceMs,
    isClosed,
  };

  const onChange = (change: RegistryChange): void => {
    if (change.kind === 'cancel')
      tombstones.record(change.app, change.id, change.instance.lastDirtyTimestamp);
    if (change.isReplication || nodes.length === 0) return;
    const item = itemOf(change);
    if (item !== null) for (const node of nodes) node.enqueue(item);
  };
  const unsubscribe = registry.subscribe(onChange);

  const flushUntil = async (deadlineMs: number): Promise<void> => {
    while (!closed && Date.now() < deadlineMs) {
      const busy = nodes.filter(
        (node) => (node.queue.length > 0 && !node.isFailing) || node.sending !== null,
      );
      if (busy.length === 0) return;
      for (const node of busy) node.sendNow();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const antiEntropy = new AntiEntropyRunner(
    () => Promise.all(nodes.map((node) => antiEntropyFor(node, syncContext))).then(() => undefined),
    log,
  );
  const scheduleAntiEntropy = () =>
    antiEntropy.schedule(nodes.length > 0 && !closed ? settings.antiEntropyIntervalMs : 0);
  scheduleAntiEntropy();
  let closing: Promise<void> | null = null;

  return {
    async syncFromPeers() {
      const counts = await Promise.all(nodes.map((node) => syncFromPeer(node, syncContext)));
      return counts.reduce((sum, count) => sum + count, 0);
    },
    antiEntropy: () => antiEntropy.run(),
    flush: () => flushUntil(Date.now() + 10 * settings.requestTimeoutMs),
    peers: () => nodes.map((node) => node.status()),
    reconfigure(update) {
      const previous = settings;
      settings = resolveReplicationSettings({ ...settings, ...update });
      if (settings.antiEntropyIntervalMs !== previous.antiEntropyIntervalMs) scheduleAntiEntropy();
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        antiEntropy.stop();
        // Graceful stop: writes acknowledged to clients still reach healthy peers.
        await flushUntil(Date.now() + settings.requestTimeoutMs);
        closed = true;
        for (const node of nodes) node.stop();
        await Promise.allSettled(nodes.map((node) => node.sending));
        await antiEntropy.running?.catch(() => undefined);
      })();
      return closing;
    },
  };
}
