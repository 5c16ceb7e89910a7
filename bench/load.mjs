// A small closed-loop HTTP load generator for loopback benchmarks: a fixed number of requests
// (bounded by count and by time), a fixed number of concurrent connections, latency percentiles.
import { Pool } from 'undici';

/**
 * @param {string} url      target (loopback only)
 * @param {{ requests: number, connections: number, maxDurationMs: number, headers?: Record<string,string> }} options
 */
export async function runLoad(url, { requests, connections, maxDurationMs, headers = {} }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error('load only targets loopback');
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  const latencies = [];
  let sent = 0;
  let errors = 0;
  const statuses = new Map();
  const started = performance.now();
  const deadline = started + maxDurationMs;
  const worker = async () => {
    while (sent < requests && performance.now() < deadline) {
      sent++;
      const t0 = performance.now();
      try {
        const { statusCode, body } = await pool.request({
          path: target.pathname + target.search,
          method: 'GET',
          headers,
        });
        await body.dump();
        statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
        if (statusCode >= 400) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    statuses: Object.fromEntries(statuses),
    rps: latencies.length / (elapsedMs / 1000),
    p50Ms: pct(50),
    p99Ms: pct(99),
    elapsedMs,
  };
}

/** Resident memory of a process in bytes, from /proc (Linux). */
export async function rssBytes(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}
