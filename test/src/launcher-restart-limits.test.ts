// Supervision limits and start-up failures of startStack (issue 8), on small stacks of plain
// commands so that they run in seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { isStratusError } from '@stratus/core';
import { parseManifest, startStack, type StackManifest } from '@stratus/cli';
import { eventually, freePort, tempDir } from './support.js';
import { isRunning } from './launcher-support.js';

/** A manifest of commands run by this Node (`node -e <code>`), from YAML with `@NODE@`. */
function commands(yaml: string, baseDir: string): StackManifest {
  return parseManifest(yaml.replaceAll('@NODE@', JSON.stringify(process.execPath)), {
    file: 'stratus.yml',
    baseDir,
  });
}

function collect(): { output: PassThrough; lines: string[] } {
  const output = new PassThrough();
  const lines: string[] = [];
  createInterface({ input: output }).on('line', (line) => lines.push(line));
  return { output, lines };
}

test(
  'a process that keeps crashing is reported failed after max-restarts with its last lines; the rest keeps running',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-limits-');
    const { output, lines } = collect();
    const stack = await startStack({
      dataDir: dir,
      output,
      manifest: commands(
        `processes:
  steady:
    command: [@NODE@, -e, "setInterval(() => {}, 1000)"]
  crasher:
    command: [@NODE@, -e, "console.log('crasher booting'); setTimeout(() => process.exit(3), 1000)"]
    max-restarts: 2
    restart-window-seconds: 60
  oneshot:
    command: [@NODE@, -e, "setTimeout(() => process.exit(1), 1000)"]
    restart: "no"
`,
        dir,
      ),
    });
    t.after(() => stack.stop());
    const steadyPid = stack.processes.get('steady')!.child.pid!;
    const crasher = await eventually(
      'crasher reported failed',
      async () => {
        const state = stack.status().find((p) => p.id === 'crasher')!;
        return state.status === 'failed' ? state : undefined;
      },
      30_000,
    );
    assert.equal(crasher.restarts, 2);
    assert.deepEqual([crasher.lastExit?.code, crasher.lastExit?.signal], [3, null]);
    const text = lines.join('\n');
    assert.match(text, /WARN {2}process exited process=crasher .*code=3/);
    assert.match(text, /INFO {2}restarting process process=crasher attempt=1 delayMs=250/);
    assert.match(text, /INFO {2}restarting process process=crasher attempt=2 delayMs=500/);
    assert.match(text, /ERROR process failed process=crasher restarts=2 windowSeconds=60/);
    assert.match(text, /last \d+ lines of crasher:\ncrasher +\| crasher booting/);
    const oneshot = stack.status().find((p) => p.id === 'oneshot')!;
    assert.deepEqual([oneshot.status, oneshot.restarts], ['exited', 0]);
    const steady = stack.status().find((p) => p.id === 'steady')!;
    assert.deepEqual([steady.status, steady.pid], ['healthy', steadyPid]);
    assert.ok(isRunning(steadyPid));
  },
);

test(
  'a process that never becomes healthy fails the start with its last log lines, and nothing stays running',
  { timeout: 60_000 },
  async (t) => {
    const dir = await tempDir(t, 'stratus-unhealthy-');
    const port = await freePort();
    const { output, lines } = collect();
    const started = startStack({
      dataDir: dir,
      output,
      startTimeoutMs: 3000,
      manifest: commands(
        `processes:
  steady:
    command: [@NODE@, -e, "console.log('steady up'); setInterval(() => {}, 1000)"]
  silent:
    command: [@NODE@, -e, "console.log('listening soon, promise'); setInterval(() => {}, 1000)"]
    port: ${port}
    depends-on: [steady]
`,
        dir,
      ),
    });
    await assert.rejects(started, (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'CLI_ERR_START_FAILED');
      assert.match(
        error.message,
        /^silent not healthy in time \(http:\/\/127\.0\.0\.1:\d+\/actuator\/health: .*\) during start-up/,
      );
      assert.match(error.message, /last lines of silent:\n {2}listening soon, promise/);
      return true;
    });
    assert.ok(
      lines.some((l) => l.includes('steady up')),
      'steady had started',
    );
    const state = JSON.parse(readFileSync(join(dir, 'stratus-up.json'), 'utf8')) as {
      processes: Array<{ id: string; status: string; pid: number | null }>;
    };
    assert.deepEqual(
      state.processes.map((p) => [p.id, p.status, p.pid]),
      [
        ['steady', 'stopped', null],
        ['silent', 'stopped', null],
      ],
    );
  },
);

test('a taken fixed port refuses the start, naming the port and the process holding it', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const taken = (server.address() as { port: number }).port;
  const dir = await tempDir(t, 'stratus-port-');
  await assert.rejects(
    startStack({
      dataDir: dir,
      output: null,
      registryPort: taken,
      configPort: await freePort(),
      gatewayPort: await freePort(),
    }),
    (error: unknown) => {
      assert.ok(isStratusError(error));
      assert.equal(error.code, 'CLI_ERR_PORT_IN_USE');
      assert.match(
        error.message,
        new RegExp(
          `^port ${taken} \\(discovery-service\\) is in use by pid ${process.pid} \\(.*node`,
        ),
      );
      return true;
    },
  );
});
