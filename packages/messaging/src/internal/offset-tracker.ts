/** One tracked message of a partition. */
export interface TrackedOffset<Handle> {
  readonly partition: string;
  readonly offset: bigint;
  readonly handle: Handle;
  isDone: boolean;
}

/**
 * Tracks messages of each partition from arrival to completion so that the committed position
 * only ever covers a contiguous run of finished messages: with several handler calls in flight,
 * offset 7 finishing before offset 5 commits nothing until 5 (and 6) finish too. This is the
 * at-least-once rule of Kafka consumers that process out of order (Confluent's parallel consumer
 * keeps the same invariant).
 */
export class OffsetTracker<Handle> {
  readonly #queues = new Map<string, TrackedOffset<Handle>[]>();
  readonly #highest = new Map<string, bigint>();

  /**
   * Registers a message in arrival order; returns null for an offset at or below one already
   * tracked (a refetch after a rebalance), which the caller skips.
   */
  track(partition: string, offset: bigint, handle: Handle): TrackedOffset<Handle> | null {
    const highest = this.#highest.get(partition);
    if (highest !== undefined && offset <= highest) return null;
    this.#highest.set(partition, offset);
    const entry: TrackedOffset<Handle> = { partition, offset, handle, isDone: false };
    let queue = this.#queues.get(partition);
    if (!queue) this.#queues.set(partition, (queue = []));
    queue.push(entry);
    return entry;
  }

  /**
   * Marks a message finished. Returns the last message of the contiguous finished run now at
   * the head of its partition (commit `offset + 1` through its handle), or null when the head
   * did not move.
   */
  complete(entry: TrackedOffset<Handle>): TrackedOffset<Handle> | null {
    entry.isDone = true;
    const queue = this.#queues.get(entry.partition);
    if (!queue) return null;
    let last: TrackedOffset<Handle> | null = null;
    let count = 0;
    while (count < queue.length && queue[count]!.isDone) {
      last = queue[count]!;
      count += 1;
    }
    if (count > 0) queue.splice(0, count);
    return last;
  }

  /** Forgets a partition (revoked in a rebalance): nothing of it is committed any more. */
  forget(partition: string): void {
    this.#queues.delete(partition);
    this.#highest.delete(partition);
  }

  /** Whether `entry` still belongs to a partition this tracker follows. */
  isTracked(entry: TrackedOffset<Handle>): boolean {
    return this.#queues.get(entry.partition)?.includes(entry) ?? false;
  }

  /** Messages tracked and not yet finished, over every partition. */
  get pendingCount(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.filter((e) => !e.isDone).length;
    return count;
  }
}
