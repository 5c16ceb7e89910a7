import { hostname } from 'node:os';
import { mkdirSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Logger, createLogger, StratusError } from '@stratus/core';
import {
  loadConfiguration,
  type LoadedConfiguration,
  type ConfigEnvironment,
} from '@stratus/config';
import { createMetrics, type Metrics } from '@stratus/observability';
import { createHttpClient, type HttpClient } from '@stratus/http';
import type { LoadBalancer } from '@stratus/discovery';
import { NO_BALANCER, setupDiscovery, type Discovery } from './discovery-setup.js';
import { createHttpServer } from './server.js';
import { HealthRegistry, diskSpaceCheck } from './health.js';
import { LiveConfig } from './live-config.js';
import { registerActuator } from './actuator/routes.js';
import { createTransportFromConfig } from './messaging.js';
import { createClientDecryption } from './client-decryption.js';
import type { Transport } from '@stratus/messaging';

/** Options of `createApplication`. */
export interface ApplicationOptions {
  /** Default `spring.application.name` (configuration may override it). */
  name: string;
  /** Folder holding this app's `application.yml` (Spring's classpath root). */
  baseDir: string;
  /** Command-line flags. @default process.argv.slice(2) */
  argv?: readonly string[];
  /** Environment variables. @default process.env */
  env?: Record<string, string | undefined>;
  /** Built-in defaults, below every file. */
  defaults?: Record<string, unknown>;
  /** A logger to use instead of creating one from `logging.*` settings. */
  logger?: Logger;
  /** Turns `{cipher}` values into plain text; set by servers holding `encrypt.key`. */
  decrypt?: (
    properties: Record<string, unknown>,
    env: ConfigEnvironment,
  ) => Record<string, unknown>;
}

export type { Discovery, DiscoveryMode } from './discovery-setup.js';

/** A running (or ready to run) Stratus application: the Spring Boot app analogue. */
export interface Application {
  readonly name: string;
  readonly config: LiveConfig;
  readonly server: FastifyInstance;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: HealthRegistry;
  /**
   * `lb://` resolution through discovery (or nothing when discovery is off);
   * `spring.cloud.loadbalancer.configurations` picks the balancer.
   */
  readonly loadBalancer: LoadBalancer;
  /** The Feign/RestTemplate analogue, resolving `lb://`. */
  readonly http: HttpClient;
  /** The event transport (embedded log by default), created on first use and closed with the app. */
  readonly messaging: Transport;
  /** Discovery (eureka, static or kubernetes by `stratus.discovery.mode`), once started; null when off. */
  readonly discovery: Discovery | null;
  /** The port bound by `start()` (0 before). */
  readonly port: number;
  /** `http://host:port` as registered, once started. */
  readonly url: string;
  /** Runs `fn` during `close()`, after the server stopped accepting, in reverse order of registration. */
  onClose(fn: () => Promise<void> | void): void;
  /** Listens, registers with the registry, and reports ready. */
  start(): Promise<void>;
  /** Graceful stop: not ready, deregister, drain, close resources. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a Stratus application: loads configuration (files, config server,
 * environment, flags), builds the HTTP server with the actuator, and prepares
 * registration. Add routes on `app.server`, then `await app.start()`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` or `CFG_ERR_SERVER_UNAVAILABLE` when configuration cannot be loaded.
 * @example
 * const app = await createApplication({ name: 'user-service', baseDir: new URL('..', import.meta.url).pathname });
 * app.server.get('/health_check', async () => 'ok');
 * await app.start();
 */
export async function createApplication(options: ApplicationOptions): Promise<Application> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const defaults = {
    'spring.application.name': options.name,
    'server.port': 8080,
    ...options.defaults,
  };
  const randomCache = new Map<string, string>();
  const bootLogger =
    options.logger ??
    createLogger({
      name: options.name,
      level: levelFromArgs(argv, env),
      pretty: Boolean(process.stdout.isTTY) && env.STRATUS_LOG_FORMAT !== 'json',
    });
  const clientDecryption = createClientDecryption({ logger: bootLogger });
  const load = (previous?: LoadedConfiguration): Promise<LoadedConfiguration> =>
    loadConfiguration({
      baseDir: options.baseDir,
      argv,
      env,
      defaults,
      randomCache,
      decrypt: options.decrypt ?? clientDecryption,
      previous,
      logger: bootLogger,
    });
  const config = new LiveConfig(await load(), load, bootLogger);
  const name = String(config.get('spring.application.name', options.name));
  const logger = bootLogger;

  const metrics = createMetrics({ application: name });
  const server = createHttpServer({
    logger,
    metrics,
    bodyLimitBytes: config.getNumber('server.max-http-request-body-bytes', 1024 * 1024),
    trustProxy: config.getBoolean('server.trust-proxy', false),
  });
  const health = new HealthRegistry();
  health.register('ping', () => ({ status: 'UP' }));
  const dataDir = resolvePath(String(config.get('stratus.data-dir', './data')));
  mkdirSync(dataDir, { recursive: true });
  health.register('diskSpace', diskSpaceCheck(dataDir));

  let discovery: Discovery | null = null;
  let discoveryStarted = false;
  let balancer: LoadBalancer = NO_BALANCER;
  // Stable object for the HTTP client; it follows `balancer` once discovery starts.
  const currentBalancer: LoadBalancer & { refresh(): Promise<void> } = {
    choose: (serviceId) => balancer.choose(serviceId),
    markFailed: (serviceId, instanceId) => balancer.markFailed(serviceId, instanceId),
    refresh: () =>
      (balancer as Partial<{ refresh(): Promise<void> }>).refresh?.() ?? Promise.resolve(),
  };

  const closers: Array<() => Promise<void> | void> = [];
  let port = 0;
  let url = '';
  let closing: Promise<void> | null = null;
  let transport: Transport | null = null;

  const http = createHttpClient({
    loadBalancer: currentBalancer,
    timeoutMs: config.getNumber('stratus.http.timeout-ms', 5000),
    logger: logger.child({ component: 'http-client' }),
  });

  registerActuator(server, {
    config,
    health,
    metrics,
    credentials: () => ({
      username: String(config.get('spring.security.user.name', 'user')),
      password: config.getString('spring.security.user.password') ?? null,
    }),
    info: () => ({
      app: { name, ...(config.getObject('info.app') ?? {}) },
      ...withoutKey(config.getObject('info') ?? {}, 'app'),
    }),
  });

  const app: Application = {
    name,
    config,
    server,
    logger,
    metrics,
    health,
    get loadBalancer() {
      return balancer;
    },
    http,
    get messaging() {
      if (!transport) {
        transport = createTransportFromConfig(config, logger);
        const created = transport;
        closers.unshift(() => created.close());
      }
      return transport;
    },
    get discovery() {
      return discovery;
    },
    get port() {
      return port;
    },
    get url() {
      return url;
    },
    onClose(fn) {
      closers.push(fn);
    },
    async start() {
      const host = String(config.get('server.address', '0.0.0.0'));
      await server.listen({ host, port: config.getNumber('server.port', 8080) ?? 8080 });
      const address = server.server.address();
      port = typeof address === 'object' && address ? address.port : 0;
      const advertised = advertisedAddress(config, host);
      url = `http://${advertised.preferIp ? advertised.ip : advertised.hostName}:${port}`;
      const setup = setupDiscovery({ config, env, name, port, url, advertised, health, logger });
      if (setup !== null) {
        discovery = setup.discovery;
        balancer = setup.balancer;
        await setup.start();
        discoveryStarted = true;
      }
      health.setReady(true);
      logger.info({ app: name, port, url }, 'application started');
    },
    close() {
      closing ??= (async () => {
        health.setReady(false);
        if (discovery && discoveryStarted) {
          await discovery
            .close()
            .catch((error: unknown) => logger.warn({ err: error }, 'deregistration failed'));
        }
        await server.close();
        for (const fn of [...closers].reverse()) {
          try {
            await fn();
          } catch (error) {
            logger.warn({ err: error }, 'close hook failed');
          }
        }
        await http.close();
        logger.info({ app: name }, 'application stopped');
      })();
      return closing;
    },
  };
  return app;
}

function advertisedAddress(
  config: LiveConfig,
  boundHost: string,
): { hostName: string; ip: string; preferIp: boolean } {
  const ip =
    config.getString('eureka.instance.ip-address') ??
    (boundHost !== '0.0.0.0' && boundHost !== '::' ? boundHost : '127.0.0.1');
  return {
    hostName: config.getString('eureka.instance.hostname') ?? hostname(),
    ip,
    preferIp: config.getBoolean('eureka.instance.prefer-ip-address', false) === true,
  };
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = object;
  return rest;
}

function levelFromArgs(argv: readonly string[], env: Record<string, string | undefined>): string {
  const flag = argv.find((a) => a.startsWith('--logging.level.root='));
  return flag?.split('=')[1] ?? env.LOGGING_LEVEL_ROOT ?? 'info';
}

/**
 * Runs an application as a process: starts it, and on SIGTERM/SIGINT stops it
 * gracefully, exiting within `shutdownTimeoutMs` even if something hangs.
 * A failure to start is logged with its problems and exits with code 1.
 */
export async function runApplication(
  create: () => Promise<Application>,
  options: { shutdownTimeoutMs?: number } = {},
): Promise<Application | null> {
  let app: Application;
  try {
    app = await create();
    await app.start();
  } catch (error) {
    const problems = error instanceof StratusError ? error.details.problems : undefined;
    const logger = createLogger({ name: 'stratus' });
    logger.fatal(
      { err: error, code: (error as StratusError).code, problems },
      'application failed to start',
    );
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 200).unref();
    return null;
  }
  const stop = (signal: string) => {
    app.logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.logger.error(
        { timeoutMs: options.shutdownTimeoutMs ?? 10_000 },
        'graceful shutdown timed out',
      );
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Started by a launcher (`stratus up`) over IPC: stop when the launcher goes away.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => stop('launcher-exit'));
  }
  return app;
}
