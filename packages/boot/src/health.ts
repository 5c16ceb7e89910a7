import { statfs } from 'node:fs/promises';

/** Spring Boot's health statuses. */
export type HealthStatus = 'UP' | 'DOWN' | 'OUT_OF_SERVICE' | 'UNKNOWN';

/** The result of one health indicator. */
export interface HealthResult {
  status: HealthStatus;
  details?: Record<string, unknown>;
}

/** A health indicator; it must answer quickly and never throw (a throw counts as DOWN). */
export type HealthCheck = () => HealthResult | Promise<HealthResult>;

const ORDER: HealthStatus[] = ['DOWN', 'OUT_OF_SERVICE', 'UP', 'UNKNOWN'];
const CHECK_TIMEOUT_MS = 3000;

/** Spring's aggregation: DOWN > OUT_OF_SERVICE > UP > UNKNOWN. */
export function aggregateStatus(statuses: HealthStatus[]): HealthStatus {
  if (statuses.length === 0) return 'UNKNOWN';
  return [...statuses].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))[0]!;
}

/** Spring's mapping: DOWN and OUT_OF_SERVICE → 503, anything else 200. */
export function httpStatusOf(status: HealthStatus): number {
  return status === 'DOWN' || status === 'OUT_OF_SERVICE' ? 503 : 200;
}

/** Named health indicators, with liveness and readiness state as Boot keeps them. */
export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();
  #live = true;
  #ready = false;

  register(name: string, check: HealthCheck): void {
    this.#checks.set(name, check);
  }

  /** Liveness: CORRECT (UP) or BROKEN (DOWN). */
  setLive(isLive: boolean): void {
    this.#live = isLive;
  }

  /** Readiness: ACCEPTING_TRAFFIC (UP) or REFUSING_TRAFFIC (OUT_OF_SERVICE). */
  setReady(isReady: boolean): void {
    this.#ready = isReady;
  }

  get isReady(): boolean {
    return this.#ready;
  }

  liveness(): HealthResult {
    return { status: this.#live ? 'UP' : 'DOWN' };
  }

  readiness(): HealthResult {
    return { status: this.#ready ? 'UP' : 'OUT_OF_SERVICE' };
  }

  names(): string[] {
    return [...this.#checks.keys()];
  }

  async check(name: string): Promise<HealthResult | null> {
    const check = this.#checks.get(name);
    if (!check) return null;
    return runCheck(check);
  }

  /** Runs every indicator concurrently, each bounded by a timeout. */
  async checkAll(): Promise<{ status: HealthStatus; components: Record<string, HealthResult> }> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const components: Record<string, HealthResult> = Object.fromEntries(entries);
    components.livenessState = this.liveness();
    components.readinessState = this.readiness();
    return { status: aggregateStatus(Object.values(components).map((c) => c.status)), components };
  }
}

async function runCheck(check: HealthCheck): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<HealthResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 'DOWN', details: { error: 'health check timed out' } }),
        CHECK_TIMEOUT_MS,
      );
      timer.unref();
    });
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { status: 'DOWN', details: { error: error instanceof Error ? error.name : 'Error' } };
  } finally {
    clearTimeout(timer);
  }
}

/** Boot's `diskSpace` indicator: DOWN below `thresholdBytes` free. */
export function diskSpaceCheck(path: string, thresholdBytes = 10 * 1024 * 1024): HealthCheck {
  return async () => {
    const stats = await statfs(path);
    const free = stats.bavail * stats.bsize;
    return {
      status: free >= thresholdBytes ? 'UP' : 'DOWN',
      details: {
        total: stats.blocks * stats.bsize,
        free,
        threshold: thresholdBytes,
        path,
        exists: true,
      },
    };
  };
}
