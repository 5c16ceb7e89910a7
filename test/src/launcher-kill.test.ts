// `stratus up` with a user's stratus.yml, then killed with SIGKILL while it serves: no child
// may outlive it (issue 7). The launcher runs as a real process so that it can be SIGKILLed;
// its children are found by pid through /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, freePort, tempDir } from './support.js';
import {
  canBind,
  isRunning,
  spawnUp,
  summaryPorts,
  userProject,
  waitAllGone,
} from './launcher-support.js';

test(
  "a user's own service in stratus.yml is started, registered and routed; SIGKILL of the launcher leaves nothing behind",
  { timeout: 150_000, skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    const project = await userProject(t);
    const dataDir = await tempDir(t, 'stratus-kill-data-');
    const ports = {
      registry: await freePort(),
      config: await freePort(),
      gateway: await freePort(),
    };
    const args = [
      `--data-dir=${dataDir}`,
      `--registry-port=${ports.registry}`,
      `--config-port=${ports.config}`,
      `--gateway-port=${ports.gateway}`,
    ];
    const gateway = `http://127.0.0.1:${ports.gateway}`;

    const first = spawnUp(t, args, project);
    await first.ready;
    assert.ok(first.output.includes('stratus up: running stratus.yml'), first.output[0]);

    await t.test('the service answers through the gateway and is registered', async () => {
      const hello = await call<{ message: string; port: number }>(`${gateway}/hello-service/hello`);
      assert.equal(hello.status, 200);
      assert.equal(hello.body.message, 'Hello from hello-service');
      const apps = await call<{ applications: { application: Array<{ name: string }> } }>(
        `http://127.0.0.1:${ports.registry}/eureka/apps`,
        { headers: { accept: 'application/json' } },
      );
      assert.ok(apps.body.applications.application.some((a) => a.name === 'HELLO-SERVICE'));
    });

    await t.test('within 5 s of SIGKILL no child remains and every port is free', async () => {
      const children = first.children();
      const usedPorts = summaryPorts(first.output);
      assert.ok(children.length >= 8, `7 processes and the watchdog, got ${children.length}`);
      assert.ok(usedPorts.length >= 7, usedPorts.join(','));
      first.child.kill('SIGKILL');
      const tookMs = await waitAllGone(children, 5000);
      t.diagnostic(
        `all ${children.length} children gone ${tookMs} ms after SIGKILL of the launcher`,
      );
      assert.ok(tookMs >= 0, `still running: ${children.filter(isRunning).join(', ')}`);
      for (const port of usedPorts) assert.ok(await canBind(port), `port ${port} is still taken`);
      const report = JSON.parse(readFileSync(join(dataDir, 'stratus-up-reaper.json'), 'utf8')) as {
        terminated: number[];
        killed: number[];
      };
      assert.equal(report.terminated.length, children.length - 1);
      // The watchdog only had to ask: every process stopped by itself, none hung on a dead pipe.
      assert.deepEqual(report.killed, []);
    });

    await t.test('a second start right after comes up healthy and stops on Ctrl-C', async () => {
      const second = spawnUp(t, args, project);
      await second.ready;
      const hello = await call(`${gateway}/hello-service/hello`);
      assert.equal(hello.status, 200);
      const catalog = await call(`${gateway}/catalog-service/catalogs`);
      assert.equal(catalog.status, 200);
      const children = second.children();
      assert.equal(await second.stop(), 0);
      assert.equal((await waitAllGone(children, 1000)) >= 0, true, 'Ctrl-C stopped every child');
      const state = JSON.parse(readFileSync(join(dataDir, 'stratus-up.json'), 'utf8')) as {
        launcher: { running: boolean };
        processes: Array<{ status: string }>;
      };
      assert.equal(state.launcher.running, false);
      assert.ok(state.processes.every((p) => p.status === 'stopped'));
    });
  },
);
