import { hostname, networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createApplication, type Application, type LiveConfig } from '@stratus/boot';
import type { Logger } from '@stratus/core';
import { createEurekaRegistry } from './registry.js';
import type { EurekaRegistry } from './registry-types.js';
import { registerEurekaRoutes } from './routes.js';
import { renderDashboard } from './dashboard.js';
import { resolvePeers, type PeerEndpoint } from './replication/peers.js';
import { createPeerReplicator, type PeerReplicator } from './replication/replicator.js';
import { Tombstones } from './replication/tombstones.js';
import { createReadOnlyResponseCache } from './response-cache.js';
import { createRegistrySecurity, type RegistryCredential } from './security.js';

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

/** A list property given as a comma string or a YAML list. */
function listOf(config: LiveConfig, key: string): string[] {
  const direct = config.get(key);
  if (typeof direct === 'string') return [direct];
  if (Array.isArray(direct)) return direct.map(String);
  const nested = config.getObject(key);
  if (Array.isArray(nested)) return nested.map(String);
  if (nested !== undefined && nested !== null && typeof nested === 'object')
    return Object.values(nested).map(String);
  return [];
}

/** Names and addresses this process answers to, to drop itself from `defaultZone`. */
function selfHosts(config: LiveConfig): string[] {
  const hosts = ['localhost', '127.0.0.1', '::1', hostname()];
  for (const key of ['server.address', 'eureka.instance.hostname', 'eureka.instance.ip-address']) {
    const value = config.getString(key);
    if (value !== undefined && value !== '') hosts.push(value);
  }
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) hosts.push(entry.address);
  return hosts;
}

/**
 * Creates the registry (`@EnableEurekaServer`) on the Stratus runtime: Eureka's
 * REST API under `/eureka` and `/eureka/v2`, the dashboard at `/`, lease expiry,
 * eviction and self-preservation configured by Spring's `eureka.server.*` keys,
 * peer replication to the other `eureka.client.service-url.defaultZone` servers
 * (start-up sync before it accepts traffic, batches, anti-entropy), optional
 * HTTP Basic (`stratus.registry.security.enabled`) and the optional read-only
 * response cache (`eureka.server.use-read-only-response-cache`).
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when configuration cannot be loaded.
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
  const { config } = app;
  const startedAtMs = Date.now();
  const number = (key: string, fallback: number): number =>
    config.getNumber(key, fallback) ?? fallback;
  const deltaRetentionMs = number('eureka.server.retention-time-in-m-s-in-delta-queue', 180_000);
  const registry = createEurekaRegistry({
    logger: app.logger.child({ component: 'registry' }),
    evictionIntervalMs: number('eureka.server.eviction-interval-timer-in-ms', 60_000),
    renewalPercentThreshold: number('eureka.server.renewal-percent-threshold', 0.85),
    expectedClientRenewalIntervalSecs: number(
      'eureka.server.expected-client-renewal-interval-seconds',
      30,
    ),
    renewalThresholdUpdateIntervalMs: number(
      'eureka.server.renewal-threshold-update-interval-ms',
      900_000,
    ),
    enableSelfPreservation: config.getBoolean('eureka.server.enable-self-preservation', true),
    deltaRetentionMs,
  });
  app.onClose(() => registry.close());

  const { peers, invalid } = resolvePeers(listOf(config, 'eureka.client.service-url.defaultZone'), {
    selfUrl: config.getString('stratus.registry.self-url') || undefined,
    port: number('server.port', 0),
    hosts: selfHosts(config),
  });
  if (invalid.length > 0) app.logger.warn({ invalid }, 'ignored invalid defaultZone entries');
  const tombstones = new Tombstones(
    { now: () => Date.now() },
    number('stratus.registry.replication.tombstone-retention-ms', deltaRetentionMs),
  );
  const replicator = createPeerReplicator({
    registry,
    peers,
    tombstones,
    logger: app.logger.child({ component: 'replication' }),
    maxBatchSize: number('stratus.registry.replication.max-batch-size', 250),
    batchDelayMs: number('stratus.registry.replication.batch-delay-ms', 500),
    maxQueueSize: number('stratus.registry.replication.max-queue-size', 10_000),
    retryInitialMs: number('stratus.registry.replication.retry-initial-ms', 100),
    retryMaxMs: number('stratus.registry.replication.retry-max-ms', 30_000),
    requestTimeoutMs: number('eureka.server.peer-node-read-timeout-ms', 5000),
    antiEntropyIntervalMs: number('stratus.registry.replication.anti-entropy-interval-ms', 30_000),
    antiEntropyGraceMs: number('stratus.registry.replication.anti-entropy-grace-ms', 2000),
  });
  app.onClose(() => replicator.close());

  const useCache = config.getBoolean('eureka.server.use-read-only-response-cache', false) === true;
  const cache = useCache
    ? createReadOnlyResponseCache(registry, {
        updateIntervalMs: number('eureka.server.response-cache-update-interval-ms', 30_000),
      })
    : undefined;
  if (cache !== undefined) app.onClose(() => cache.close());

  const password = config.getString('spring.security.user.password');
  const users: RegistryCredential[] =
    password === undefined || password === ''
      ? []
      : [{ username: String(config.get('spring.security.user.name', 'user')), password }];
  const peerUsers: RegistryCredential[] = [];
  for (const raw of listOf(config, 'eureka.client.service-url.defaultZone').flatMap((z) =>
    z.split(','),
  )) {
    try {
      const url = new URL(raw.trim());
      if (url.username !== '')
        peerUsers.push({
          username: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        });
    } catch {
      // Reported above as an invalid entry.
    }
  }
  const securityEnabled = config.getBoolean('stratus.registry.security.enabled', false) === true;
  if (
    securityEnabled &&
    users.length === 0 &&
    peerUsers.length === 0 &&
    config.getObject('stratus.registry.security.clients') === undefined
  )
    app.logger.warn({}, 'registry security enabled without credentials: every request gets 401');
  const clients: RegistryCredential[] = Object.entries(
    config.getObject('stratus.registry.security.clients') ?? {},
  ).map(([username, secret]) => ({ username, password: String(secret) }));
  const security = createRegistrySecurity({
    enabled: securityEnabled,
    users,
    clients,
    peerUsers,
    peerHosts: peers.map((peer) => peer.host),
  });

  await registerEurekaRoutes(app.server, {
    registry,
    logger: app.logger.child({ component: 'eureka-api' }),
    maxBodyBytes: number('eureka.server.max-body-bytes', 256 * 1024),
    maxBatchBodyBytes: number('stratus.registry.replication.max-batch-body-bytes', 8 * 1024 * 1024),
    security,
    tombstones,
    responseCacheAutoExpirationMs:
      number('eureka.server.response-cache-auto-expiration-in-seconds', 180) * 1000,
    ...(cache === undefined ? {} : { snapshots: cache }),
  });
  app.server.get('/', async (request, reply) => {
    const decision = security.check(request, false);
    if (decision !== 'allow') {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="eureka", charset="UTF-8"')
        .type('text/plain; charset=utf-8')
        .send('Unauthorized');
    }
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        renderDashboard(registry, {
          title: 'Stratus Registry',
          environment: config.environment.activeProfiles.join(',') || 'default',
          startedAtMs,
          replicas: replicator.peers(),
          readOnlyResponseCache: useCache,
        }),
      );
  });
  app.health.register('registry', () => ({
    status: 'UP',
    details: { ...registry.stats(), peers: replicator.peers().length },
  }));

  // Start-up sync before the port opens, as Eureka's syncUp runs before traffic is accepted.
  const syncOnStart =
    config.getBoolean('stratus.registry.replication.startup-sync', true) !== false;
  app.server.addHook('onReady', async () => {
    await security.resolvePeerAddresses();
    if (syncOnStart && peers.length > 0) {
      const count = await replicator.syncFromPeers();
      // Spring's rule: an empty sync never blocks a standalone server (no 403 wait).
      app.logger.info({ peers: peers.length, instances: count }, 'registry start-up sync finished');
    }
  });

  return Object.assign(app, { registry, replicator, peers }) as RegistryServer;
}
