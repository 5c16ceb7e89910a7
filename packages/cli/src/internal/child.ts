import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LaunchSpec } from './plan.js';
import type { ExitInfo } from './restart-policy.js';

/** Lines of a process's output kept for error reports. */
const KEPT_LINES = 40;

/**
 * One spawned process: its own process group (a terminal's Ctrl-C reaches only the
 * launcher, which stops the children in order), output read line by line, the last lines
 * kept, and the port it logged with `application started`.
 */
export class ManagedChild {
  readonly process: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  /** The port it listens on: fixed, or learned from its `application started` line. */
  port: number | null;
  #exit: ExitInfo | null = null;
  #spawnError: Error | null = null;
  readonly #lines: string[] = [];

  constructor(launch: LaunchSpec, onLine: (line: string) => void) {
    this.port = launch.spec.port !== null && launch.spec.port > 0 ? launch.spec.port : null;
    this.process = spawn(launch.file, launch.args, {
      cwd: launch.spec.workingDir,
      env: launch.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(launch.isStratus ? (['ipc'] as const) : [])],
    });
    this.process.unref();
    this.exited = new Promise<ExitInfo>((resolve) => {
      const settle = (exit: ExitInfo) => {
        if (this.#exit) return;
        this.#exit = exit;
        resolve(exit);
      };
      this.process.once('exit', (code, signal) => settle({ code, signal }));
      this.process.once('error', (error) => {
        this.#spawnError = error;
        this.#keep(`failed to start: ${error.message}`);
        // A spawn error may come without an exit event.
        if (this.process.pid === undefined) settle({ code: null, signal: null });
      });
    });
    const read = (line: string) => {
      this.#keep(line);
      if (launch.isStratus && this.port === null) this.port = startedPort(line);
      onLine(line);
    };
    // runApplication reports its port over IPC; the log line is the fallback for other entries.
    this.process.on('message', (message: { type?: unknown; port?: unknown }) => {
      const port = message?.type === 'stratus:started' ? message.port : null;
      if (
        this.port === null &&
        Number.isInteger(port) &&
        (port as number) > 0 &&
        (port as number) < 65_536
      )
        this.port = port as number;
    });
    createInterface({ input: this.process.stdout! }).on('line', read);
    createInterface({ input: this.process.stderr! }).on('line', read);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** How it ended, once it did. */
  get exit(): ExitInfo | null {
    return this.#exit;
  }

  get spawnError(): Error | null {
    return this.#spawnError;
  }

  /** The last `count` lines of its stdout and stderr. */
  lastLines(count = 20): string[] {
    return this.#lines.slice(-count);
  }

  /** SIGTERM to its process group, SIGKILL after `timeoutMs`; resolves on exit. */
  async stop(timeoutMs: number): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    this.signal('SIGTERM');
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL to its process group; resolves on exit. */
  kill(): Promise<ExitInfo> {
    if (!this.#exit) this.signal('SIGKILL');
    return this.exited;
  }

  signal(signal: NodeJS.Signals): void {
    const pid = this.process.pid;
    if (pid === undefined || this.#exit) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  #keep(line: string): void {
    this.#lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (this.#lines.length > KEPT_LINES) this.#lines.shift();
  }
}

/** The port of a Stratus process's `application started` JSON log line, or null. */
export function startedPort(line: string): number | null {
  if (!line.includes('application started')) return null;
  try {
    const record = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return record.msg === 'application started' && typeof record.port === 'number'
      ? record.port
      : null;
  } catch {
    return null;
  }
}
