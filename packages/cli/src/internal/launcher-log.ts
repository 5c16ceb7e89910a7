import { colourFor, formatLogLine } from '../log-format.js';

const LEVELS = { info: 30, warn: 40, error: 50 } as const;

/** The combined log of `stratus up`: every process's lines under its name, and the launcher's own. */
export interface LauncherLog {
  /** A line a process wrote. */
  child(id: string, line: string): void;
  /** A line of the launcher itself (name `stratus`): a constant message, data in fields. */
  write(level: keyof typeof LEVELS, msg: string, fields?: Record<string, unknown>): void;
  /** A process's last lines, after the launcher reported it failed or unhealthy. */
  lastLines(id: string, lines: readonly string[]): void;
}

/** The launcher's own name in the combined log. */
export const LAUNCHER_NAME = 'stratus';

export function createLauncherLog(options: {
  output: NodeJS.WritableStream | null;
  colour: boolean;
  ids: readonly string[];
  /** Colour index of each process name. */
  colourIndex: (id: string) => number;
  now: () => number;
}): LauncherLog {
  const width = Math.max(LAUNCHER_NAME.length, ...options.ids.map((id) => id.length));
  const emit = (text: string) => {
    try {
      options.output?.write(`${text}\n`);
    } catch {
      // A closed output must not take the stack down.
    }
  };
  const colourOf = (id: string) => (options.colour ? colourFor(options.colourIndex(id)) : null);
  return {
    child: (id, line) => emit(formatLogLine(id, line, colourOf(id), width)),
    write(level, msg, fields = {}) {
      const record = JSON.stringify({ level: LEVELS[level], time: options.now(), msg, ...fields });
      emit(formatLogLine(LAUNCHER_NAME, record, options.colour ? 1 : null, width));
    },
    lastLines(id, lines) {
      if (lines.length === 0) return;
      emit(formatLogLine(LAUNCHER_NAME, `last ${lines.length} lines of ${id}:`, null, width));
      for (const line of lines) emit(formatLogLine(id, line, colourOf(id), width));
    },
  };
}
