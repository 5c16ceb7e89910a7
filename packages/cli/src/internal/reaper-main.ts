// The launcher's watchdog, a process of its own: it outlives a launcher killed with SIGKILL
// (no handler runs then) and stops the processes the launcher had started. Started by
// `startReaper()` with an IPC channel; `track`/`untrack` messages name the process groups.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const graceMs = Number(process.argv[2] ?? 4000);
/** Where to write what was done, for `stratus status` and the tests; none when empty. */
const reportPath = process.argv[3] ?? '';
const launcherPid = process.ppid;
const tracked = new Set<number>();
let released = false;
let reaping = false;

process.on('message', (message: { type?: string; pid?: unknown }) => {
  if (message.type === 'release') released = true;
  if (typeof message.pid !== 'number' || !Number.isInteger(message.pid) || message.pid <= 1) return;
  if (message.type === 'track') tracked.add(message.pid);
  if (message.type === 'untrack') tracked.delete(message.pid);
});
process.on('disconnect', () => {
  if (released) process.exit(0);
  void reap();
});
// Messages sent before the listener above existed are lost, so the launcher waits for this.
if (process.connected) process.send?.({ type: 'ready' });
else void reap();
// A launcher that lost its IPC channel some other way is noticed by its pid.
setInterval(() => {
  if (process.ppid !== launcherPid) void reap();
}, 500).unref();

async function reap(): Promise<void> {
  if (reaping) return;
  reaping = true;
  const startedAt = Date.now();
  const terminated = [...tracked].filter(isRunning);
  for (const pid of tracked) signalGroup(pid, 'SIGTERM');
  const deadline = startedAt + graceMs;
  while (Date.now() < deadline && [...tracked].some(isRunning))
    await new Promise((resolve) => setTimeout(resolve, 100));
  const killed = [...tracked].filter(isRunning);
  // The whole group, also when its leader is gone: `sh -c` or Maven may have left a JVM behind.
  for (const pid of tracked) signalGroup(pid, 'SIGKILL');
  report({
    launcherPid,
    at: new Date(startedAt).toISOString(),
    terminated,
    killed,
    tookMs: Date.now() - startedAt,
  });
  process.exit(0);
}

function report(content: object): void {
  if (reportPath === '') return;
  try {
    writeFileSync(`${reportPath}.tmp`, `${JSON.stringify(content)}\n`, { mode: 0o600 });
    renameSync(`${reportPath}.tmp`, reportPath);
  } catch {
    // best effort: the data folder may be gone
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
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

/** Alive and not a zombie (a zombie's port is already free; only its parent can reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
