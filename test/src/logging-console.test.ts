// Logging of a real Stratus process (the registry, run by the `stratus` command), as a user or a
// machine sees it: JSON lines on a pipe, Spring's text once `logging.pattern.console` is set,
// JSON again when the launcher forces STRATUS_LOG_FORMAT=json (it parses the children's lines),
// a Spring Boot file with `logging.file.name`, and one clear line when a level is not a level.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '@stratus/cli';
import { tempDir } from './support.js';

const CLI = resolve(REPO_ROOT, 'packages/cli/bin/stratus.js');
const START_TIMEOUT_MS = 30_000;

interface Run {
  lines: string[];
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

async function runRegistry(
  t: TestContext,
  flags: string[],
  env: Record<string, string> = {},
): Promise<Run> {
  const dir = await tempDir(t, 'stratus-logging-e2e-');
  const { STRATUS_LOG_FORMAT: _ignored, ...inherited } = process.env;
  const child = spawn(
    process.execPath,
    [
      CLI,
      'registry',
      '--server.port=0',
      '--server.address=127.0.0.1',
      `--stratus.data-dir=${join(dir, 'data')}`,
      '--spring.config.import=',
      ...flags,
    ],
    { cwd: dir, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  // Until it has started (or exited, or the generous start budget ran out).
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (
    child.exitCode === null &&
    Date.now() < deadline &&
    !lines.some((line) => line.includes('application started'))
  )
    await new Promise((done) => setTimeout(done, 20));
  return {
    lines,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

test('on a pipe the console writes JSON lines, and the launcher finds the port in them', async (t) => {
  const run = await runRegistry(t, []);
  const started = run.lines.find((line) => line.includes('application started'));
  assert.ok(started, run.lines.join('\n'));
  const record = JSON.parse(started) as { msg: string; port: number; name: string; level: number };
  assert.equal(record.msg, 'application started');
  assert.equal(typeof record.port, 'number');
  assert.equal(record.level, 30);
  assert.equal(await run.stop(), 0);
});

test('logging.pattern.console switches the console to Spring-style text; STRATUS_LOG_FORMAT=json keeps JSON', async (t) => {
  const pattern = '--logging.pattern.console=%5p [%X{traceId:-}] %logger{20} : %m%n';
  const text = await runRegistry(t, [pattern]);
  const line = text.lines.find((l) => l.includes('application started'));
  assert.match(
    line ?? text.lines.join('\n'),
    /^ INFO \[\] discovery-service : application started app=discovery-service port=\d+ url=http:\/\/\S+:\d+$/,
  );
  assert.ok(
    text.lines.every((l) => !l.startsWith('{')),
    'no JSON line once text is chosen',
  );
  assert.equal(await text.stop(), 0);

  const forced = await runRegistry(t, [pattern], { STRATUS_LOG_FORMAT: 'json' });
  const json = forced.lines.find((l) => l.includes('application started'));
  assert.equal((JSON.parse(json ?? '{}') as { msg?: string }).msg, 'application started');
  assert.equal(await forced.stop(), 0);
});

test('logging.file.name writes Spring Boot file lines, flushed by a graceful stop', async (t) => {
  const dir = await tempDir(t, 'stratus-logfile-e2e-');
  const file = join(dir, 'logs', 'registry.log');
  const run = await runRegistry(t, [
    `--logging.file.name=${file}`,
    '--logging.level.registry=debug',
  ]);
  assert.equal(await run.stop(), 0);
  const text = await readFile(file, 'utf8');
  const iso = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{2}:\d{2})`;
  assert.match(
    text,
    new RegExp(
      `^${iso}  INFO \\d+ --- \\[discovery-service\\] \\[main\\] discovery-service +: application started `,
      'm',
    ),
  );
  assert.match(
    text,
    /: application stopped app=discovery-service$/m,
    'the last line reached the file',
  );
  assert.doesNotMatch(text, /^\{/m, 'the file has text lines, not JSON');
});

test('an unknown level stops start-up with exit code 1 and one line naming the key', async (t) => {
  const run = await runRegistry(t, ['--logging.level.com.example=verbose']);
  assert.equal(await run.exited, 1);
  const mentions = run.lines.filter((line) => line.includes('logging.level.com.example'));
  assert.equal(mentions.length, 1, run.lines.join('\n'));
  const record = JSON.parse(mentions[0]!) as { msg: string; err: { message: string } };
  assert.equal(record.msg, 'application failed to start');
  assert.equal(
    record.err.message,
    "logging.level.com.example: 'verbose' is not a log level; expected one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF",
  );
});
