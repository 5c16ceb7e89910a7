import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { PortConflict } from '../errors.js';

/** True when 127.0.0.1:`port` can be bound (what the stack's processes bind). */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host }, () => server.close(() => resolve(true)));
  });
}

/** The fixed ports among `wanted` that are taken, with the holder's pid where it can be found. */
export async function findPortConflicts(
  wanted: ReadonlyArray<{ port: number; process: string }>,
): Promise<PortConflict[]> {
  const conflicts: PortConflict[] = [];
  for (const { port, process } of wanted) {
    if (await canBind(port)) continue;
    conflicts.push({ port, process, holder: findPortHolder(port) });
  }
  return conflicts;
}

/**
 * The process listening on TCP `port`, on Linux: the socket's inode from /proc/net/tcp
 * (and tcp6), then the /proc/<pid>/fd entry pointing at `socket:[inode]`. Null elsewhere,
 * or when the holder belongs to another user.
 */
export function findPortHolder(port: number): { pid: number; command: string } | null {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const inode of listeningInodes(table, port)) inodes.add(inode);
  }
  if (inodes.size === 0) return null;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1]!))
        return { pid: Number(pid), command: describeCommand(Number(pid)) };
    }
  }
  return null;
}

/** Inodes of sockets in LISTEN state (0A) on `port` in a /proc/net/tcp-format table. */
export function listeningInodes(table: string, port: number): string[] {
  let text: string;
  try {
    text = readFileSync(table, 'utf8');
  } catch {
    return [];
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local || fields[3] !== '0A' || !local.endsWith(`:${hexPort}`)) continue;
    if (fields[9] && fields[9] !== '0') inodes.push(fields[9]);
  }
  return inodes;
}

/** The start of a process's command line, with values of secret-looking flags hidden. */
export function describeCommand(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const shown = argv.slice(0, 4).map(redactArgument);
    return `${shown.join(' ')}${argv.length > 4 ? ' …' : ''}`;
  } catch {
    return 'unknown command';
  }
}

/** `--encrypt.key=…`, `--spring.datasource.password=…` with the value hidden. */
export function redactArgument(arg: string): string {
  return arg.replace(
    /^(--?[^=]*(?:key|password|secret|token|credential)[^=]*=).*$/i,
    '$1[redacted]',
  );
}
