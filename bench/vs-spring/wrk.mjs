// Runs Debian's wrk (one thread, fixed connections and duration, loopback only) and reads its
// numbers from a Lua `done()` hook that prints them as JSON: requests/s, latency percentiles
// (µs → ms), errors by kind.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'WRKJSON ';

const DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
`;

let scriptDir = null;

/** Writes a Lua script for wrk; `body` is inserted before the `done` hook. */
export async function wrkScript(name, body = '') {
  scriptDir ??= await mkdtemp(join(tmpdir(), 'stratus-vs-spring-wrk-'));
  const path = join(scriptDir, `${name}.lua`);
  await writeFile(path, `${body}\n${DONE}`);
  return path;
}

/** A script cycling `PUT` through `paths` (heartbeats), with a Spring client's headers. */
export function cyclingPutScript(paths) {
  const list = paths.map((p) => JSON.stringify(p)).join(',\n');
  return `
local paths = {
${list}
}
local i = 0
wrk.method = "PUT"
wrk.headers["Accept"] = "application/json"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
`;
}

/**
 * One wrk run. `headers` are added with `-H`. Resolves with requests/s, p50/p99/max ms and the
 * error counts; rejects when wrk fails or prints no summary.
 */
export function runWrk(url, { script, headers = {}, connections, durationS, timeoutS = 10 }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    return Promise.reject(new Error('wrk only targets loopback'));
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${durationS}s`,
    `--timeout=${timeoutS}s`,
    '-s',
    script,
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${stderr || error.message}`));
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      if (line === undefined) return reject(new Error(`wrk printed no summary: ${stdout}`));
      const raw = JSON.parse(line.slice(MARK.length));
      const seconds = raw.durationUs / 1e6;
      resolve({
        requests: raw.requests,
        rps: raw.requests / seconds,
        mbPerS: raw.bytes / seconds / 1e6,
        p50Ms: raw.p50Us / 1000,
        p99Ms: raw.p99Us / 1000,
        maxMs: raw.maxUs / 1000,
        errors: raw.connect + raw.read + raw.write + raw.status + raw.timeout,
        errorKinds: {
          connect: raw.connect,
          read: raw.read,
          write: raw.write,
          status: raw.status,
          timeout: raw.timeout,
        },
      });
    });
  });
}
