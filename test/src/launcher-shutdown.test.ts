// How a Stratus process ends (runApplication in @stratus/boot), whatever its launcher or its
// stdout pipe does. Regression for the registry that, after `kill -9` of `stratus up`, closed
// its port but never exited and ignored SIGTERM: its exit handler retried a log write to the
// dead pipe forever (pino's SonicBoom.flushSync loops on EPIPE), blocking the event loop.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './support.js';

const HELLO = fileURLToPath(new URL('../fixtures/hello-service/main.js', import.meta.url));
const STANDALONE = ['--server.port=0', '--eureka.client.enabled=false', '--spring.config.import='];

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterMs: number;
}

/** Starts the hello-service fixture with stdout/stderr pipes and waits for `application started`. */
async function startHello(
  t: TestContext,
  flags: string[],
  stdio: 'pipe' | 'ipc' = 'pipe',
): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, [HELLO, ...STANDALONE, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe', ...(stdio === 'ipc' ? (['ipc'] as const) : [])],
    env: { ...process.env, STRATUS_LOG_FORMAT: 'json' },
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.includes('application started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hello-service exited with ${code}`)));
  });
  return { child, lines };
}

/** Resolves when `child` exits, with how long it took since now. */
function exitOf(child: ChildProcess): Promise<Exit> {
  const started = Date.now();
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - started })),
  );
}

/** The reader of the child's output goes away, as when the launcher is killed. */
function closePipes(child: ChildProcess): void {
  child.stdout!.destroy();
  child.stderr!.destroy();
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (isRunning(pid)) {
    if (Date.now() - started > timeoutMs) return -1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

test(
  'SIGTERM to a child whose stdout is a closed pipe still exits gracefully, logging on',
  { timeout: 30_000 },
  async (t) => {
    const { child, lines } = await startHello(t, ['--fixture.close-delay-ms=300']);
    const exited = exitOf(child);
    // The pipe dies while the child is shutting down: its next lines go nowhere.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('shutting down')) closePipes(child);
    });
    child.kill('SIGTERM');
    const exit = await exited;
    t.diagnostic(`exited ${exit.afterMs} ms after SIGTERM`);
    assert.equal(exit.signal, null, lines.slice(-5).join('\n'));
    assert.equal(exit.code, 0);
    assert.ok(exit.afterMs < 5000);
  },
);

test(
  'SIGTERM to a child whose stdout is a closed pipe and whose close hangs exits at the end of its budget',
  { timeout: 30_000 },
  async (t) => {
    const { child } = await startHello(t, [
      '--fixture.hang-on-close=true',
      '--spring.lifecycle.timeout-per-shutdown-phase=2s',
    ]);
    closePipes(child);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const exit = await exited;
    t.diagnostic(`forced out ${exit.afterMs} ms after SIGTERM (budget 2000 ms)`);
    assert.deepEqual([exit.code, exit.signal], [1, null], 'the in-process forced exit');
    assert.ok(exit.afterMs >= 1900 && exit.afterMs < 4500, `${exit.afterMs} ms`);
  },
);

test(
  'a child whose event loop is stuck during shutdown is killed by its watchdog thread after the budget',
  { timeout: 30_000 },
  async (t) => {
    const { child } = await startHello(t, [
      '--fixture.block-on-close=true',
      '--spring.lifecycle.timeout-per-shutdown-phase=1s',
    ]);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const exit = await exited;
    t.diagnostic(
      `killed ${exit.afterMs} ms after SIGTERM (budget 1000 ms, then 1500 ms for the exit)`,
    );
    assert.equal(exit.signal, 'SIGKILL');
    assert.ok(exit.afterMs < 5000, `${exit.afterMs} ms`);
  },
);

test('a second SIGTERM ends the process at once', { timeout: 30_000 }, async (t) => {
  const { child } = await startHello(t, ['--fixture.hang-on-close=true']);
  const exited = exitOf(child);
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGTERM');
  const exit = await exited;
  assert.equal(exit.signal, 'SIGTERM');
  assert.ok(exit.afterMs < 3000, `${exit.afterMs} ms`);
});

test(
  'a child that fails to start while its stdout is gone exits with code 1',
  { timeout: 30_000 },
  async (t) => {
    const child = spawn(process.execPath, [HELLO, ...STANDALONE, '--fixture.fail-start=true'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRATUS_LOG_FORMAT: 'json' },
    });
    t.after(() => child.kill('SIGKILL'));
    closePipes(child);
    const exit = await exitOf(child);
    assert.deepEqual([exit.code, exit.signal], [1, null]);
  },
);

/**
 * A stand-in launcher: spawns hello-service as `stratus up` does (own process group,
 * stdout/stderr pipes it reads, optionally an IPC channel, STRATUS_LAUNCHER_PID), prints the
 * child's pid, and either lives on or exits at once (`exit-now`).
 */
function standInLauncher(dir: string, mode: { ipc: boolean; exitNow: boolean }): string {
  const script = join(dir, `launcher-${mode.ipc ? 'ipc' : 'pid'}-${mode.exitNow}.mjs`);
  writeFileSync(
    script,
    `import { spawn } from 'node:child_process';
     import { createInterface } from 'node:readline';
     const child = spawn(process.execPath, ${JSON.stringify([HELLO, ...STANDALONE])}, {
       detached: true,
       stdio: ['ignore', 'pipe', 'pipe'${mode.ipc ? ", 'ipc'" : ''}],
       env: { ...process.env, STRATUS_LOG_FORMAT: 'json', STRATUS_LAUNCHER_PID: String(process.pid) },
     });
     console.log('PID ' + child.pid);
     ${mode.exitNow ? 'process.exit(0);' : ''}
     createInterface({ input: child.stdout }).on('line', (line) => {
       if (line.includes('application started')) console.log('READY');
     });
     createInterface({ input: child.stderr }).on('line', () => {});`,
  );
  return script;
}

async function runStandIn(
  t: TestContext,
  mode: { ipc: boolean; exitNow: boolean },
): Promise<{ launcher: ChildProcess; pid: number; ready: Promise<void> }> {
  const dir = await tempDir(t, 'stratus-launcher-');
  const launcher = spawn(process.execPath, [standInLauncher(dir, mode)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => launcher.kill('SIGKILL'));
  const lines = createInterface({ input: launcher.stdout! });
  const pid = await new Promise<number>((resolve) =>
    lines.once('line', (line) => resolve(Number(line.slice(4)))),
  );
  t.after(() => {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });
  const ready = new Promise<void>((resolve) =>
    lines.on('line', (line) => line === 'READY' && resolve()),
  );
  return { launcher, pid, ready };
}

test(
  'a child stops within 5 s when its launcher is killed with SIGKILL (IPC channel closes)',
  { timeout: 30_000 },
  async (t) => {
    const { launcher, pid, ready } = await runStandIn(t, { ipc: true, exitNow: false });
    await ready;
    launcher.kill('SIGKILL');
    const tookMs = await waitGone(pid, 5000);
    t.diagnostic(`child gone ${tookMs} ms after the launcher was killed`);
    assert.ok(tookMs >= 0, 'the orphaned child is still running after 5 s');
  },
);

test(
  'a child without an IPC channel stops within 5 s when its parent pid stops being the launcher',
  { timeout: 30_000 },
  async (t) => {
    const { launcher, pid, ready } = await runStandIn(t, { ipc: false, exitNow: false });
    await ready;
    launcher.kill('SIGKILL');
    const tookMs = await waitGone(pid, 5000);
    t.diagnostic(`child gone ${tookMs} ms after the launcher was killed`);
    assert.ok(tookMs >= 0, 'the orphaned child is still running after 5 s');
  },
);

test(
  'a child whose launcher died before its code ran (IPC already closed) stops by itself',
  { timeout: 30_000 },
  async (t) => {
    const { pid } = await runStandIn(t, { ipc: true, exitNow: true });
    // The child notices only once its code runs, after loading its modules: on a loaded 2-core
    // CI machine that alone once took over 8 s. What matters is that it ends by itself.
    const tookMs = await waitGone(pid, 20_000);
    t.diagnostic(`child gone ${tookMs} ms after it was spawned`);
    assert.ok(tookMs >= 0, 'the orphaned child is still running');
  },
);

test(
  'a child started by a launcher with an IPC channel still exits on SIGTERM from it',
  { timeout: 30_000 },
  async (t) => {
    const { child } = await startHello(t, [], 'ipc');
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const exit = await exited;
    assert.deepEqual([exit.code, exit.signal], [0, null]);
  },
);
