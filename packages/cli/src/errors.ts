import { defineErrors, type StratusError } from '@stratus/core';

/**
 * The errors the `stratus` command and `startStack` throw. A shipped code is never reused.
 *
 * - `CLI_ERR_INVALID_MANIFEST` (400): the stack manifest (`stratus.yml`) or an option that
 *   changes it is invalid; every problem, one line each.
 * - `CLI_ERR_PORT_IN_USE` (409): a fixed port of the stack is taken by another process.
 * - `CLI_ERR_START_FAILED` (503): a process exited or did not become healthy while the stack
 *   started; carries the process's last log lines.
 * - `CLI_ERR_UNKNOWN_PROCESS` (404): a name that is not a process of the running stack.
 *
 * @example
 * if (CliErrors.PORT_IN_USE.is(error)) process.exitCode = 2;
 */
export const CliErrors = defineErrors('CLI', {
  INVALID_MANIFEST: { status: 400, title: 'Invalid stack manifest', retryable: false },
  PORT_IN_USE: { status: 409, title: 'Port in use', retryable: false },
  START_FAILED: { status: 503, title: 'Stack failed to start' },
  UNKNOWN_PROCESS: { status: 404, title: 'Unknown process', retryable: false },
});

/** `CLI_ERR_INVALID_MANIFEST` listing every problem of `file`. */
export function invalidManifestError(file: string, problems: readonly string[]): StratusError {
  return CliErrors.INVALID_MANIFEST({
    message: `${file} is invalid; nothing was started:\n  ${problems.join('\n  ')}`,
    details: { file, problems: [...problems] },
  });
}

/** A port the stack needs, and who holds it when that could be found out. */
export interface PortConflict {
  readonly port: number;
  /** The process of the stack that needs the port. */
  readonly process: string;
  /** The process holding it, from /proc on Linux; null when unknown. */
  readonly holder: { readonly pid: number; readonly command: string } | null;
}

/** `CLI_ERR_PORT_IN_USE` naming each taken port and its holder. */
export function portInUseError(conflicts: readonly PortConflict[]): StratusError {
  const lines = conflicts.map(
    (c) =>
      `port ${c.port} (${c.process}) is in use${
        c.holder ? ` by pid ${c.holder.pid} (${c.holder.command})` : ' by another process'
      }`,
  );
  return CliErrors.PORT_IN_USE({
    message: `${lines.join('; ')}; stop it, or give the process another port (--registry-port, --config-port, --gateway-port, or \`port:\` in stratus.yml)`,
    details: { conflicts: conflicts.map((c) => ({ ...c })) },
  });
}

/** `CLI_ERR_START_FAILED` with the last log lines of the process that failed. */
export function stackStartError(
  reason: string,
  processId: string | null,
  lastLines: readonly string[] = [],
): StratusError {
  const tail =
    lastLines.length > 0 ? `\nlast lines of ${processId}:\n  ${lastLines.join('\n  ')}` : '';
  return CliErrors.START_FAILED({
    message: `${reason}${tail}`,
    details: { process: processId, lastLines: [...lastLines] },
  });
}

/** `CLI_ERR_UNKNOWN_PROCESS` naming the processes the stack has. */
export function unknownProcessError(name: string, known: readonly string[]): StratusError {
  return CliErrors.UNKNOWN_PROCESS({
    message: `no process named '${name}' in this stack (known: ${known.join(', ')})`,
    details: { name, known: [...known] },
  });
}
