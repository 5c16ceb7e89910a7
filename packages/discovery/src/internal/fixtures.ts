import type { InstanceStatus, ServiceInstance } from '../types.js';

/** A ServiceInstance for tests: `h:<service>:<port>` at `http://h:<port>`. */
export function fakeInstance(
  serviceId: string,
  port: number,
  extra: { status?: InstanceStatus; metadata?: Record<string, string> } = {},
): ServiceInstance {
  return {
    instanceId: `h:${serviceId}:${port}`,
    serviceId: serviceId.toUpperCase(),
    vipAddress: serviceId,
    host: 'h',
    port,
    secure: false,
    uri: `http://h:${port}`,
    status: extra.status ?? 'UP',
    metadata: extra.metadata ?? {},
  };
}

/** Counts how often each port was chosen in `rounds` calls. */
export function tally(
  choose: () => ServiceInstance | null,
  rounds: number,
): Record<number, number> {
  const counts: Record<number, number> = {};
  for (let i = 0; i < rounds; i++) {
    const port = choose()?.port ?? -1;
    counts[port] = (counts[port] ?? 0) + 1;
  }
  return counts;
}

/** A small deterministic PRNG (mulberry32) for balancer tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
