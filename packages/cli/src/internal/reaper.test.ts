import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startReaper } from './reaper.js';

// Tests compile to dist-test/; the reaper is runtime code and lives in dist/.
const REAPER = fileURLToPath(new URL('../../dist/internal/reaper.js', import.meta.url));

/** True while `pid` runs (a zombie does not: its port is free and only its parent can reap it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

test(
  'when the launcher is killed with SIGKILL, the watchdog stops its children, even one that ignores SIGTERM',
  { timeout: 30_000, skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-reaper-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const report = join(dir, 'report.json');
    // A stand-in launcher: starts the watchdog, a polite child and a stubborn one, tracks both.
    const launcherScript = join(dir, 'launcher.mjs');
    writeFileSync(
      launcherScript,
      `import { spawn } from 'node:child_process';
       import { startReaper } from ${JSON.stringify(REAPER)};
       const reaper = startReaper({ graceMs: 1500, reportPath: ${JSON.stringify(report)} });
       const idle = "console.log('ready'); setInterval(() => {}, 1000)";
       const polite = spawn(process.execPath, ['-e', idle], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
       const stubborn = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); " + idle], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
       // Each has its handlers in place once it printed.
       await Promise.all([polite, stubborn].map((c) => new Promise((resolve) => c.stdout.once('data', resolve))));
       await reaper.ready;
       reaper.track(polite.pid); reaper.track(stubborn.pid);
       console.log(JSON.stringify({ reaper: reaper.pid, polite: polite.pid, stubborn: stubborn.pid }));`,
    );
    const launcher = spawn(process.execPath, [launcherScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids = await new Promise<{ reaper: number; polite: number; stubborn: number }>(
      (resolve) =>
        createInterface({ input: launcher.stdout! }).once('line', (line) =>
          resolve(JSON.parse(line)),
        ),
    );
    t.after(() => {
      for (const pid of Object.values(pids)) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    });
    assert.ok(isRunning(pids.polite) && isRunning(pids.stubborn));
    launcher.kill('SIGKILL');
    const tookMs = await until(() => !isRunning(pids.polite) && !isRunning(pids.stubborn), 5000);
    t.diagnostic(`children gone ${tookMs} ms after the launcher was killed`);
    await until(() => !isRunning(pids.reaper), 3000);
    const done = JSON.parse(readFileSync(report, 'utf8')) as {
      terminated: number[];
      killed: number[];
    };
    assert.deepEqual(done.terminated.sort(), [pids.polite, pids.stubborn].sort());
    assert.deepEqual(done.killed, [pids.stubborn], 'only the one ignoring SIGTERM needed SIGKILL');
  },
);

test('a released watchdog exits and leaves the children alone', { timeout: 30_000 }, async (t) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    detached: true,
    stdio: 'ignore',
  });
  t.after(() => child.kill('SIGKILL'));
  const reaper = startReaper({ graceMs: 500 });
  assert.equal(await reaper.ready, true);
  reaper.track(child.pid!);
  await reaper.release();
  await reaper.release();
  assert.equal(isRunning(reaper.pid!), false);
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(isRunning(child.pid!), true);
});
