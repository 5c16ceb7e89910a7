/** Something to run in its lane's order. */
export interface LaneTask {
  /** Tasks with the same lane run one at a time, in push order. */
  readonly lane: string;
  run(): Promise<void>;
}

/** Options of {@link Dispatcher}. */
export interface DispatcherOptions {
  /** Tasks running at once, over all lanes. */
  concurrency: number;
  /** Tasks held (running or waiting) before `push()` waits for room. */
  maxPending: number;
}

/**
 * Runs tasks with bounded concurrency while keeping per-lane order: a lane (a message key within
 * a partition) has at most one task running, and its tasks run in push order. Among the tasks
 * free to start, the oldest starts first, so with a concurrency of 1 everything runs in push
 * order. `push()` resolves once the task is accepted, which applies backpressure to the reader.
 */
export class Dispatcher<Task extends LaneTask> {
  readonly #concurrency: number;
  readonly #maxPending: number;
  /** Tasks not started yet, in push order. */
  #waiting: Task[] = [];
  readonly #runningLanes = new Set<string>();
  #pending = 0;
  readonly #roomWaiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];

  constructor(options: DispatcherOptions) {
    this.#concurrency = Math.max(1, Math.trunc(options.concurrency));
    this.#maxPending = Math.max(this.#concurrency, Math.trunc(options.maxPending));
  }

  /** Tasks accepted and not finished. */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Accepts a task; waits while `maxPending` tasks are held (first come, first served). */
  async push(task: Task): Promise<void> {
    if (this.#pending < this.#maxPending) this.#pending += 1;
    // A freed slot is handed straight to the oldest waiter, which then owns it.
    else await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
    this.#waiting.push(task);
    this.#pump();
  }

  /** Drops waiting (not running) tasks the predicate selects, e.g. of a revoked partition. */
  discard(predicate: (task: Task) => boolean): Task[] {
    const dropped = this.#waiting.filter(predicate);
    if (dropped.length === 0) return dropped;
    this.#waiting = this.#waiting.filter((task) => !dropped.includes(task));
    this.#release(dropped.length);
    return dropped;
  }

  /** Resolves once every accepted task has finished. */
  async idle(): Promise<void> {
    while (this.#pending > 0) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  #pump(): void {
    if (this.#runningLanes.size >= this.#concurrency || this.#waiting.length === 0) return;
    const blocked = new Set<string>();
    const kept: Task[] = [];
    for (const task of this.#waiting) {
      const isFree =
        this.#runningLanes.size < this.#concurrency &&
        !this.#runningLanes.has(task.lane) &&
        !blocked.has(task.lane);
      if (isFree) {
        this.#runningLanes.add(task.lane);
        void this.#runTask(task);
      } else {
        blocked.add(task.lane);
        kept.push(task);
      }
    }
    this.#waiting = kept;
  }

  async #runTask(task: Task): Promise<void> {
    try {
      await task.run();
    } catch {
      // Tasks report their own failures; the lane must go on regardless.
    }
    this.#runningLanes.delete(task.lane);
    this.#release(1);
    this.#pump();
  }

  #release(count: number): void {
    for (let i = 0; i < count; i += 1) {
      const next = this.#roomWaiters.shift();
      if (next) next();
      else this.#pending -= 1;
    }
    if (this.#pending === 0) {
      const idle = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of idle) resolve();
    }
  }
}
