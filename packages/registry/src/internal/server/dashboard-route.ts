import type { FastifyInstance } from 'fastify';
import type { EurekaRegistry } from '../../registry-types.js';
import type { PeerReplicator } from '../../replication-types.js';
import { renderDashboard } from '../dashboard.js';
import type { RegistrySecurity } from '../security.js';
import { sendUnauthorized } from '../http/guards.js';

/** What the dashboard shows besides the lease table. */
export interface DashboardRouteOptions {
  readonly registry: EurekaRegistry;
  readonly replicator: PeerReplicator;
  readonly security: RegistrySecurity;
  /** Active profiles, comma-separated, or `default`. */
  readonly environment: () => string;
  readonly startedAtMs: number;
  readonly readOnlyResponseCache: boolean;
}

/**
 * The Eureka dashboard at `/` (`?page=N` for more applications), behind the registry's
 * credentials when security is on.
 */
export function registerDashboardRoute(
  server: FastifyInstance,
  options: DashboardRouteOptions,
): void {
  server.get('/', async (request, reply) => {
    if (options.security.check(request, false) !== 'allow') return sendUnauthorized(reply);
    const page = Number((request.query as { page?: unknown }).page ?? 1);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        renderDashboard(options.registry, {
          title: 'Stratus Registry',
          environment: options.environment(),
          startedAtMs: options.startedAtMs,
          replicas: options.replicator.peers(),
          readOnlyResponseCache: options.readOnlyResponseCache,
          page: Number.isSafeInteger(page) ? page : 1,
        }),
      );
  });
}
