import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { colourFor, formatLogLine } from './log-format.js';

/** The repository root (this file is packages/cli/dist/stack.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Options of `startStack`. */
export interface StackOptions {
  /** Folder for SQLite files and the event log. @default ./data */
  dataDir?: string;
  /** @default 8761 */
  registryPort?: number;
  /** @default 8888 */
  configPort?: number;
  /** @default 8000 */
  gatewayPort?: number;
  /** Native config repository. @default <repo>/config-repo */
  configRepo?: string;
  /** Extra `--key=value` flags given to every process. */
  flags?: string[];
  /** Where the combined log goes; `null` discards it. @default process.stdout */
  output?: NodeJS.WritableStream | null;
  /** Colour the process names. @default output is a TTY */
  colour?: boolean;
  /** Give up when the stack is not healthy within this. @default 90000 ms */
  startTimeoutMs?: number;
}

/** One process of the stack. */
export interface StackProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The bound port, known once the process logged `application started`. */
  port: number | null;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
  /** Kills the process without a chance to clean up (fault injection). */
  kill(): Promise<void>;
}

/** A running stack. */
export interface Stack {
  readonly processes: Map<string, StackProcess>;
  readonly urls: { gateway: string; registry: string; configServer: string };
  /** Starts a process again (same flags) after it was stopped or killed. */
  restart(name: string): Promise<StackProcess>;
  /** Stops everything gracefully: services and gateway first, then config server and registry. */
  stop(): Promise<void>;
}

interface ProcessDefinition {
  name: string;
  args: string[];
  fixedPort: number | null;
}

const SERVICES = ['user-service', 'catalog-service', 'order-service'] as const;
const SERVICE_DIRS: Record<(typeof SERVICES)[number], string> = {
  'user-service': 'services/user',
  'catalog-service': 'services/catalog',
  'order-service': 'services/order',
};

/**
 * Starts the registry, config server, gateway and the three shop services as
 * separate processes on embedded defaults, and resolves once every one is
 * healthy, registered, and reachable through the gateway.
 *
 * @example
 * const stack = await startStack({ output: null });
 * await fetch(`${stack.urls.gateway}/catalog-service/catalogs`);
 * await stack.stop();
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = resolve(options.dataDir ?? 'data');
  mkdirSync(dataDir, { recursive: true });
  const registryPort = options.registryPort ?? 8761;
  const configPort = options.configPort ?? 8888;
  const gatewayPort = options.gatewayPort ?? 8000;
  const configRepo = resolve(options.configRepo ?? resolve(REPO_ROOT, 'config-repo'));
  const output = options.output === undefined ? process.stdout : options.output;
  const colour = options.colour ?? Boolean((output as NodeJS.WriteStream | null)?.isTTY);
  const registryUrl = `http://127.0.0.1:${registryPort}`;
  const configUrl = `http://127.0.0.1:${configPort}`;
  const common = [
    `--stratus.data-dir=${dataDir}`,
    '--server.address=127.0.0.1',
    '--eureka.instance.prefer-ip-address=true',
    '--eureka.instance.ip-address=127.0.0.1',
    `--eureka.client.service-url.defaultZone=${registryUrl}/eureka/`,
    `--spring.config.import=optional:configserver:${configUrl}`,
    ...(options.flags ?? []),
  ];
  const cli = resolve(REPO_ROOT, 'packages/cli/bin/stratus.js');
  const definitions: ProcessDefinition[] = [
    {
      name: 'discovery-service',
      args: [
        cli,
        'registry',
        `--server.port=${registryPort}`,
        ...common,
        '--spring.config.import=',
      ],
      fixedPort: registryPort,
    },
    {
      name: 'config-service',
      args: [
        cli,
        'config-server',
        `--server.port=${configPort}`,
        '--spring.profiles.active=native',
        `--spring.cloud.config.server.native.search-locations=file:${configRepo}`,
        ...common,
        '--spring.config.import=',
      ],
      fixedPort: configPort,
    },
    ...SERVICES.map((name) => ({
      name,
      args: [resolve(REPO_ROOT, SERVICE_DIRS[name], 'dist/main.js'), '--server.port=0', ...common],
      fixedPort: null,
    })),
    {
      name: 'apigateway-service',
      args: [cli, 'gateway', `--server.port=${gatewayPort}`, ...common],
      fixedPort: gatewayPort,
    },
  ];
  const width = Math.max(...definitions.map((d) => d.name.length));
  const processes = new Map<string, StackProcess>();
  const byName = new Map(definitions.map((d, i) => [d.name, { definition: d, index: i }]));

  const launch = (name: string): StackProcess => {
    const { definition, index } = byName.get(name)!;
    const child = spawn(process.execPath, definition.args, {
      cwd: REPO_ROOT,
      env: { ...process.env, STRATUS_LOG_FORMAT: 'json' },
      // Own process group: a terminal's Ctrl-C reaches only the launcher, which then stops the
      // children in order (services before the registry, so they can deregister). The IPC
      // channel lets a child notice when the launcher dies and stop by itself.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.unref();
    const entry: StackProcess = {
      name,
      child,
      port: definition.fixedPort,
      stop: (timeoutMs = 12_000) => stopChild(child, timeoutMs),
      kill: () => stopChild(child, 0, 'SIGKILL'),
    };
    const onLine = (line: string) => {
      if (entry.port === null && line.includes('application started')) {
        try {
          const port = (JSON.parse(line) as { port?: unknown }).port;
          if (typeof port === 'number') entry.port = port;
        } catch {
          // not a JSON line
        }
      }
      output?.write(`${formatLogLine(name, line, colour ? colourFor(index) : null, width)}\n`);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    processes.set(name, entry);
    return entry;
  };

  const stopAll = async () => {
    const first = [...processes.values()].filter(
      (p) => p.name !== 'discovery-service' && p.name !== 'config-service',
    );
    await Promise.all(first.map((p) => p.stop()));
    await processes.get('config-service')?.stop();
    await processes.get('discovery-service')?.stop();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  try {
    const platform = ['discovery-service', 'config-service'].map(launch);
    await Promise.all(platform.map((p) => waitHealthy(p, deadline)));
    const apps = [...SERVICES, 'apigateway-service'].map(launch);
    await Promise.all(apps.map((p) => waitHealthy(p, deadline)));
    await waitFor(deadline, 'services registered', async () => {
      const response = await fetch(`${registryUrl}/eureka/apps`, {
        headers: { accept: 'application/json' },
      });
      const text = await response.text();
      return SERVICES.every((s) => text.includes(`"${s.toUpperCase()}"`));
    });
    // Routable means the gateway's own registry cache knows every service, not just the registry.
    const probes = [
      '/catalog-service/catalogs',
      '/user-service/health_check',
      '/order-service/actuator/health',
    ];
    await waitFor(deadline, 'gateway routing', async () => {
      const statuses = await Promise.all(
        probes.map(async (path) => {
          const response = await fetch(`http://127.0.0.1:${gatewayPort}${path}`);
          await response.body?.cancel();
          return response.status;
        }),
      );
      return statuses.every((status) => status === 200);
    });
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    processes,
    urls: {
      gateway: `http://127.0.0.1:${gatewayPort}`,
      registry: registryUrl,
      configServer: configUrl,
    },
    async restart(name) {
      const existing = processes.get(name);
      if (existing && existing.child.exitCode === null && existing.child.signalCode === null)
        await existing.stop();
      const started = launch(name);
      await waitHealthy(started, Date.now() + 60_000);
      return started;
    },
    stop: stopAll,
  };
}

async function waitHealthy(p: StackProcess, deadline: number): Promise<void> {
  await waitFor(deadline, `${p.name} healthy`, async () => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) {
      throw new Error(
        `${p.name} exited with ${p.child.exitCode ?? p.child.signalCode} during start-up`,
      );
    }
    if (p.port === null) return false;
    const response = await fetch(`http://127.0.0.1:${p.port}/actuator/health`);
    await response.body?.cancel();
    return response.status === 200;
  });
}

async function waitFor(
  deadline: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof Error && error.message.includes('during start-up')) throw error;
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError instanceof Error ? ` (${lastError.message})` : ''}`,
  );
}

function stopChild(
  child: ChildProcess,
  timeoutMs: number,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill(signal);
  });
}
