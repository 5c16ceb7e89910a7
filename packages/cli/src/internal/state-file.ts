import { readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessState } from '../stack.js';

/** The file in the data folder where a running `stratus up` publishes its state. */
export const STATE_FILE_NAME = 'stratus-up.json';

/** What `stratus status` reads. */
export interface LauncherState {
  readonly launcher: {
    readonly pid: number;
    readonly running: boolean;
    readonly startedAt: string;
  };
  readonly updatedAt: string;
  readonly urls: Readonly<Record<string, string>>;
  readonly processes: readonly ProcessState[];
}

/** What the watchdog did after the launcher died (see reaper-main.ts). */
export const REAPER_REPORT_NAME = 'stratus-up-reaper.json';

export function stateFilePath(dataDir: string): string {
  return join(dataDir, STATE_FILE_NAME);
}

/**
 * Writes the state atomically (a temporary file renamed over the old one, so a reader
 * never sees half a file), readable by the owner only: it names pids and ports.
 */
export function writeStateFile(path: string, state: LauncherState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    // Publishing state is best effort; the stack runs on without it.
    rmSync(temporary, { force: true });
  }
}

/** The published state, or null when there is none or it is not a launcher state. */
export function readStateFile(path: string): LauncherState | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  const state = parsed as Partial<LauncherState> | null;
  if (
    typeof state !== 'object' ||
    state === null ||
    typeof state.launcher?.pid !== 'number' ||
    !Array.isArray(state.processes)
  )
    return null;
  return state as LauncherState;
}
