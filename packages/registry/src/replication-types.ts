/** One replication peer: its service URL without credentials, and the Basic header if it had some. */
export interface PeerEndpoint {
  /** `http://host:port/eureka/` (always ends with `/`, no `user:pw@`). */
  readonly url: string;
  /** `Basic …` built from the URL's `user:pw@`, or `null`. Never logged. */
  readonly authorization: string | null;
  /** Lower-case host name or IP as written in the URL (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** The `user` part of the URL, or `null`; safe to show. */
  readonly username: string | null;
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
  /** Short reason of the last failure (`HTTP 503`, `ECONNREFUSED`; no URL credentials, no body), or null. */
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
