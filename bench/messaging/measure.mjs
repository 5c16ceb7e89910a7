// Shared measurement: payloads carrying their send time, latency percentiles, a run's summary.
import { randomBytes } from 'node:crypto';

/** A payload of `bytes` whose first 8 bytes hold the send time (performance.now(), ms). */
export function stampedPayload(bytes) {
  const payload = Buffer.concat([Buffer.alloc(8), randomBytes(Math.max(0, bytes - 8))]);
  payload.writeDoubleBE(performance.now(), 0);
  return payload;
}

export const latencyOf = (payload) => performance.now() - payload.readDoubleBE(0);

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Counts receptions and latencies; `done` resolves at `expected` distinct messages. */
export function createReceiver(expected, timeoutMs) {
  const latencies = [];
  let resolveDone;
  let rejectDone;
  const done = new Promise((resolve, reject) => ((resolveDone = resolve), (rejectDone = reject)));
  const timer = setTimeout(
    () => rejectDone(new Error(`only ${latencies.length}/${expected} received`)),
    timeoutMs,
  );
  return {
    done,
    receive(payload) {
      latencies.push(latencyOf(payload));
      if (latencies.length === expected) {
        clearTimeout(timer);
        resolveDone(performance.now());
      }
    },
    summary(startedAt, publishedAt, finishedAt) {
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        messages: expected,
        publishedPerSecond: Math.round(expected / ((publishedAt - startedAt) / 1000)),
        consumedPerSecond: Math.round(expected / ((finishedAt - startedAt) / 1000)),
        p50Ms: Number(percentile(sorted, 50).toFixed(2)),
        p99Ms: Number(percentile(sorted, 99).toFixed(2)),
      };
    },
  };
}

/** Publishes `count` stamped payloads in batches through `send(batch)`; resolves the end time. */
export async function publishAll(count, batchSize, bytes, send) {
  for (let sent = 0; sent < count; sent += batchSize) {
    const size = Math.min(batchSize, count - sent);
    await send(
      Array.from({ length: size }, (_, i) => ({ index: sent + i, payload: stampedPayload(bytes) })),
    );
  }
  return performance.now();
}
