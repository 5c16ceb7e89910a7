import { once } from 'node:events';
import {
  Consumer,
  type ConsumerGroupJoinPayload,
  type GroupAssignment,
  type Message as KafkaRecord,
  type MessagesStream,
} from '@platformatic/kafka';
import type { LagSample } from '../metrics.js';
import { createMessage } from '../internal/message.js';
import { OffsetTracker, type TrackedOffset } from '../internal/offset-tracker.js';
import type { SubscriptionCore } from '../internal/subscription-core.js';
import { baseClientOptions, forceClose } from './kafka-clients.js';
import { fromKafkaHeaders } from './kafka-headers.js';
import type { ResolvedKafkaOptions } from './kafka-options.js';

type Commit = () => void | Promise<void>;

/** How long `open()` waits for the start offsets of the first assignment, in ms. */
const OFFSETS_WAIT_MS = 10_000;

function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

function assigned(assignments: readonly GroupAssignment[] | null | undefined): Set<string> {
  const keys = new Set<string>();
  for (const { topic, partitions } of assignments ?? []) {
    for (const partition of partitions) keys.add(partitionKey(topic, partition));
  }
  return keys;
}

/**
 * One consumer connection of a subscription: joins the group, reads records in order, hands
 * them to the dispatcher and commits the contiguous run of finished records per partition
 * (coalesced: one commit in flight at a time). Revoked partitions are forgotten, so their
 * records are neither handled twice here nor committed.
 */
export class KafkaSession {
  readonly #core: SubscriptionCore;
  readonly #options: ResolvedKafkaOptions;
  readonly #consumer: Consumer;
  readonly #tracker = new OffsetTracker<Commit>();
  readonly #toCommit = new Map<string, Commit>();
  #assigned = new Set<string>();
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null;
  #committing: Promise<void> | null = null;
  /** A failure the client reported outside the stream (a group it could not rejoin). */
  #clientFailure: unknown = null;

  constructor(core: SubscriptionCore, options: ResolvedKafkaOptions) {
    this.#core = core;
    this.#options = options;
    const group =
      options.groupProtocol === 'consumer'
        ? { groupProtocol: 'consumer' as const, rebalanceTimeout: options.rebalanceTimeoutMs }
        : {
            sessionTimeout: options.sessionTimeoutMs,
            heartbeatInterval: options.heartbeatIntervalMs,
            rebalanceTimeout: options.rebalanceTimeoutMs,
          };
    this.#consumer = new Consumer({
      ...baseClientOptions(options, `${options.clientId}-${core.name}`, 2),
      groupId: core.groupId,
      autocommit: false,
      maxWaitTime: options.maxWaitMs,
      highWaterMark: options.highWaterMark,
      ...group,
    });
    this.#consumer.on('consumer:group:join', (payload) => this.#onJoin(payload));
    // The client emits 'error' when it gives up rejoining the group after a failed heartbeat
    // (a broker restart, a long pause). Unhandled, that event would end the process; here it
    // ends this session, and the subscription reconnects with backoff.
    this.#consumer.on('error', (error: unknown) => {
      this.#clientFailure ??= error;
      this.interrupt();
    });
  }

  /** Joins the group and fixes the start offsets. Rejects when the broker is unreachable. */
  async open(): Promise<void> {
    const { settings } = this.#core;
    const stream = await this.#consumer.consume({
      topics: [...settings.topics],
      mode: 'committed',
      fallbackMode: settings.fromBeginning ? 'earliest' : 'latest',
    });
    this.#stream = stream;
    this.#assigned = assigned(this.#consumer.assignments);
    // The stream lists its start offsets right after creation; wait for them so that a
    // `latest` group is positioned before subscribe() resolves.
    const ac = new AbortController();
    // Not unref'ed: subscribe() awaits this bounded wait.
    const timer = setTimeout(() => ac.abort(), OFFSETS_WAIT_MS);
    await once(stream, 'offsets', { signal: ac.signal }).catch(() => undefined);
    clearTimeout(timer);
  }

  /** Reads until the stream ends or fails; rejects on a connection failure. */
  async consume(): Promise<void> {
    const stream = this.#stream;
    if (!stream) return;
    for await (const record of stream as AsyncIterable<KafkaRecord>) {
      await this.#core.whilePaused();
      if (this.#core.isStopping || this.#clientFailure !== null) break;
      await this.#accept(record);
    }
    if (this.#clientFailure !== null && !this.#core.isStopping) throw this.#clientFailure;
  }

  /** Ends reading (used by `close()` while `consume()` waits for records). */
  interrupt(): void {
    void this.#stream?.close().catch(() => undefined);
  }

  /** Finishes the work in flight, commits what finished, and leaves the group. */
  async dispose(isStopping: boolean): Promise<void> {
    if (isStopping) await this.#core.stopAndDrain();
    else await this.#core.interruptAndDrain();
    await this.#flushCommits();
    await this.#stream?.close().catch(() => undefined);
    await forceClose(this.#consumer);
  }

  /** Lag per assigned partition: the log end minus the group's committed offset. */
  async lag(): Promise<LagSample[]> {
    const lags = await this.#consumer.getLag({ topics: [...this.#core.settings.topics] });
    const samples: LagSample[] = [];
    for (const [topic, partitions] of lags) {
      partitions.forEach((lag, partition) => {
        if (!this.#assigned.has(partitionKey(topic, partition)) || lag < 0n) return;
        samples.push({ topic, partition, group: this.#core.groupId, lag: Number(lag) });
      });
    }
    return samples;
  }

  async #accept(record: KafkaRecord): Promise<void> {
    const key = partitionKey(record.topic, record.partition);
    if (!this.#assigned.has(key)) {
      // The KIP-848 protocol changes assignments without a join event: read them again.
      this.#assigned = assigned(this.#consumer.assignments);
      if (!this.#assigned.has(key)) return;
    }
    const entry = this.#tracker.track(key, record.offset, () => record.commit());
    if (entry === null) return;
    const { headers, id } = fromKafkaHeaders(record.headers);
    const message = createMessage({
      id: id ?? `${record.topic}-${record.partition}-${record.offset}`,
      topic: record.topic,
      key: record.key ? record.key.toString('utf8') : null,
      headers,
      payload: record.value ?? Buffer.alloc(0),
      partition: record.partition,
      offset: record.offset,
      timestamp: Number(record.timestamp),
    });
    await this.#core.submit(message, (outcome) => {
      if (outcome !== 'abandoned') this.#finished(entry);
    });
  }

  #finished(entry: TrackedOffset<Commit>): void {
    const head = this.#tracker.complete(entry);
    if (head === null || !this.#assigned.has(head.partition)) return;
    this.#toCommit.set(head.partition, head.handle);
    this.#committing ??= this.#commitLoop();
  }

  async #commitLoop(): Promise<void> {
    while (this.#toCommit.size > 0) {
      const batch = [...this.#toCommit.values()];
      this.#toCommit.clear();
      for (const commit of batch) {
        try {
          await commit();
        } catch (error) {
          // A rebalance or a lost connection: the records are redelivered, as at-least-once allows.
          this.#core.logger.debug({ err: error }, 'offset commit failed');
        }
      }
    }
    this.#committing = null;
  }

  async #flushCommits(): Promise<void> {
    while (this.#committing) await this.#committing;
  }

  #onJoin(payload: ConsumerGroupJoinPayload): void {
    const next = assigned(payload.assignments ?? this.#consumer.assignments);
    for (const key of this.#assigned) {
      if (next.has(key)) continue;
      this.#tracker.forget(key);
      this.#toCommit.delete(key);
      const prefix = `${key.slice(0, key.lastIndexOf(':'))}\0${key.slice(key.lastIndexOf(':') + 1)}\0`;
      this.#core.dispatcher.discard((task) => task.lane.startsWith(prefix));
    }
    this.#assigned = next;
    this.#core.logger.debug({ assignments: [...next] }, 'partitions assigned');
  }
}
