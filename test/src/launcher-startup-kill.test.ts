// `stratus up` killed with SIGKILL in the middle of its start-up, while services are booting:
// every child stops within 5 s, and a start right after comes up healthy (issue 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, tempDir } from './support.js';
import { canBind, isRunning, spawnUp, waitAllGone } from './launcher-support.js';

test(
  'SIGKILL of the launcher during start-up: within 5 s no child remains, and the next start is healthy',
  { timeout: 120_000, skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    // No stratus.yml in the working folder: the default stack (platform and shop).
    const cwd = await tempDir(t, 'stratus-startup-kill-');
    const dataDir = await tempDir(t, 'stratus-startup-kill-data-');
    const ports = [await freePort(), await freePort(), await freePort()];
    const args = [
      `--data-dir=${dataDir}`,
      `--registry-port=${ports[0]}`,
      `--config-port=${ports[1]}`,
      `--gateway-port=${ports[2]}`,
    ];
    const first = spawnUp(t, args, cwd);
    // The platform is up and the services are booting: some processes are still starting.
    const booting = new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (first.output.some((line) => line.startsWith('user-service'))) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      first.ready.then(
        () => reject(new Error('the stack came up before it could be killed during start-up')),
        reject,
      );
    });
    await booting;
    const children = first.children();
    assert.ok(children.length >= 4, `children while starting: ${children.length}`);
    first.child.kill('SIGKILL');
    const tookMs = await waitAllGone(children, 5000);
    t.diagnostic(`${children.length} children gone ${tookMs} ms after SIGKILL during start-up`);
    assert.ok(tookMs >= 0, `still running: ${children.filter(isRunning).join(', ')}`);
    for (const port of ports) assert.ok(await canBind(port), `port ${port} is still taken`);

    const second = spawnUp(t, args, cwd);
    await second.ready;
    assert.ok(
      second.output.some((line) => line.includes('running the platform and the sample shop')),
    );
    const next = second.children();
    assert.equal(await second.stop(), 0);
    assert.ok((await waitAllGone(next, 1000)) >= 0, 'Ctrl-C stopped every child');
  },
);
