import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock, type Clock } from '@stratus/core';
import { invalidManifestError, portInUseError, stackStartError } from './errors.js';
import { defaultManifest, loadManifest, REPO_ROOT, type StackManifest } from './manifest.js';
import { HealthWaitError, waitForOk } from './internal/health.js';
import { createLauncherLog } from './internal/launcher-log.js';
import { applyOverrides, planLaunch, preflightProblems, type LaunchSpec } from './internal/plan.js';
import { findPortConflicts } from './internal/port-check.js';
import { startReaper } from './internal/reaper.js';
import { REAPER_REPORT_NAME, stateFilePath, writeStateFile } from './internal/state-file.js';
import { Supervisor } from './internal/supervisor.js';

/** Options of `startStack`. */
export interface StackOptions {
  /** The processes to run: a `stratus.yml` path or a parsed manifest. @default the platform plus the sample shop */
  manifest?: string | StackManifest;
  /** Run only these processes and what they depend on (`--only`). @default all */
  only?: readonly string[];
  /** Instances per process, overriding the manifest (`--instances order-service=2`). */
  instances?: Readonly<Record<string, number>>;
  /** Folder for SQLite files, the event log and the launcher's state file. @default ./data */
  dataDir?: string;
  /** Port of the `server: registry` process. @default the manifest's (8761) */
  registryPort?: number;
  /** Port of the `server: config-server` process. @default the manifest's (8888) */
  configPort?: number;
  /** Port of the `server: gateway` process. @default the manifest's (8000) */
  gatewayPort?: number;
  /** Native config repository of the config server. @default the manifest's (config-repo) */
  configRepo?: string;
  /** Extra `--key=value` Spring flags given to every Stratus process. */
  flags?: readonly string[];
  /** Environment every process inherits. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where the combined log goes; `null` discards it. @default process.stdout */
  output?: NodeJS.WritableStream | null;
  /** Colour the process names. @default output is a TTY */
  colour?: boolean;
  /** Give up when the stack is not healthy within this. @default 90000 ms */
  startTimeoutMs?: number;
  /** A restarted process must be healthy within this, or it counts as failed again. @default 60000 ms */
  restartHealthTimeoutMs?: number;
  /** Time source of restart windows and state timestamps. @default systemClock */
  clock?: Clock;
}

/** Where a process is in its life. */
export type ProcessStatus = 'starting' | 'healthy' | 'restarting' | 'failed' | 'exited' | 'stopped';

/** One instance as `stack.status()` and `stratus status` show it. */
export interface ProcessState {
  readonly id: string;
  readonly name: string;
  readonly instance: number;
  readonly pid: number | null;
  readonly port: number | null;
  readonly status: ProcessStatus;
  /** Restarts made by supervision since the stack started. */
  readonly restarts: number;
  readonly lastExit: {
    readonly code: number | null;
    readonly signal: string | null;
    readonly at: string;
  } | null;
  readonly startedAt: string | null;
}

/** One running instance of the stack (the current one: a restart replaces it). */
export interface StackProcess {
  /** `order-service`, or `order-service#2` for a second instance. */
  readonly id: string;
  readonly name: string;
  readonly instance: number;
  readonly child: ChildProcess;
  /** The bound port, known once the process logged `application started`. */
  readonly port: number | null;
  readonly restarts: number;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`); not restarted. */
  stop(timeoutMs?: number): Promise<void>;
  /** Kills the process without a chance to clean up (fault injection); not restarted. */
  kill(): Promise<void>;
}

/** A running, supervised stack. */
export interface Stack {
  /** The current instance of every process, by id; restarts replace entries. */
  readonly processes: Map<string, StackProcess>;
  readonly urls: { gateway: string; registry: string; configServer: string };
  /** The manifest as it runs, with the options applied. */
  readonly manifest: StackManifest;
  /** Every instance's state, restarts included. */
  status(): ProcessState[];
  /** Starts a process again (same command line) after it was stopped or killed. */
  restart(id: string): Promise<StackProcess>;
  /** Stops everything, dependents before what they depend on. Idempotent. */
  stop(): Promise<void>;
}

const CLI_PATH = resolve(REPO_ROOT, 'packages/cli/bin/stratus.js');

/**
 * Starts the processes of a stack manifest (by default the registry, config server,
 * gateway and the three shop services), each once what it depends on is healthy, and
 * resolves once every one is healthy and every `gateway-check` answers through the
 * gateway. From then on it supervises them. Fixed ports are checked first; nothing
 * half-starts: a failure stops what was started. If the calling process dies, even by
 * SIGKILL, a watchdog process stops the children within 5 s.
 *
 * @throws StratusError `CLI_ERR_INVALID_MANIFEST`, `CLI_ERR_PORT_IN_USE`, `CLI_ERR_START_FAILED`
 * @example
 * const stack = await startStack({ output: null, instances: { 'order-service': 2 } });
 * await fetch(`${stack.urls.gateway}/catalog-service/catalogs`);
 * await stack.stop();
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const clock = options.clock ?? systemClock;
  const manifest = applyOverrides(resolveManifest(options.manifest), options);
  const dataDir = resolve(options.dataDir ?? 'data');
  const launches = planLaunch(manifest, {
    dataDir,
    flags: options.flags ?? [],
    cliPath: CLI_PATH,
    launcherPid: process.pid,
    env: options.env ?? process.env,
  });
  const problems = preflightProblems(launches, manifest.file);
  if (problems.length > 0) throw invalidManifestError(manifest.file, problems);
  const conflicts = await findPortConflicts(
    launches
      .filter((l) => l.spec.port !== null && l.spec.port > 0)
      .map((l) => ({ port: l.spec.port!, process: l.id })),
  );
  if (conflicts.length > 0) throw portInUseError(conflicts);
  mkdirSync(dataDir, { recursive: true });
  rmSync(join(dataDir, REAPER_REPORT_NAME), { force: true });

  const output = options.output === undefined ? process.stdout : options.output;
  const names = manifest.processes.map((p) => p.name);
  const log = createLauncherLog({
    output,
    colour: options.colour ?? Boolean((output as NodeJS.WriteStream | null)?.isTTY),
    ids: launches.map((l) => l.id),
    colourIndex: (id) => names.indexOf(id.split('#')[0]!),
    now: () => clock.now(),
  });
  const urls = stackUrls(launches);
  const statePath = stateFilePath(dataDir);
  const startedAt = new Date(clock.now()).toISOString();
  let running = true;
  const reaper = startReaper({ reportPath: join(dataDir, REAPER_REPORT_NAME) });
  if (!(await reaper.ready)) log.write('warn', 'watchdog unavailable', { pid: reaper.pid });
  const publish = () =>
    writeStateFile(statePath, {
      launcher: { pid: process.pid, running, startedAt },
      updatedAt: new Date(clock.now()).toISOString(),
      urls,
      processes: supervisor.status(),
    });
  const supervisor: Supervisor = new Supervisor({
    launches,
    log,
    reaper,
    clock,
    restartHealthTimeoutMs: options.restartHealthTimeoutMs,
    onChange: publish,
  });
  const stop = async () => {
    await supervisor.stopAll();
    running = false;
    await reaper.release();
    publish();
  };

  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    await startInOrder(supervisor, manifest, launches, deadline);
    await waitForGatewayChecks(manifest, supervisor, launches, deadline);
  } catch (error) {
    await stop();
    throw error;
  }
  supervisor.supervise();
  let stopping: Promise<void> | null = null;
  return {
    processes: supervisor.handles,
    urls,
    manifest,
    status: () => supervisor.status(),
    restart: (id) => supervisor.restart(id),
    stop: () => (stopping ??= stop()),
  };
}

function resolveManifest(manifest: string | StackManifest | undefined): StackManifest {
  if (manifest === undefined) return defaultManifest();
  return typeof manifest === 'string' ? loadManifest(manifest) : manifest;
}

function stackUrls(launches: readonly LaunchSpec[]): Stack['urls'] {
  const urlOf = (server: string) => {
    const launch = launches.find(
      (l) => l.spec.run.kind === 'server' && l.spec.run.server === server,
    );
    return launch ? `http://127.0.0.1:${launch.spec.port}` : '';
  };
  return {
    gateway: urlOf('gateway'),
    registry: urlOf('registry'),
    configServer: urlOf('config-server'),
  };
}

/**
 * Starts every process once all it depends on is healthy; the instances of one process
 * one after another (so two copies never run the same database migration at once).
 */
async function startInOrder(
  supervisor: Supervisor,
  manifest: StackManifest,
  launches: readonly LaunchSpec[],
  deadline: number,
): Promise<void> {
  const abort = new AbortController();
  const ready = new Map<string, Promise<void>>();
  const startProcess = (name: string): Promise<void> => {
    let promise = ready.get(name);
    if (promise) return promise;
    const spec = manifest.processes.find((p) => p.name === name)!;
    promise = Promise.all(spec.dependsOn.map(startProcess)).then(async () => {
      for (const launch of launches.filter((l) => l.spec.name === name)) {
        if (abort.signal.aborted) throw new Error('start-up was cancelled');
        supervisor.launch(launch.id);
        try {
          await supervisor.waitHealthy(launch.id, deadline, abort.signal);
        } catch (error) {
          if (!(error instanceof HealthWaitError)) throw error;
          throw stackStartError(
            `${launch.id} ${error.message} during start-up`,
            launch.id,
            supervisor.lastLines(launch.id),
          );
        }
      }
    });
    ready.set(name, promise);
    return promise;
  };
  const all = manifest.processes.map((p) => startProcess(p.name));
  try {
    await Promise.all(all);
  } catch (error) {
    abort.abort();
    await Promise.allSettled(all);
    throw error;
  }
}

/** Every `gateway-check` path answers 200 through every gateway: the process is routed. */
async function waitForGatewayChecks(
  manifest: StackManifest,
  supervisor: Supervisor,
  launches: readonly LaunchSpec[],
  deadline: number,
): Promise<void> {
  const gateways = launches.filter(
    (l) => l.spec.run.kind === 'server' && l.spec.run.server === 'gateway',
  );
  const checks = manifest.processes.filter((p) => p.gatewayCheck !== null);
  await Promise.all(
    gateways.flatMap((gateway) =>
      checks.map(async (spec) => {
        const port = supervisor.handles.get(gateway.id)?.port;
        try {
          await waitForOk(`http://127.0.0.1:${port}${spec.gatewayCheck}`, deadline);
        } catch (error) {
          throw stackStartError(
            `${spec.name} is not routed by ${gateway.id}: ${(error as Error).message}`,
            spec.name,
            supervisor.lastLines(gateway.id),
          );
        }
      }),
    ),
  );
}
