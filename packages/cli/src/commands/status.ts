import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  readStateFile,
  REAPER_REPORT_NAME,
  stateFilePath,
  type LauncherState,
} from '../internal/state-file.js';

/**
 * `stratus status`: the launcher's view (processes, pids, restarts, last exits) from the
 * state file in the data folder, then the registry's view (instances and their health).
 */
export async function status(opts: { dataDir: string; registry?: string }): Promise<void> {
  const state = readStateFile(stateFilePath(resolve(opts.dataDir)));
  if (state) process.stdout.write(launcherReport(state));
  else process.stdout.write(`no stratus up state in ${opts.dataDir}\n`);
  const reaped = reaperReport(join(resolve(opts.dataDir), REAPER_REPORT_NAME));
  if (reaped) process.stdout.write(reaped);
  const registry = opts.registry ?? (state?.urls.registry || 'http://127.0.0.1:8761');
  try {
    process.stdout.write(await registryReport(registry));
  } catch (error) {
    process.stdout.write(
      `registry ${registry}: unreachable (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message})\n`,
    );
    if (!state) process.exitCode = 1;
  }
}

export function launcherReport(state: LauncherState): string {
  const alive = state.launcher.running && isAlive(state.launcher.pid);
  const header = alive
    ? `stratus up (pid ${state.launcher.pid}) running since ${state.launcher.startedAt}`
    : `stratus up (pid ${state.launcher.pid}) is not running; last state from ${state.updatedAt}`;
  const rows = state.processes.map((p) => [
    p.id,
    p.status,
    String(p.pid ?? '-'),
    String(p.port ?? '-'),
    String(p.restarts),
    p.lastExit
      ? `${p.lastExit.signal ?? `code ${p.lastExit.code}`} at ${p.lastExit.at.slice(11, 19)}`
      : '-',
  ]);
  const table = [['PROCESS', 'STATUS', 'PID', 'PORT', 'RESTARTS', 'LAST EXIT'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  return `${header}\n${lines.join('\n')}\n\n`;
}

/** What the watchdog did when the last launcher died, if it did. */
function reaperReport(path: string): string | null {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as {
      launcherPid: number;
      at: string;
      terminated: number[];
      killed: number[];
    };
    return `the launcher (pid ${report.launcherPid}) died at ${report.at}: its watchdog stopped ${report.terminated.length} processes (${report.killed.length} had to be killed)\n\n`;
  } catch {
    return null;
  }
}

async function registryReport(registry: string): Promise<string> {
  const response = await fetch(`${registry.replace(/\/$/, '')}/eureka/apps`, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  if (response.status !== 200) throw new Error(`answered ${response.status}`);
  const body = (await response.json()) as {
    applications: {
      application: Array<{
        name: string;
        instance: Array<{
          instanceId?: string;
          hostName: string;
          status: string;
          healthCheckUrl?: string;
        }>;
      }>;
    };
  };
  const lines = [`registry ${registry}:`];
  for (const app of body.applications.application) {
    for (const instance of app.instance) {
      let health = '-';
      if (instance.healthCheckUrl) {
        try {
          const h = await fetch(instance.healthCheckUrl, { signal: AbortSignal.timeout(2000) });
          health = ((await h.json()) as { status?: string }).status ?? String(h.status);
        } catch {
          health = 'UNREACHABLE';
        }
      }
      lines.push(
        `${app.name.padEnd(20)} ${(instance.instanceId ?? instance.hostName).padEnd(40)} ${instance.status.padEnd(8)} health=${health}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
