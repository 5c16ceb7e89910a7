// A bus fleet for the bus tests and bench/bus: a Stratus config server (native backend on a
// temporary repository) and N Stratus applications spread over a few processes
// (bus-fleet-worker.ts), all reading their configuration from it and joined on one bus.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import type { Application } from '@stratus/boot';
import { createConfigServer } from '@stratus/config-server';
import { createSilentLogger } from '@stratus/core';
import type { AckRemoteApplicationEvent } from '@stratus/messaging';
import type { FleetLine, FleetWorkerConfig } from './bus-fleet-worker.js';

export type BusTransport = 'embedded' | 'kafka' | 'rabbitmq';

const WORKER = fileURLToPath(new URL('./bus-fleet-worker.js', import.meta.url));
/** The application every fleet instance is; its file in the repository is what changes. */
export const FLEET_APP = 'customers';

/** Flags selecting `transport` for a bus named `destination` (unique per run: brokers are shared). */
export function transportFlags(
  transport: BusTransport,
  dir: string,
  destination: string,
): string[] {
  const flags = [`--spring.cloud.bus.destination=${destination}`];
  if (transport === 'embedded')
    return [...flags, `--stratus.messaging.embedded.path=${join(dir, 'events.db')}`];
  if (transport === 'kafka')
    return [
      ...flags,
      '--stratus.messaging.transport=kafka',
      `--spring.kafka.bootstrap-servers=127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`,
    ];
  return [...flags, '--stratus.messaging.transport=rabbitmq'];
}

/** A running fleet. */
export interface Fleet {
  readonly dir: string;
  readonly destination: string;
  readonly configServer: Application;
  /** Lines of every worker, in arrival order. */
  readonly lines: FleetLine[];
  /** Acks the config server received, in arrival order. */
  readonly acks: AckRemoteApplicationEvent[];
  /** Rewrites `customers.yml` in the repository. */
  writeConfig(yaml: string): Promise<void>;
  /** `POST /monitor` as a webhook naming `customers.yml`; resolves to the affected applications. */
  notifyChange(): Promise<string[]>;
  /** Stops the workers (SIGTERM, then SIGKILL after 10 s), the config server, and removes the folder. */
  close(): Promise<void>;
}

/** Options of {@link startFleet}. */
export interface FleetOptions {
  transport: BusTransport;
  processes: number;
  perProcess: number;
  /** How long the fleet may take to be ready, in ms. @default 90000 */
  readyTimeoutMs?: number;
}

/** Starts a config server and `processes × perProcess` applications; resolves once all are on the bus. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-bus-fleet-'));
  const repo = join(dir, 'repo');
  await mkdir(repo);
  await writeFile(join(repo, `${FLEET_APP}.yml`), 'greeting: first\n');
  const destination = `springCloudBus.${randomUUID().slice(0, 8)}`;
  const flags = transportFlags(options.transport, dir, destination);
  const workers: ChildProcess[] = [];
  let configServer: Application | null = null;
  const close = async () => {
    await Promise.all(workers.map(stopWorker));
    await configServer?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    configServer = await createConfigServer({
      argv: [
        '--server.port=0',
        '--server.address=127.0.0.1',
        '--eureka.client.enabled=false',
        `--stratus.data-dir=${join(dir, 'config-server')}`,
        '--spring.profiles.active=native',
        `--spring.cloud.config.server.native.search-locations=file:${repo}`,
        ...flags,
      ],
      env: {},
      logger: createSilentLogger(),
    });
    await configServer.start();
    const acks: AckRemoteApplicationEvent[] = [];
    configServer.bus!.observe((activity) => {
      if (activity.kind === 'received' && activity.event.type === 'AckRemoteApplicationEvent')
        acks.push(activity.event);
    });
    const lines: FleetLine[] = [];
    const config: FleetWorkerConfig = {
      name: FLEET_APP,
      count: options.perProcess,
      baseDir: join(dir, 'app'),
      watchKey: 'greeting',
      argv: [
        '--eureka.client.enabled=false',
        `--spring.config.import=configserver:http://127.0.0.1:${configServer.port}`,
        `--stratus.data-dir=${join(dir, 'fleet-data')}`,
        ...flags,
      ],
    };
    await mkdir(config.baseDir);
    for (let i = 0; i < options.processes; i++) workers.push(startWorker(config, lines));
    const total = options.processes * options.perProcess;
    await waitUntil(
      'the fleet on the bus',
      () => readyCount(lines) >= total,
      options.readyTimeoutMs ?? 90_000,
      lines,
    );
    const cs = configServer;
    return {
      dir,
      destination,
      configServer: cs,
      lines,
      acks,
      writeConfig: (yaml) => writeFile(join(repo, `${FLEET_APP}.yml`), yaml),
      notifyChange: async () => {
        const response = await fetch(`http://127.0.0.1:${cs.port}/monitor`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `path=${FLEET_APP}.yml`,
        });
        if (response.status !== 200) throw new Error(`/monitor answered ${response.status}`);
        return (await response.json()) as string[];
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function readyCount(lines: readonly FleetLine[]): number {
  return lines.filter((line) => line.kind === 'ready').length;
}

function startWorker(config: FleetWorkerConfig, lines: FleetLine[]): ChildProcess {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as FleetLine);
  });
  // Kept for a failure's message: Node prints warnings there, which are not failures.
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null)
      lines.push({ kind: 'error', message: `worker exited with ${code}: ${stderr}` });
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** Polls `predicate`; fails with `what` (and any worker error) after `timeoutMs`. */
export async function waitUntil(
  what: string,
  predicate: () => boolean,
  timeoutMs: number,
  lines: readonly FleetLine[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    const failure = lines.find((line) => line.kind === 'error');
    if (failure?.kind === 'error') throw new Error(`a fleet worker failed: ${failure.message}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** When each instance first applied a bus event that left it reading `value`, by bus id. */
export function appliedBy(lines: readonly FleetLine[], value: string): Map<string, number> {
  const applied = new Map<string, number>();
  for (const line of lines)
    if (line.kind === 'applied' && line.value === value && !applied.has(line.busId))
      applied.set(line.busId, line.at);
  return applied;
}

/**
 * The scenario of `bus-monitor-*.test.ts`: `customers.yml` changes, the config server's
 * `/monitor` is told, and every instance of the fleet must apply the refresh (reading the new
 * value from the config server) and ack it to the config server, once each.
 */
export async function assertMonitorRefreshReachesFleet(fleet: Fleet, total: number): Promise<void> {
  const ready = new Set(fleet.lines.flatMap((line) => (line.kind === 'ready' ? [line.busId] : [])));
  assert.equal(ready.size, total, 'every instance has its own bus id');
  await fleet.writeConfig('greeting: second\n');
  assert.deepEqual(await fleet.notifyChange(), [FLEET_APP]);
  await waitUntil(
    `${total} instances refreshed`,
    () => appliedBy(fleet.lines, 'second').size === total,
    60_000,
    fleet.lines,
  );
  assert.deepEqual([...appliedBy(fleet.lines, 'second').keys()].sort(), [...ready].sort());
  await waitUntil(`${total} acks at the config server`, () => fleet.acks.length >= total, 30_000);
  const events = new Set(fleet.acks.map((ack) => ack.ackId));
  assert.equal(events.size, 1, 'one refresh event for one application');
  assert.deepEqual(
    new Set(fleet.acks.map((ack) => ack.ackDestinationService)),
    new Set([`${FLEET_APP}:**`]),
  );
  assert.deepEqual(new Set(fleet.acks.map((ack) => ack.originService)), ready);
  const applied = fleet.lines.filter((line) => line.kind === 'applied');
  assert.equal(applied.length, total, 'applied once per instance');
  for (const line of applied)
    if (line.kind === 'applied') assert.deepEqual(line.changed, ['greeting']);
}
