import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REAPER_MAIN = fileURLToPath(new URL('./reaper-main.js', import.meta.url));

/** The launcher's side of the watchdog process (see reaper-main.ts). */
export interface Reaper {
  /** The watchdog's pid. */
  readonly pid: number | undefined;
  /** Resolves once the watchdog listens (false when it did not within 5 s). */
  readonly ready: Promise<boolean>;
  /** Stop this process group (leader `pid`) if the launcher dies. */
  track(pid: number): void;
  untrack(pid: number): void;
  /** The launcher is done: the watchdog exits without touching anything. Idempotent. */
  release(): Promise<void>;
}

/**
 * Starts the watchdog. It has its own process group, so a terminal's Ctrl-C reaches only
 * the launcher, and an IPC channel whose closing tells it the launcher is gone; it then
 * sends SIGTERM to every tracked group and SIGKILL to what is left after `graceMs`, and
 * writes what it did to `reportPath` (JSON: `terminated` and `killed` pids).
 */
export function startReaper(options: { graceMs?: number; reportPath?: string } = {}): Reaper {
  const child: ChildProcess = spawn(
    process.execPath,
    [REAPER_MAIN, String(options.graceMs ?? 4000), options.reportPath ?? ''],
    { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
  );
  child.on('error', () => undefined);
  const send = (message: object) => {
    if (child.connected) child.send(message, (error) => void error);
  };
  let releasing: Promise<void> | null = null;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    timer.unref();
    child.once('message', () => {
      clearTimeout(timer);
      resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  return {
    pid: child.pid,
    ready,
    track: (pid) => send({ type: 'track', pid }),
    untrack: (pid) => send({ type: 'untrack', pid }),
    release() {
      releasing ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 2000);
        timer.unref();
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'release' }, () => {
          if (child.connected) child.disconnect();
        });
      });
      return releasing;
    },
  };
}
