// Starts and stops the servers under test, each in its own process on a free loopback port:
// Spring's apps with the machine's `java -jar` (JVM defaults, as the run), Stratus's with
// `node stratus.mjs`. Readiness is a GET answered 200; memory is VmRSS from /proc.
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

/** Builds (or finds cached) `.infra/vs-spring/<name>.jar` with build.sh; its path. */
export function springJar(name) {
  return execFileSync(`${HERE}build.sh`, [name], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .toString()
    .trim();
}

/** Resident memory of `pid` in bytes (Linux). */
export async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function waitReady(origin, readyPath, child, timeoutMs) {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server for ${origin} exited (${child.exitCode})`);
    try {
      const response = await fetch(`${origin}${readyPath}`, {
        headers: { accept: 'application/json' },
      });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`${origin}${readyPath} not ready after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function stopper(child) {
  return () =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
}

/**
 * Starts one server. `kind`: `spring-eureka`, `spring-config`, `stratus-registry`,
 * `stratus-config`; `flags` are Spring `--name=value` flags for either. Resolves once
 * `readyPath` answers 200. With `profileDir`, a Stratus server writes a CPU profile there when
 * it stops (summarise it with profile-summary.mjs).
 */
export async function startServer({
  label,
  kind,
  flags = [],
  readyPath,
  readyTimeoutMs = 180_000,
  profileDir = null,
}) {
  const port = await freePort();
  const args = [`--server.port=${port}`, '--server.address=127.0.0.1', ...flags];
  let child;
  if (kind.startsWith('spring-')) {
    const jar = springJar(kind === 'spring-eureka' ? 'eureka' : 'config');
    child = spawn('java', ['-jar', jar, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    const which = kind === 'stratus-registry' ? 'registry' : 'config-server';
    child = fork(`${HERE}stratus.mjs`, [which, String(port), ...flags], {
      cwd: ROOT,
      execArgv: profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
  }
  const origin = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    const startMs = await waitReady(origin, readyPath, child, readyTimeoutMs);
    return { label, kind, origin, pid: child.pid, startMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
