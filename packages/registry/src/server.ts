import { fileURLToPath } from 'node:url';
import { createApplication, interceptRequests, type Application } from '@stratus/boot';
import { systemClock, type Logger } from '@stratus/core';
import { mountEurekaApi } from './internal/http/eureka-api.js';
import { resolvePeers } from './internal/replication/peers.js';
import { createPeerReplicator } from './internal/replication/replicator.js';
import { Tombstones } from './internal/replication/tombstones.js';
import { createReadOnlyResponseCache } from './internal/response-cache.js';
import { registerDashboardRoute } from './internal/server/dashboard-route.js';
import { watchRegistrySettings } from './internal/server/live-settings.js';
import {
  requireRegistrySettings,
  type RegistrySettings,
} from './internal/server/registry-settings.js';
import { selfHosts } from './internal/server/self-hosts.js';
import { createServerSecurity } from './internal/server/server-security.js';
import { createEurekaRegistry } from './registry.js';
import type { EurekaRegistry } from './registry-types.js';
import type { PeerEndpoint, PeerReplicator } from './replication-types.js';

/** Options of `createRegistryServer`. */
export interface RegistryServerOptions {
  /** Spring flags (`--server.port=8761`, `--eureka.server.enable-self-preservation=false`). */
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  defaults?: Record<string, unknown>;
  logger?: Logger;
}

/** The registry application, with its lease table and replicator exposed. */
export interface RegistryServer extends Application {
  /** The lease table. */
  readonly registry: EurekaRegistry;
  /** Replication to the `defaultZone` peers (no peers: a standalone server). */
  readonly replicator: PeerReplicator;
  /** The peers this server replicates to (no credentials in `url`). */
  readonly peers: readonly PeerEndpoint[];
}

const BASE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Recent cancels, purged on the delta retention timer (else an idle registry keeps them). */
function startTombstones(app: Application, settings: RegistrySettings): Tombstones {
  const tombstones = new Tombstones(
    { now: () => Date.now() },
    settings.replication.tombstoneRetentionMs,
  );
  const intervalMs = settings.leases.deltaRetentionTimerIntervalMs;
  const purge =
    intervalMs > 0 ? setInterval(() => tombstones.purge(), intervalMs).unref() : undefined;
  app.onClose(() => clearInterval(purge));
  return tombstones;
}

/** The peers of `defaultZone` minus this server; bad entries are logged (without credentials). */
function peersOf(app: Application, settings: RegistrySettings): PeerEndpoint[] {
  const { defaultZone, selfUrl, port, advertisedHosts } = settings.peers;
  const { peers, invalid } = resolvePeers(defaultZone, {
    selfUrl,
    port,
    hosts: selfHosts(advertisedHosts),
  });
  if (invalid.length > 0) app.logger.warn({ invalid }, 'ignored invalid defaultZone entries');
  return peers;
}

/**
 * Creates the registry (`@EnableEurekaServer`) on the Stratus runtime: Eureka's REST API under
 * `/eureka` and `/eureka/v2`, the dashboard at `/`, lease expiry, eviction and
 * self-preservation configured by Spring's `eureka.server.*` keys, peer replication to the
 * other `eureka.client.service-url.defaultZone` servers (start-up sync before it accepts
 * traffic, batches, anti-entropy), optional HTTP Basic (`stratus.registry.security.enabled`)
 * and the optional read-only response cache (`eureka.server.use-read-only-response-cache`).
 * Its configuration is bound once; `/actuator/refresh` binds it again.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when configuration cannot be loaded;
 *   `REG_ERR_INVALID_CONFIG` listing every bad or unknown registry setting.
 * @example
 * const registry = await createRegistryServer({
 *   argv: ['--server.port=8761', '--eureka.client.service-url.defaultZone=http://peer2:8762/eureka/'],
 * });
 * await registry.start();
 */
export async function createRegistryServer(
  options: RegistryServerOptions = {},
): Promise<RegistryServer> {
  const app = await createApplication({
    name: 'discovery-service',
    baseDir: BASE_DIR,
    argv: options.argv,
    env: options.env,
    defaults: options.defaults,
    logger: options.logger,
  });
  try {
    return await assemble(app);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

async function assemble(app: Application): Promise<RegistryServer> {
  const live = { current: requireRegistrySettings(app.config.environment) };
  const settings = live.current;
  const startedAtMs = Date.now();
  const registry = createEurekaRegistry({
    logger: app.logger.child({ component: 'registry' }),
    ...settings.leases,
  });
  app.onClose(() => registry.close());
  const peers = peersOf(app, settings);
  const tombstones = startTombstones(app, settings);
  const replicator = createPeerReplicator({
    registry,
    peers,
    tombstones,
    logger: app.logger.child({ component: 'replication' }),
    ...settings.replication,
  });
  app.onClose(() => replicator.close());
  const { useReadOnlyResponseCache, responseCacheUpdateIntervalMs } = settings.api;
  const cache = useReadOnlyResponseCache
    ? createReadOnlyResponseCache(registry, {
        updateIntervalMs: responseCacheUpdateIntervalMs,
        clock: systemClock,
      })
    : undefined;
  const security = createServerSecurity(settings, peers, app.logger);

  await mountEurekaApi(app.server, {
    registry,
    logger: app.logger.child({ component: 'eureka-api' }),
    maxBodyBytes: settings.api.maxBodyBytes,
    maxBatchBodyBytes: settings.api.maxBatchBodyBytes,
    security,
    tombstones,
    snapshots: cache,
    // Boot's conventions for the reads fastify does not see: its timer (and its span).
    fastReads: {
      install: (interceptor) => interceptRequests(app.server, interceptor),
      onServed: ({ method, uri, status, durationSeconds }) =>
        app.metrics.recordHttpServerRequest({
          method,
          uri,
          status,
          exception: 'none',
          durationSeconds,
        }),
    },
  });
  registerDashboardRoute(app.server, {
    registry,
    replicator,
    security,
    environment: () => app.config.environment.activeProfiles.join(',') || 'default',
    startedAtMs,
    readOnlyResponseCache: useReadOnlyResponseCache,
  });
  app.health.register('registry', () => ({
    status: 'UP',
    details: { ...registry.stats(), peers: replicator.peers().length },
  }));
  watchRegistrySettings(app.config, live, { registry, replicator, log: app.logger });

  // Start-up sync before the port opens, as Eureka's syncUp runs before traffic is accepted;
  // then openForTraffic starts the wait of an empty start (a standalone server syncs nothing).
  app.server.addHook('onReady', async () => {
    await security.resolvePeerAddresses();
    let synced = 0;
    if (settings.replication.startupSync && peers.length > 0) {
      synced = await replicator.syncFromPeers();
      app.logger.info(
        { peers: peers.length, instances: synced },
        'registry start-up sync finished',
      );
    }
    registry.openForTraffic(synced);
  });

  return Object.assign(app, { registry, replicator, peers }) as RegistryServer;
}
