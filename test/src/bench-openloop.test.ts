// The open-loop generator of bench:gateway (bench/gateway/openloop.c) measures what the
// gateway's latency target is judged by, so its accounting is tested like product code: a fixed
// rate whatever the server does, latency from each request's due time (a stall is counted for
// every request it delayed), answers framed by Content-Length, and loopback only.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type TestContext } from 'node:test';

const SOURCE = fileURLToPath(new URL('../../bench/gateway/openloop.c', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = (file: string, args: string[]): Promise<Run> =>
  new Promise((resolve) =>
    execFile(file, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    ),
  );

/** Compiles the generator into a temporary folder; skips (or fails under CI) without `cc`. */
async function buildGenerator(t: TestContext): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-openloop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const binary = join(dir, 'openloop');
  const built = await run('cc', ['-O2', '-o', binary, SOURCE]);
  if (built.code !== 0) {
    if (process.env['CI'] === 'true') assert.fail(`cc could not build openloop.c: ${built.stderr}`);
    t.skip('no C compiler (cc) here to build bench/gateway/openloop.c');
    return null;
  }
  return binary;
}

async function listen(t: TestContext, server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

interface Summary {
  readonly requests: number;
  readonly errors: number;
  readonly achievedRps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

test('a server stall is counted for every request it delayed, at the rate asked', async (t) => {
  const binary = await buildGenerator(t);
  if (binary === null) return;
  let served = 0;
  // One 300 ms stall of the whole event loop after the warm-up; every other answer is at once.
  const server = createServer((_request, response) => {
    served++;
    if (served === 700) {
      const until = Date.now() + 300;
      while (Date.now() < until);
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('ok');
  });
  const port = await listen(t, server);
  const result = await run(binary, ['127.0.0.1', String(port), '/x', '500', '2', '4', '1']);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.requests, 1000, 'every request due after the warm-up is measured');
  assert.equal(summary.errors, 0);
  assert.ok(summary.p50Ms < 50, `p50 ${summary.p50Ms} ms`);
  assert.ok(summary.maxMs >= 250, `the stall shows in the worst latency (${summary.maxMs} ms)`);
  // A closed-loop tool would count the stall once; from due times, the ~150 requests that fell
  // due during it are all late, so more than 1 % of the run is: the p99 sees it.
  assert.ok(summary.p99Ms >= 100, `p99 ${summary.p99Ms} ms counts the delayed requests`);
});

test('answers without Content-Length are errors, and Connection: close opens a new connection', async (t) => {
  const binary = await buildGenerator(t);
  if (binary === null) return;
  let requests = 0;
  const sockets = new Set<unknown>();
  const server = createServer((request, response) => {
    requests++;
    sockets.add(request.socket);
    if (requests % 50 === 0) {
      response.writeHead(200, { 'content-type': 'text/plain' }); // chunked: not framed
      response.end('no length');
      return;
    }
    response.setHeader('content-length', 2);
    if (requests % 10 === 0) response.setHeader('connection', 'close');
    response.end('ok');
  });
  const port = await listen(t, server);
  const result = await run(binary, ['127.0.0.1', String(port), '/x', '200', '1', '2', '0']);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  assert.equal(summary.errors, 4, 'the 4 answers without Content-Length');
  assert.match(result.stderr, /without Content-Length/);
  assert.ok(sockets.size > 10, `connections were reopened after close (${sockets.size})`);
});

test('anything but a loopback address, and unbounded runs, are refused', async (t) => {
  const binary = await buildGenerator(t);
  if (binary === null) return;
  for (const args of [
    ['10.0.0.1', '80', '/', '10', '1', '1', '0'],
    ['example.org', '80', '/', '10', '1', '1', '0'],
    ['127.0.0.1', '80', '/', '1000000', '1', '1', '0'],
    ['127.0.0.1', '80', '/', '10', '3600', '1', '0'],
  ]) {
    const result = await run(binary, args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /loopback only|rate \(0/);
  }
});
