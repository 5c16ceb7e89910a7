import type { ManagedChild } from './child.js';

/** Why a wait for health ended without it. */
export class HealthWaitError extends Error {
  constructor(
    message: string,
    readonly exited: boolean,
  ) {
    super(message);
    this.name = 'HealthWaitError';
  }
}

const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2000;

/**
 * Resolves once GET `health` answers 200 (`health` is a path on the child's port, or a
 * URL; null means nothing to wait for). Rejects with a {@link HealthWaitError} when the
 * child exits first, at `deadline` (epoch ms), or when `signal` aborts.
 */
export async function waitHealthy(
  child: ManagedChild,
  health: string | null,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  let last = 'no answer yet';
  const exited = child.exited.then(() => 'exited' as const);
  while (Date.now() < deadline) {
    if (child.exit) throw exitError(child);
    if (signal?.aborted) throw new HealthWaitError('start-up was cancelled', false);
    if (health === null) return;
    const url = health.startsWith('/')
      ? child.port === null
        ? null
        : `http://127.0.0.1:${child.port}${health}`
      : health;
    if (url !== null) {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        await response.body?.cancel();
        if (response.status === 200) return;
        last = `${url} answered ${response.status}`;
      } catch (error) {
        last = `${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`;
      }
    } else last = 'its port is not known yet (no `application started` line)';
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
  }
  if (child.exit) throw exitError(child);
  throw new HealthWaitError(`not healthy in time (${last})`, false);
}

function exitError(child: ManagedChild): HealthWaitError {
  const exit = child.exit!;
  const how =
    child.spawnError?.message ??
    (exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`);
  return new HealthWaitError(how, true);
}

/** Resolves once GET `url` answers 200, or rejects at `deadline` naming the last answer. */
export async function waitForOk(
  url: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  let last = 'no answer yet';
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `answered ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`timed out waiting for ${url} (${last})`);
}
