import { Worker } from 'node:worker_threads';
import { createLogger, parseDurationMs, StratusError, type Logger } from '@stratus/core';
import type { Application } from './application.js';

/** Options of {@link runApplication}. */
export interface RunApplicationOptions {
  /**
   * Budget of a graceful stop after SIGTERM or SIGINT; the process is forced out after it.
   * Spring's `spring.lifecycle.timeout-per-shutdown-phase`, when configured, takes its place.
   * @default 10000 ms
   */
  shutdownTimeoutMs?: number;
  /** Budget of the stop when the launcher that started this process (`stratus up`) is gone. @default 2500 ms */
  orphanShutdownTimeoutMs?: number;
  /** How often the parent pid is compared with the launcher's (`STRATUS_LAUNCHER_PID`). @default 1000 ms */
  parentCheckIntervalMs?: number;
  /** Environment holding `STRATUS_LAUNCHER_PID`. @default process.env */
  env?: Record<string, string | undefined>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const DEFAULT_ORPHAN_SHUTDOWN_TIMEOUT_MS = 2_500;
const DEFAULT_PARENT_CHECK_INTERVAL_MS = 1_000;
/** How long the last log lines may take to leave before the process exits anyway. */
const LOG_FLUSH_TIMEOUT_MS = 1_000;
/** Time left to the in-process exit (after the budget and the log flush) before the watchdog kills. */
const HARD_KILL_GRACE_MS = 500;
/** Budget of closing what was created when start-up failed. */
const FAILED_START_BUDGET_MS = 5_000;

/**
 * Runs an application as a process, the `SpringApplication.run` analogue: creates and
 * starts it, and stops it gracefully on SIGTERM or SIGINT (a second signal exits at once),
 * or when the launcher that started it (`stratus up`, over an IPC channel or
 * `STRATUS_LAUNCHER_PID`) is gone. The process always ends within its budget: a timer
 * exits after it, and a watchdog thread kills the process if even that exit is stuck (a
 * blocked event loop, a log flush to a dead pipe). Broken stdout/stderr pipes never crash
 * it. A failure to start is logged with its problems and exits with code 1.
 *
 * @example
 * void runApplication(() => createOrderService());
 */
export async function runApplication(
  create: () => Promise<Application>,
  options: RunApplicationOptions = {},
): Promise<Application | null> {
  ignoreBrokenPipes();
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const exit = new ProcessExit(shutdownTimeoutMs);
  watchSignals(exit);
  watchLauncher(exit, {
    budgetMs: Math.min(
      options.orphanShutdownTimeoutMs ?? DEFAULT_ORPHAN_SHUTDOWN_TIMEOUT_MS,
      shutdownTimeoutMs,
    ),
    intervalMs: options.parentCheckIntervalMs ?? DEFAULT_PARENT_CHECK_INTERVAL_MS,
    launcherPid: Number(options.env?.STRATUS_LAUNCHER_PID ?? process.env.STRATUS_LAUNCHER_PID),
  });
  let app: Application;
  try {
    app = await create();
  } catch (error) {
    exit.failedToStart(error);
    return null;
  }
  const configuredMs = parseDurationMs(
    app.config.get('spring.lifecycle.timeout-per-shutdown-phase'),
  );
  if (configuredMs !== null && configuredMs > 0) exit.shutdownBudgetMs = configuredMs;
  exit.attach(app);
  if (exit.isRequested) return app;
  try {
    await app.start();
  } catch (error) {
    // A start interrupted by a stop request is part of that stop, not a failure.
    if (!exit.isRequested) exit.failedToStart(error);
    return exit.isRequested ? app : null;
  }
  tellLauncher(app);
  return app;
}

/** A launcher listening on the IPC channel learns the bound port whatever the log level. */
function tellLauncher(app: Application): void {
  if (typeof process.send !== 'function' || !process.connected) return;
  process.send(
    { type: 'stratus:started', app: app.name, port: app.port, url: app.url },
    () => undefined,
  );
}

/** The one way out of the process: graceful close, bounded log flush, forced exit, hard kill. */
class ProcessExit {
  #app: Application | null = null;
  #logger: Logger | null = null;
  #reason: string | null = null;
  #deadlineMs = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #watchdog: Worker | null = null;
  #exiting = false;

  constructor(
    /** Budget of a stop asked for by a signal. */
    public shutdownBudgetMs: number,
  ) {}

  get isRequested(): boolean {
    return this.#reason !== null;
  }

  /** Asks for a graceful stop within `budgetMs`; a later request may only shorten the budget. */
  request(reason: string, budgetMs: number): void {
    this.#tighten(budgetMs);
    if (this.#reason !== null) return;
    this.#reason = reason;
    this.#log().info({ signal: reason }, 'shutting down');
    if (this.#app) this.#closeThenExit(0);
  }

  /** The application exists: close it now if a stop was asked for while it was being created. */
  attach(app: Application): void {
    this.#app = app;
    this.#logger = app.logger;
    if (this.#reason !== null) this.#closeThenExit(0);
  }

  failedToStart(error: unknown): void {
    const problems = error instanceof StratusError ? error.details.problems : undefined;
    // error, not fatal: pino's fatal flushes synchronously, which never returns on a dead pipe.
    this.#log().error(
      { err: error, code: (error as Partial<StratusError>).code, problems },
      'application failed to start',
    );
    this.#reason ??= 'start-failure';
    this.#tighten(FAILED_START_BUDGET_MS);
    if (this.#app) this.#closeThenExit(1);
    else this.exit(1);
  }

  /** Exits with `code` once the log is flushed (bounded); idempotent. */
  exit(code: number): void {
    if (this.#exiting) return;
    this.#exiting = true;
    process.exitCode = code;
    this.#tightenWatchdog(LOG_FLUSH_TIMEOUT_MS + HARD_KILL_GRACE_MS);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      process.exit(code);
    };
    setTimeout(finish, LOG_FLUSH_TIMEOUT_MS).unref();
    // A flush that fails on a dead pipe makes pino drop further writes, so the exit-time
    // flush (on-exit-leak-free → SonicBoom.flushSync) finds nothing to retry forever.
    try {
      this.#log().flush(() => finish());
    } catch {
      finish();
    }
  }

  #closeThenExit(code: number): void {
    const app = this.#app!;
    app.close().then(
      () => this.exit(code),
      (error: unknown) => {
        this.#log().warn({ err: error }, 'graceful shutdown failed');
        this.exit(1);
      },
    );
  }

  #tighten(budgetMs: number): void {
    const deadline = Date.now() + budgetMs;
    if (deadline >= this.#deadlineMs) return;
    this.#deadlineMs = deadline;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#log().error({ timeoutMs: budgetMs }, 'graceful shutdown timed out');
      this.exit(1);
    }, budgetMs).unref();
    this.#tightenWatchdog(budgetMs + LOG_FLUSH_TIMEOUT_MS + HARD_KILL_GRACE_MS);
  }

  #tightenWatchdog(delayMs: number): void {
    if (this.#watchdog) {
      this.#watchdog.postMessage(delayMs);
      return;
    }
    try {
      this.#watchdog = startWatchdog(delayMs);
    } catch (error) {
      this.#log().warn({ err: error }, 'shutdown watchdog unavailable');
    }
  }

  #log(): Logger {
    this.#logger ??= createLogger({ name: 'stratus' });
    return this.#logger;
  }
}

/**
 * A thread that SIGKILLs this process after `delayMs` (re-armed by a message with a shorter
 * delay). It runs even when the main thread is stuck, e.g. in an exit handler retrying a
 * write to a pipe whose reader died, which is what left the registry running after its
 * launcher was killed.
 */
function startWatchdog(delayMs: number): Worker {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    let due = Date.now() + workerData.delayMs;
    let timer = setTimeout(kill, workerData.delayMs);
    function kill() { process.kill(workerData.pid, 'SIGKILL'); }
    parentPort.on('message', (delayMs) => {
      if (Date.now() + delayMs >= due) return;
      due = Date.now() + delayMs;
      clearTimeout(timer);
      timer = setTimeout(kill, delayMs);
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { pid: process.pid, delayMs },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  return worker;
}

function watchSignals(exit: ProcessExit): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // Without a listener a second SIGTERM/SIGINT takes its default action: exit at once.
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
    exit.request(signal, exit.shutdownBudgetMs);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Stops the process when the launcher that started it is gone: its IPC channel closes
 * (also when that happened before this code ran), or the parent pid stops being the
 * launcher's (a launcher started without IPC, or a channel someone else closed).
 */
function watchLauncher(
  exit: ProcessExit,
  watch: { budgetMs: number; intervalMs: number; launcherPid: number },
): void {
  const onGone = () => exit.request('launcher-exit', watch.budgetMs);
  if (typeof process.send === 'function') {
    if (!process.connected) {
      onGone();
      return;
    }
    process.channel?.unref();
    process.once('disconnect', onGone);
  }
  // Only a direct child of the launcher watches: a grandchild inherits the variable too.
  const parentPid = process.ppid;
  if (
    Number.isInteger(watch.launcherPid) &&
    watch.launcherPid > 0 &&
    parentPid === watch.launcherPid
  ) {
    const timer = setInterval(() => {
      if (process.ppid === parentPid) return;
      clearInterval(timer);
      onGone();
    }, watch.intervalMs);
    timer.unref();
  }
}

function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.listeners('error').includes(ignoreStreamError))
      stream.on('error', ignoreStreamError);
  }
}

/** EPIPE and friends on stdout/stderr: the reader is gone, and nothing here can fix that. */
function ignoreStreamError(): void {}
