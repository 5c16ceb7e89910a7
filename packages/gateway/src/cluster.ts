import cluster, { type Worker } from 'node:cluster';
import { runApplication } from '@stratus/boot';
import { createLogger, type Logger } from '@stratus/core';
import { createGateway, type GatewayApplication, type GatewayServerOptions } from './server.js';

/** Options of {@link runGateway}: those of `createGateway`, without the worker count. */
export type RunGatewayOptions = Omit<GatewayServerOptions, 'workers'> & {
  /** Environment holding `STRATUS_LAUNCHER_PID` (`stratus up`). @default process.env */
  readonly env?: Record<string, string | undefined>;
};

/**
 * Node options a gateway process starts with (`stratus up` and the cluster's workers pass them;
 * V8 reads them only at start). `--no-memory-reducer`: after a quiet spell V8's memory reducer
 * shrinks the heap's limits to the live size, and a proxy that then takes load again, allocating
 * hundreds of MB/s of short-lived body buffers, stayed clamped there and ran a full mark-compact
 * every ~70 ms (100 KiB responses: 2.7-3.9 k req/s with 70-80 % of a core in V8's marking
 * threads, against 8.9 k at one core without it; bench/gateway, docs/gateway.md). A gateway is a
 * long-running server whose memory the operator bounds, so it keeps its limits instead.
 */
export const GATEWAY_NODE_OPTIONS: readonly string[] = ['--no-memory-reducer'];

/** Messages between the primary and its workers over the cluster's IPC channel. */
const MESSAGE = {
  /** worker → primary: `stratus.gateway.workers` as the worker bound it. */
  count: 'stratus:gateway-workers',
  /** worker → primary: a refresh changed this worker's configuration. */
  refreshed: 'stratus:gateway-refreshed',
  /** primary → worker: refresh as another worker did. */
  refresh: 'stratus:gateway-refresh',
  /** primary → worker: stop gracefully, as on SIGTERM. */
  stop: 'stratus:gateway-stop',
  /** worker → primary (from `runApplication`): listening; relayed to the launcher with its pid. */
  started: 'stratus:started',
  /** primary → launcher: a worker is gone (and is being replaced unless stopping). */
  exited: 'stratus:gateway-worker-exited',
} as const;

const WORKERS_FLAG = /^--stratus\.gateway\.workers=(\d+)$/;
/** Replacement delays after quick deaths double up to this bound, ms. */
const MAX_RESTART_DELAY_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 250;
/** A worker that lived this long resets the restart delay, ms. */
const STABLE_AFTER_MS = 10_000;
/** Longest wait for workers to stop before they are killed: their own budget plus margin, ms. */
const STOP_BUDGET_MS = 15_000;

interface Message {
  readonly type?: unknown;
  readonly count?: unknown;
}

/**
 * Runs `stratus gateway`: one process, or N processes sharing the port (node:cluster), each a
 * complete gateway (`createGateway` under `runApplication`). The count is the
 * `--stratus.gateway.workers=N` flag, else 1 under `stratus up`, else the first worker's
 * `stratus.gateway.workers` (0 or unset: one per core), so it may come from any configuration
 * source. The primary replaces a worker that dies, relays a refresh (`/actuator/refresh` or a
 * bus event) that changed one worker's configuration to every other worker, and stops them
 * all on SIGTERM/SIGINT or when its own launcher is gone.
 *
 * @example
 * await runGateway({ argv: ['--server.port=8000', '--stratus.gateway.workers=2'] });
 */
export async function runGateway(options: RunGatewayOptions = {}): Promise<void> {
  if (cluster.isWorker) {
    await runWorker(options);
    return;
  }
  const argv = [...(options.argv ?? process.argv.slice(2))];
  const count = explicitCount(argv, options.env ?? process.env);
  if (count === 1) {
    await runApplication(() => createGateway({ ...options, argv, workers: 1 }));
    return;
  }
  new Primary(count, options.logger ?? createLogger({ name: 'apigateway-service' })).start();
}

/** `execArgv` plus those of {@link GATEWAY_NODE_OPTIONS} it lacks. */
export function withGatewayOptions(execArgv: readonly string[]): string[] {
  return [...execArgv, ...GATEWAY_NODE_OPTIONS.filter((option) => !execArgv.includes(option))];
}

/** The count fixed before any configuration is read, or null to ask the first worker. */
function explicitCount(argv: readonly string[], env: Record<string, string | undefined>) {
  for (let i = argv.length - 1; i >= 0; i--) {
    const match = WORKERS_FLAG.exec(argv[i] ?? '');
    if (match !== null) return Math.max(Number(match[1]), 0) || null;
  }
  // `stratus up` keeps one process per gateway unless its manifest passes the flag.
  const launcher = Number(env.STRATUS_LAUNCHER_PID);
  return Number.isInteger(launcher) && launcher > 0 ? 1 : null;
}

async function runWorker(options: RunGatewayOptions): Promise<void> {
  let hasSignal = false;
  const onSignal = (): void => {
    hasSignal = true;
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  // Beside runApplication's own handlers, removed with them so a second signal still kills.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let isRelayed = false;
  let app: GatewayApplication | null = null;
  process.on('message', (message: Message) => {
    if (message?.type === MESSAGE.stop && !hasSignal) process.kill(process.pid, 'SIGTERM');
    if (message?.type !== MESSAGE.refresh || app === null) return;
    isRelayed = true;
    void app.config
      .refresh()
      .catch(() => undefined)
      .finally(() => {
        isRelayed = false;
      });
  });
  await runApplication(async () => {
    // runApplication unrefs the channel to its launcher, but a worker's listen() waits on the
    // primary's answer over it: unreferenced, the worker would exit with nothing to do.
    process.channel?.ref();
    const created = await createGateway({ ...options, workers: 0 });
    app = created;
    created.config.onChange(() => {
      if (!isRelayed) process.send?.({ type: MESSAGE.refreshed }, () => undefined);
    });
    process.send?.({ type: MESSAGE.count, count: created.workers }, () => undefined);
    return created;
  });
}

/** The cluster's primary: forks, replaces, relays refreshes, stops. Serves no request itself. */
class Primary {
  #count: number | null;
  readonly #logger: Logger;
  #isStopping = false;
  #hasStarted = false;
  #restartDelayMs = FIRST_RESTART_DELAY_MS;
  readonly #bornAt = new Map<Worker, number>();

  constructor(count: number | null, logger: Logger) {
    this.#count = count;
    this.#logger = logger.child({ component: 'gateway-cluster' });
  }

  start(): void {
    cluster.on('message', (worker, message: Message) => this.#onMessage(worker, message));
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
    const stop = (): void => this.#stop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // Started by a launcher over IPC (`stratus up`, a test): its going away stops the cluster.
    if (typeof process.send === 'function') process.once('disconnect', stop);
    cluster.setupPrimary({ execArgv: withGatewayOptions(process.execArgv) });
    if (this.#count === null) this.#fork();
    else this.#forkUpTo(this.#count);
  }

  #fork(): void {
    const worker = cluster.fork();
    this.#bornAt.set(worker, Date.now());
  }

  #forkUpTo(count: number): void {
    // Later workers bind the same count whatever their configuration says.
    cluster.setupPrimary({
      args: [...process.argv.slice(2), `--stratus.gateway.workers=${count}`],
    });
    for (let i = Object.keys(cluster.workers ?? {}).length; i < count; i++) this.#fork();
  }

  #onMessage(worker: Worker, message: Message): void {
    if (message?.type === MESSAGE.count && this.#count === null) {
      this.#count = typeof message.count === 'number' && message.count > 0 ? message.count : 1;
      this.#logger.info({ workers: this.#count }, 'gateway workers');
      this.#forkUpTo(this.#count);
    } else if (message?.type === MESSAGE.refreshed) {
      for (const other of Object.values(cluster.workers ?? {}))
        if (other !== undefined && other !== worker && other.isConnected())
          other.send({ type: MESSAGE.refresh });
    } else if (message?.type === MESSAGE.started) {
      this.#hasStarted = true;
      // The launcher hears of every worker; the first tells it the port, as one process would.
      process.send?.(
        { ...message, pid: worker.process.pid, workers: this.#count },
        () => undefined,
      );
    }
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const livedMs = Date.now() - (this.#bornAt.get(worker) ?? Date.now());
    this.#bornAt.delete(worker);
    const pid = worker.process.pid;
    process.send?.({ type: MESSAGE.exited, pid, code, signal }, () => undefined);
    if (this.#isStopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
      return;
    }
    if (!this.#hasStarted) {
      // Nothing ever listened: a configuration problem that a new worker would repeat.
      this.#logger.error({ pid, code }, 'gateway worker failed to start');
      this.#stop(1);
      return;
    }
    this.#restartDelayMs =
      livedMs >= STABLE_AFTER_MS
        ? FIRST_RESTART_DELAY_MS
        : Math.min(this.#restartDelayMs * 2, MAX_RESTART_DELAY_MS);
    const delayMs = livedMs >= STABLE_AFTER_MS ? 0 : this.#restartDelayMs;
    this.#logger.warn({ pid, code, signal, delayMs }, 'gateway worker exited; replacing it');
    setTimeout(() => {
      if (!this.#isStopping) this.#fork();
    }, delayMs).unref();
  }

  #stop(exitCode = 0): void {
    if (this.#isStopping) return;
    this.#isStopping = true;
    if (exitCode !== 0) process.exitCode = exitCode;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    if (workers.length === 0) process.exit();
    for (const worker of workers) {
      if (worker.isConnected()) worker.send({ type: MESSAGE.stop }, () => undefined);
      else worker.process.kill('SIGTERM');
    }
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(exitCode || 1);
    }, STOP_BUDGET_MS).unref();
    // A second signal ends everything at once.
    const kill = (): void => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    };
    process.once('SIGTERM', kill);
    process.once('SIGINT', kill);
  }
}
