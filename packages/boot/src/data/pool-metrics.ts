import type { Metrics } from '@stratus/observability';
import type { PoolCounters } from './pool-guard.js';
import type { PoolSettings } from './datasource-settings.js';

/** What the pool metrics read. */
export interface PoolMetricsSource {
  counters(): PoolCounters;
  readonly settings: PoolSettings;
  /** Connections the pool holds open now. */
  openConnections(): number;
}

/** The meters {@link registerPoolMetrics} hands back to the pool guard. */
export interface PoolMeters {
  /** One `connection-timeout` ran out. */
  onTimeout(): void;
  /** One connection was handed out after `seconds` of waiting. */
  onAcquired(seconds: number): void;
}

/**
 * HikariCP's meters under Micrometer's names, read at scrape time: `hikaricp_connections`
 * (open), `_active`, `_idle`, `_pending`, `_min`, `_max`, `hikaricp_connections_timeout_total`
 * and the `hikaricp_connections_acquire_seconds` timer. Micrometer tags them with the pool's
 * name; here one application has one pool, and the series carry only the application tag.
 */
export function registerPoolMetrics(metrics: Metrics, source: PoolMetricsSource): PoolMeters {
  const { counters, settings } = source;
  const open = () => Math.max(source.openConnections(), counters().active);
  metrics.gauge('hikaricp.connections', 'Total connections', open);
  metrics.gauge('hikaricp.connections.active', 'Active connections', () => counters().active);
  metrics.gauge('hikaricp.connections.idle', 'Idle connections', () =>
    Math.max(0, open() - counters().active),
  );
  metrics.gauge('hikaricp.connections.pending', 'Threads awaiting connections', () =>
    counters().pending,
  );
  metrics.gauge('hikaricp.connections.min', 'Min connections', () => settings.minimumIdle);
  metrics.gauge('hikaricp.connections.max', 'Max connections', () => settings.maximumPoolSize);
  const timeouts = metrics.counter('hikaricp.connections.timeout', 'Connection timeout total count');
  return {
    onTimeout: () => timeouts.inc(),
    onAcquired: (seconds) =>
      metrics.recordTime('hikaricp.connections.acquire', seconds, {
        description: 'Connection acquire time',
      }),
  };
}
