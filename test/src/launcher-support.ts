// Helpers of the launcher tests: `stratus up` as a real process, its children found by pid.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { manifestTemplate } from '@stratus/cli';
import { tempDir } from './support.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'packages/cli/bin/stratus.js');
export const HELLO = join(REPO, 'test/fixtures/hello-service/main.js');

/** A running `stratus up`. */
export interface Up {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves once it printed `Stratus is up`; rejects when it exits first. */
  readonly ready: Promise<void>;
  /** SIGINT (Ctrl-C); resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Its child processes now (all ever seen are cleaned up after the test). */
  children(): number[];
}

/** Spawns `stratus up …args` in `cwd`; killed (SIGKILL) after the test if still running. */
export function spawnUp(t: TestContext, args: string[], cwd: string): Up {
  const child = spawn(process.execPath, [CLI, 'up', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('Stratus is up')) resolve();
    });
    createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
    child.once('exit', (code, signal) =>
      reject(new Error(`stratus up exited (${code ?? signal}):\n${output.slice(-30).join('\n')}`)),
    );
  });
  ready.catch(() => undefined);
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  const seen = new Set<number>();
  const children = () => {
    const now = child.exitCode === null ? childrenOf(child.pid!) : [];
    for (const pid of now) seen.add(pid);
    return now;
  };
  t.after(async () => {
    children();
    const pids = [...seen];
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Whatever the test did, nothing it started outlives it.
    await waitAllGone(pids, 8000);
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });
  return { child, output, ready, stop, children };
}

/** Pids whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** Alive and not a zombie (a zombie holds no port; only its parent can reap it). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs; returns the time taken, or -1 after `timeoutMs`. */
export async function waitAllGone(pids: readonly number[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (pids.some(isRunning)) {
    if (Date.now() - started > timeoutMs) return -1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

/** True when 127.0.0.1:`port` can be bound right now. */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Ports printed in the `Stratus is up` summary (`http://127.0.0.1:PORT`). */
export function summaryPorts(output: readonly string[]): number[] {
  return output
    .filter((line) => line.startsWith('  '))
    .flatMap((line) => [...line.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])));
}

/**
 * A user's project, as a Spring user would set it up: a copy of the central configuration
 * with a gateway route for their own service, and a `stratus.yml` (what `stratus init`
 * writes) listing that service, which lives outside `services/`.
 */
export async function userProject(t: TestContext): Promise<string> {
  const dir = await tempDir(t, 'stratus-project-');
  cpSync(join(REPO, 'config-repo'), join(dir, 'config-repo'), { recursive: true });
  // The routes list ends the file, so a new route can be appended as Spring YAML.
  appendFileSync(
    join(dir, 'config-repo/apigateway-service.yml'),
    [
      "        # the user's own service",
      '        - id: hello-service',
      '          uri: lb://HELLO-SERVICE',
      '          predicates:',
      '            - Path=/hello-service/**',
      '          filters:',
      '            - RewritePath=/hello-service/(?<segment>.*), /$\\{segment}',
      '',
    ].join('\n'),
  );
  const manifest =
    manifestTemplate(dir).replace(
      /search-locations=file:\S*config-repo/,
      'search-locations=file:./config-repo',
    ) +
    [
      '  hello-service:',
      `    entry: ${relative(dir, HELLO)}`,
      '    depends-on: [discovery-service, config-service]',
      '    gateway-check: /hello-service/hello',
      '',
    ].join('\n');
  writeFileSync(join(dir, 'stratus.yml'), manifest);
  return dir;
}
