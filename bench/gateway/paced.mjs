// The open-loop generator of bench/gateway (openloop.c, built here with the machine's C compiler
// into .infra/bench/): a fixed request rate, each latency counted from the moment its request
// was due. See openloop.c for why it is C.
import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE = join(ROOT, 'bench/gateway/openloop.c');
const BINARY = join(ROOT, '.infra/bench/openloop');

const run = (file, args, timeoutMs) =>
  new Promise((resolve, reject) =>
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file}: ${error.message} ${stderr}`.trim())) : resolve(stdout),
    ),
  );

const mtime = (path) =>
  stat(path).then(
    (s) => s.mtimeMs,
    () => -1,
  );

/** Builds the generator when it is missing or older than its source; throws without `cc`. */
export async function buildOpenLoop() {
  if ((await mtime(BINARY)) >= (await mtime(SOURCE))) return BINARY;
  await mkdir(join(ROOT, '.infra/bench'), { recursive: true });
  await run('cc', ['-O2', '-o', BINARY, SOURCE], 60_000);
  return BINARY;
}

/**
 * `ratePerS` requests a second for `durationS` after `warmupS` at the same rate, spread over up
 * to `connections` keep-alive connections (a due request takes the first idle one).
 * @param {string} url  target (loopback only: the generator refuses anything else)
 * @param {{ ratePerS: number, durationS: number, connections: number, warmupS?: number, headers?: Record<string,string> }} options
 * @returns {Promise<{ requests: number, errors: number, ratePerS: number, achievedRps: number, p50Ms: number, p90Ms: number, p99Ms: number, p999Ms: number, maxMs: number }>}
 */
export async function runOpenLoopC(
  url,
  { ratePerS, durationS, connections, warmupS = 2, headers = {} },
) {
  const target = new URL(url);
  const binary = await buildOpenLoop();
  const host = target.hostname === 'localhost' ? '127.0.0.1' : target.hostname;
  const stdout = await run(
    binary,
    [
      host,
      target.port,
      target.pathname + target.search,
      String(ratePerS),
      String(durationS),
      String(connections),
      String(warmupS),
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ],
    (warmupS + durationS + 30) * 1000,
  );
  return JSON.parse(stdout);
}
