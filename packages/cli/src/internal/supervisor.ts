import type { Clock } from '@stratus/core';
import type { ProcessState, ProcessStatus, StackProcess } from '../stack.js';
import { unknownProcessError } from '../errors.js';
import { ManagedChild } from './child.js';
import { waitHealthy } from './health.js';
import type { LaunchSpec } from './plan.js';
import type { Reaper } from './reaper.js';
import { RestartTracker, type ExitInfo } from './restart-policy.js';
import type { LauncherLog } from './launcher-log.js';

/** Settings of a {@link Supervisor}. */
export interface SupervisorOptions {
  readonly launches: readonly LaunchSpec[];
  readonly log: LauncherLog;
  readonly reaper: Reaper;
  readonly clock: Clock;
  /** Called after every change of a process's state (to publish it). */
  readonly onChange: () => void;
  /** How long a restarted process may take to become healthy. @default 60000 ms */
  readonly restartHealthTimeoutMs?: number;
  /** SIGTERM → SIGKILL budget when stopping a process. @default 12000 ms */
  readonly stopTimeoutMs?: number;
}

/** One instance's place in the stack, across restarts. */
interface Slot {
  readonly launch: LaunchSpec;
  readonly tracker: RestartTracker;
  child: ManagedChild | null;
  handle: StackProcess | null;
  status: ProcessStatus;
  /** The current child's end was asked for (stop, kill, restart): no supervision restart. */
  intentional: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  lastExit: (ExitInfo & { at: string }) | null;
  downSince: number | null;
  startedAt: number | null;
  /** How many times this instance was spawned. */
  launches: number;
}

/**
 * Runs the stack's processes and keeps them running: an unexpected exit is logged at
 * once and restarted by the process's policy with exponential backoff, up to its limit
 * per window, after which it is reported failed and the rest keeps running.
 */
export class Supervisor {
  /** The current incarnation of every instance, by id. */
  readonly handles = new Map<string, StackProcess>();
  readonly #slots = new Map<string, Slot>();
  readonly #options: Required<SupervisorOptions>;
  #supervising = false;
  #stopping: Promise<void> | null = null;

  constructor(options: SupervisorOptions) {
    this.#options = {
      ...options,
      restartHealthTimeoutMs: options.restartHealthTimeoutMs ?? 60_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 12_000,
    };
    for (const launch of options.launches) {
      this.#slots.set(launch.id, {
        launch,
        tracker: new RestartTracker({
          policy: launch.spec.restart,
          maxRestarts: launch.spec.maxRestarts,
          windowMs: launch.spec.restartWindowMs,
          clock: options.clock,
        }),
        child: null,
        handle: null,
        status: 'stopped',
        intentional: false,
        restartTimer: undefined,
        lastExit: null,
        downSince: null,
        startedAt: null,
        launches: 0,
      });
    }
  }

  get isStopping(): boolean {
    return this.#stopping !== null;
  }

  /** From now on unexpected exits are restarted (during start-up they fail the start). */
  supervise(): void {
    this.#supervising = true;
  }

  /** Spawns instance `id` (which must not be running). */
  launch(id: string): ManagedChild {
    const slot = this.#slot(id);
    if (this.#stopping) throw new Error('the stack is stopping');
    const first = slot.launches === 0 && slot.launch.firstStartArgs.length > 0;
    const launch = first ? { ...slot.launch, args: slot.launch.firstStartArgs } : slot.launch;
    slot.launches += 1;
    const child = new ManagedChild(launch, (line) => this.#options.log.child(id, line));
    if (child.pid !== undefined) this.#options.reaper.track(child.pid);
    slot.child = child;
    slot.intentional = false;
    slot.status = 'starting';
    slot.startedAt = this.#options.clock.now();
    slot.handle = this.#handleFor(slot, child);
    this.handles.set(id, slot.handle);
    void child.exited.then((exit) => this.#onExit(slot, child, exit));
    this.#options.onChange();
    return child;
  }

  /** Waits until instance `id`'s current child is healthy. */
  async waitHealthy(id: string, deadline: number, signal?: AbortSignal): Promise<void> {
    const slot = this.#slot(id);
    const child = slot.child!;
    await waitHealthy(child, slot.launch.spec.health, deadline, signal);
    if (slot.child === child && !child.exit) {
      slot.status = 'healthy';
      slot.downSince = null;
      this.#options.onChange();
    }
  }

  lastLines(id: string): string[] {
    return this.#slot(id).child?.lastLines() ?? [];
  }

  /** Stops instance `id` (if running) and starts it again; resolves once it is healthy. */
  async restart(id: string, timeoutMs = 60_000): Promise<StackProcess> {
    const slot = this.#slot(id);
    clearTimeout(slot.restartTimer);
    if (slot.child && !slot.child.exit) {
      slot.intentional = true;
      await slot.child.stop(this.#options.stopTimeoutMs);
    }
    this.launch(id);
    await this.waitHealthy(id, Date.now() + timeoutMs);
    return slot.handle!;
  }

  status(): ProcessState[] {
    return [...this.#slots.values()].map((slot) => ({
      id: slot.launch.id,
      name: slot.launch.spec.name,
      instance: slot.launch.instance,
      pid: slot.child && !slot.child.exit ? (slot.child.pid ?? null) : null,
      port: slot.child?.port ?? null,
      status: slot.status,
      restarts: slot.tracker.total,
      lastExit: slot.lastExit,
      startedAt: slot.startedAt === null ? null : new Date(slot.startedAt).toISOString(),
    }));
  }

  /**
   * Stops everything, each process only after the processes that depend on it
   * (services and the gateway before the config server and the registry, so they can
   * deregister). Idempotent.
   */
  stopAll(): Promise<void> {
    this.#stopping ??= this.#stopInOrder();
    return this.#stopping;
  }

  async #stopInOrder(): Promise<void> {
    for (const slot of this.#slots.values()) clearTimeout(slot.restartTimer);
    const slots = [...this.#slots.values()];
    const done = new Map<string, Promise<void>>();
    const stopName = (name: string): Promise<void> => {
      let promise = done.get(name);
      if (promise) return promise;
      const dependents = slots.filter((s) => s.launch.spec.dependsOn.includes(name));
      const own = slots.filter((s) => s.launch.spec.name === name);
      promise = Promise.all(dependents.map((s) => stopName(s.launch.spec.name))).then(() =>
        Promise.all(own.map((s) => this.#stopSlot(s))).then(() => undefined),
      );
      done.set(name, promise);
      return promise;
    };
    await Promise.all(slots.map((s) => stopName(s.launch.spec.name)));
  }

  async #stopSlot(slot: Slot): Promise<void> {
    const child = slot.child;
    slot.intentional = true;
    if (child && !child.exit) await child.stop(this.#options.stopTimeoutMs);
    slot.status = 'stopped';
    this.#options.onChange();
  }

  #onExit(slot: Slot, child: ManagedChild, exit: ExitInfo): void {
    if (child.pid !== undefined) this.#options.reaper.untrack(child.pid);
    if (slot.child !== child) return;
    const now = this.#options.clock.now();
    slot.lastExit = { ...exit, at: new Date(now).toISOString() };
    if (slot.intentional || this.#stopping) {
      slot.status = 'stopped';
      this.#options.onChange();
      return;
    }
    slot.downSince = now;
    const id = slot.launch.id;
    const fields = { process: id, pid: child.pid, code: exit.code, signal: exit.signal };
    this.#options.log.write('warn', 'process exited', fields);
    if (!this.#supervising) {
      slot.status = 'exited';
      this.#options.onChange();
      return;
    }
    const decision = slot.tracker.decide(exit);
    if (decision.action === 'restart') {
      slot.status = 'restarting';
      this.#options.log.write('info', 'restarting process', {
        process: id,
        attempt: decision.attempt,
        delayMs: decision.delayMs,
      });
      slot.restartTimer = setTimeout(() => void this.#relaunch(slot), decision.delayMs);
      slot.restartTimer.unref();
    } else if (decision.action === 'give-up') {
      slot.status = 'failed';
      this.#options.log.write('error', 'process failed', {
        process: id,
        restarts: decision.restartsInWindow,
        windowSeconds: slot.launch.spec.restartWindowMs / 1000,
      });
      this.#options.log.lastLines(id, child.lastLines());
    } else {
      slot.status = 'exited';
      this.#options.log.write('info', 'process stays down', {
        process: id,
        restart: slot.launch.spec.restart,
      });
    }
    this.#options.onChange();
  }

  async #relaunch(slot: Slot): Promise<void> {
    if (this.#stopping || slot.intentional) return;
    const id = slot.launch.id;
    const downSince = slot.downSince;
    let child: ManagedChild;
    try {
      child = this.launch(id);
    } catch {
      return;
    }
    try {
      await this.waitHealthy(id, Date.now() + this.#options.restartHealthTimeoutMs);
      this.#options.log.write('info', 'process healthy again', {
        process: id,
        pid: child.pid,
        port: child.port,
        restarts: slot.tracker.total,
        downMs: downSince === null ? null : this.#options.clock.now() - downSince,
      });
    } catch (error) {
      if (child.exit || slot.child !== child || this.#stopping) return;
      // Never healthy: report it with its last lines, then let the exit count as a failure.
      this.#options.log.write('error', 'process did not become healthy', {
        process: id,
        reason: (error as Error).message,
      });
      this.#options.log.lastLines(id, child.lastLines());
      child.signal('SIGKILL');
    }
  }

  #handleFor(slot: Slot, child: ManagedChild): StackProcess {
    const stop = async (timeoutMs: number, kill: boolean) => {
      if (slot.child === child) {
        slot.intentional = true;
        clearTimeout(slot.restartTimer);
      }
      await (kill ? child.kill() : child.stop(timeoutMs));
    };
    return {
      id: slot.launch.id,
      name: slot.launch.spec.name,
      instance: slot.launch.instance,
      child: child.process,
      get port() {
        return child.port;
      },
      get restarts() {
        return slot.tracker.total;
      },
      stop: (timeoutMs = this.#options.stopTimeoutMs) => stop(timeoutMs, false),
      kill: () => stop(0, true),
    };
  }

  #slot(id: string): Slot {
    const slot = this.#slots.get(id);
    if (!slot) throw unknownProcessError(id, [...this.#slots.keys()]);
    return slot;
  }
}
