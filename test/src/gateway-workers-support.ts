// `stratus gateway --workers=N` as a child process: the primary relays each worker's
// `stratus:started` message (with its pid) over IPC, so a test knows the shared port and the
// workers' pids without parsing logs.
import { fork, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const CLI = fileURLToPath(new URL('../../packages/cli/bin/stratus.js', import.meta.url));

/** A running gateway cluster: its port, the pids of the workers that started, its output. */
export interface GatewayCluster {
  readonly primary: ChildProcess;
  readonly port: number;
  /** Every worker that reported `stratus:started`, in order (replacements included). */
  readonly startedPids: number[];
  /** Resolves once `count` workers in all have started. */
  startedWorkers(count: number, timeoutMs: number): Promise<number[]>;
  /** Resolves once the primary reported `pid` gone. */
  exitedWorker(pid: number, timeoutMs: number): Promise<void>;
  output(): string;
}

interface StartedMessage {
  readonly type?: string;
  readonly port?: number;
  readonly pid?: number;
}

/** Starts `stratus gateway` with `flags`, resolving once `workers` workers listen; stopped after the test. */
export async function startGatewayCluster(
  t: TestContext,
  flags: readonly string[],
  workers: number,
  timeoutMs = 90_000,
): Promise<GatewayCluster> {
  const primary = fork(CLI, ['gateway', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, STRATUS_LAUNCHER_PID: '' },
  });
  let output = '';
  primary.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  primary.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const startedPids: number[] = [];
  let port = 0;
  const waiters: Array<() => void> = [];
  const exitedPids = new Set<number>();
  primary.on('message', (message: StartedMessage) => {
    if (message?.type === 'stratus:gateway-worker-exited' && typeof message.pid === 'number') {
      exitedPids.add(message.pid);
      for (const wake of waiters.splice(0)) wake();
    }
    if (message?.type !== 'stratus:started' || typeof message.pid !== 'number') return;
    port = message.port ?? port;
    startedPids.push(message.pid);
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<void>((resolve) => primary.once('exit', () => resolve()));
  t.after(async () => {
    primary.kill('SIGTERM');
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    if (!stopped) primary.kill('SIGKILL');
    // Workers of a primary killed outright would linger: make sure none does.
    for (const pid of startedPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const until = async (isDone: () => boolean, waitMs: number, what: () => string) => {
    const deadline = Date.now() + waitMs;
    while (!isDone()) {
      if (primary.exitCode !== null) throw new Error(`gateway exited early:\n${output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what()}:\n${output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  };
  const startedWorkers = async (count: number, waitMs: number): Promise<number[]> => {
    await until(
      () => startedPids.length >= count,
      waitMs,
      () => `${startedPids.length}/${count} workers started`,
    );
    return [...startedPids];
  };
  const exitedWorker = (pid: number, waitMs: number): Promise<void> =>
    until(
      () => exitedPids.has(pid),
      waitMs,
      () => `worker ${pid} not reported gone`,
    );
  await startedWorkers(workers, timeoutMs);
  return {
    primary,
    get port() {
      return port;
    },
    startedPids,
    startedWorkers,
    exitedWorker,
    output: () => output,
  };
}

/** A GET on a connection of its own (so the cluster hands each to the next worker). */
export function getOnNewConnection(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** A POST on a connection of its own; resolves with the status. */
export function postOnNewConnection(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', agent: false, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
