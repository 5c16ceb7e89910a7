import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import {
  isStratusError,
  type Clock,
  type Logger,
  type LoggingSystem,
  type StratusError,
} from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import type { Metrics } from '@stratus/observability';
import type { AnyEndpoint, ClientDefinition, HttpClient, TypedClient } from '@stratus/http';
import type { CircuitBreakerFactory, ResilienceRegistry } from '@stratus/resilience';
import type { LoadBalancer } from '@stratus/discovery';
import {
  createOutbox,
  type Bus,
  type Outbox,
  type Subscription,
  type Transport,
} from '@stratus/messaging';
import type { Application, ApplicationOptions, DatabaseOptions } from '../application.js';
import { registerActuator, type Actuator } from '../actuator/routes.js';
import { openAppDataSource } from '../data/app-datasource.js';
import { NO_BALANCER, setupDiscovery, type Discovery } from '../discovery-setup.js';
import { BootErrors, invalidConfiguration } from '../errors.js';
import { prepareConsumer, type ConsumerOptions } from '../events/consumer.js';
import { HealthRegistry, diskSpaceCheck } from '../health.js';
import type { LiveConfig } from '../live-config.js';
import { createTransportFromConfig } from '../messaging.js';
import { createMountPlugin } from '../mount.js';
import {
  BearerVerification,
  bearerProblems,
  type BearerGuard,
  type RequireBearerOptions,
} from '../security/require-bearer.js';
import { connectionLimitsFromConfig } from '../connection-limits.js';
import { createHttpServer } from '../server.js';
import { setupObservability, type ObservabilitySetup } from '../observability-setup.js';
import { setupBus, type BusRuntime } from '../bus-setup.js';
import { setupResilience, type ResilienceSetup } from '../resilience-setup.js';
import { setupHttpClients, type HttpClientsSetup } from '../http-clients-setup.js';
import { BOOT_DEFAULTS } from '../defaults.js';
import { bindBootSettings, bootSettingsProblems, type BootSettings } from '../settings.js';
import { Lifecycle } from './lifecycle.js';
import { loadRuntime, type Runtime } from './runtime.js';

/** The application behind `createApplication`: composition, start and graceful stop. */
export class StratusApplication implements Application {
  readonly name: string;
  readonly config: LiveConfig;
  readonly server: FastifyInstance;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly health = new HealthRegistry();
  readonly actuator: Actuator;
  readonly http: HttpClient;
  readonly #env: Record<string, string | undefined>;
  readonly #logging: LoggingSystem | null;
  readonly #lifecycle: Lifecycle;
  readonly #observability: ObservabilitySetup;
  readonly #bus: BusRuntime;
  readonly #resilience: ResilienceSetup;
  readonly #httpClients: HttpClientsSetup;
  #settings: BootSettings;
  #bearer: BearerVerification | null = null;
  #plugin: FastifyPluginAsync | null = null;
  #balancer: LoadBalancer = NO_BALANCER;
  readonly #following = this.#followingBalancer();
  #discovery: Discovery | null = null;
  #transport: Transport | null = null;
  #mode: 'new' | 'standalone' | 'mounted' = 'new';
  #components: Promise<void> | null = null;
  #announced = false;
  #port = 0;
  #url = '';
  #closing: Promise<void> | null = null;

  static async create(options: ApplicationOptions): Promise<StratusApplication> {
    return new StratusApplication(await loadRuntime(options));
  }

  private constructor(runtime: Runtime) {
    const { config, logger, settings } = runtime;
    this.config = config;
    this.logger = logger;
    this.clock = runtime.clock;
    this.#env = runtime.env;
    this.#logging = runtime.logging;
    this.#settings = settings;
    this.name = settings.applicationName;
    config.addValidator((candidate) => bootSettingsProblems(candidate));
    config.onChange(() => {
      this.#settings = bindBootSettings(config.environment);
    });
    // Observability (observability-setup.ts): metrics, tracing and exchanges from management.*.
    this.#observability = setupObservability({ config, name: this.name, logger });
    this.metrics = this.#observability.metrics;
    this.server = createHttpServer({
      ...this.#observability.serverOptions,
      logger,
      metrics: this.metrics,
      bodyLimitBytes: settings.server.maxRequestBodyBytes,
      trustProxy: settings.server.trustProxy,
      connection: connectionLimitsFromConfig((key) => config.get(key)),
    });
    this.server.decorateRequest('principal', null);
    this.health.register('ping', () => ({ status: 'UP' }));
    mkdirSync(settings.dataDir, { recursive: true });
    this.health.register('diskSpace', diskSpaceCheck(settings.dataDir));
    this.actuator = registerActuator(this.server, {
      config,
      health: this.health,
      metrics: this.metrics,
      credentials: () => ({
        username: this.#settings.management.userName,
        password: this.#settings.management.password?.reveal() ?? null,
      }),
      info: () => infoOf(this.name, config),
      logging: this.#logging,
      logger,
    });
    this.#observability.attach(this.server, this.actuator);
    // Resilience (resilience-setup.ts): resilience4j.*, its meters, health and actuator endpoints.
    this.#resilience = setupResilience({
      config,
      actuator: this.actuator,
      health: this.health,
      metrics: this.metrics,
      clock: this.clock,
      logger,
    });
    // HTTP clients (http-clients-setup.ts): app.http (RestTemplate) and app.feignClient (OpenFeign).
    this.#httpClients = setupHttpClients({
      config,
      loadBalancer: this.#following,
      timeoutMs: settings.httpTimeoutMs,
      resilience: this.#resilience.registry,
      circuitBreakerFactory: this.#resilience.circuitBreakerFactory,
      logger,
    });
    this.http = this.#httpClients.http;
    this.#lifecycle = new Lifecycle(logger, BOOT_DEFAULTS.outboxFinalFlushMs);
    // Spring Cloud Bus (bus-setup.ts): its endpoints now, the bus itself once the port is bound.
    this.#bus = setupBus({
      config,
      actuator: this.actuator,
      messaging: () => this.messaging,
      environment: runtime.environmentManager,
      shutdown: () => this.close(),
      clock: this.clock,
      logger,
    });
    this.#lifecycle.addCloseHook(() => this.#bus.close());
  }

  get settings(): BootSettings {
    return this.#settings;
  }

  /**
   * The `lb://` balancer. It follows discovery's once `start()` created it, so a client built
   * from it before `start()` (as in Spring, where beans are wired before the context refreshes)
   * resolves instances afterwards.
   */
  get loadBalancer(): LoadBalancer {
    return this.#following;
  }

  get resilience(): ResilienceRegistry {
    return this.#resilience.registry;
  }

  get circuitBreakerFactory(): CircuitBreakerFactory {
    return this.#resilience.circuitBreakerFactory;
  }

  feignClient<Endpoints extends Record<string, AnyEndpoint>>(
    definition: ClientDefinition<Endpoints>,
  ): TypedClient<ClientDefinition<Endpoints>> {
    return this.#httpClients.feignClient(definition);
  }

  get messaging(): Transport {
    if (this.#transport === null) {
      this.#transport = this.#observability.instrumentTransport(
        createTransportFromConfig(this.config, this.logger, {
          health: this.health,
          metrics: this.metrics,
        }),
      );
      this.#lifecycle.transport = this.#transport;
    }
    return this.#transport;
  }

  get bus(): Bus | null {
    return this.#bus.bus;
  }

  get discovery(): Discovery | null {
    return this.#discovery;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return this.#url;
  }

  get plugin(): FastifyPluginAsync {
    this.#plugin ??= createMountPlugin({
      server: this.server,
      claimForHost: () => this.#claim('mounted'),
      startMounted: () => this.#startComponents(),
      announceMounted: (address: AddressInfo) => this.#announce(address.port, address.address),
      close: () => this.close(),
    });
    return this.#plugin;
  }

  database<DB>(options: DatabaseOptions = {}): Kysely<DB> {
    this.#assertNotStarted('app.database()');
    if (this.#lifecycle.dataSource !== null)
      throw BootErrors.DATASOURCE({
        message: 'app.database() was already called; an application has one datasource',
      });
    // Datasource (data/app-datasource.ts): spring.datasource.*, spring.flyway.*, db health, pool meters.
    const dataSource = openAppDataSource<DB>(
      {
        name: this.name,
        env: this.config.environment,
        settings: this.#settings,
        metrics: this.metrics,
        health: this.health,
        server: this.server,
        logger: this.logger,
      },
      options.migrations,
    );
    this.#lifecycle.dataSource = dataSource;
    return dataSource.db;
  }

  outbox(): Outbox {
    if (this.#lifecycle.outbox !== null) return this.#lifecycle.outbox;
    this.#assertNotStarted('app.outbox()');
    const db = this.#lifecycle.dataSource?.db;
    if (db === undefined)
      throw BootErrors.DATASOURCE({
        message: 'The outbox lives in the application database: call app.database() first',
      });
    const { outbox: relay } = this.#settings;
    this.#lifecycle.outbox = this.#observability.traceOutbox(
      createOutbox({
        db,
        transport: this.messaging,
        logger: this.logger,
        clock: this.clock,
        pollIntervalMs: relay.pollIntervalMs,
        batchSize: relay.batchSize,
        leaseMs: relay.leaseMs,
        claimStrategy: relay.claimStrategy,
        maxBackoffMs: relay.maxBackoffMs,
        retentionMs: relay.retentionMs,
      }),
    );
    return this.#lifecycle.outbox;
  }

  subscribe<DB = any, T = unknown>(options: ConsumerOptions<DB, T>): Subscription {
    const consumer = prepareConsumer(options, {
      appName: this.name,
      db: this.#lifecycle.dataSource?.db ?? null,
      clock: this.clock,
      logger: this.logger.child({ component: 'consumer' }),
      metrics: this.metrics,
      afterHandle: () => void this.#lifecycle.outbox?.flush(),
    });
    this.#lifecycle.inboxRetentionMs = this.#settings.inbox.retentionMs;
    this.#lifecycle.addConsumer(consumer, options.idempotent === true, () => this.messaging);
    return consumer;
  }

  requireBearer(options?: RequireBearerOptions): BearerGuard {
    if (this.#bearer === null) {
      const bearer = new BearerVerification({
        env: () => this.config.environment,
        settings: () => this.#settings,
        clock: this.clock,
        logger: this.logger,
      });
      bearer.verifier();
      this.#bearer = bearer;
      // A refresh that would leave no usable key (a removed or short token.secret) is rejected.
      this.config.addValidator((candidate) => {
        const problems = bootSettingsProblems(candidate);
        return problems.length > 0 ? [] : bearerProblems(bindBootSettings(candidate), candidate);
      });
    }
    return this.#bearer.guard(options);
  }

  bindSettings<T>(bind: (env: ConfigEnvironment) => T): () => T {
    let current = bindOrThrow(bind, this.config.environment);
    this.config.addValidator((candidate) => problemsOf(() => bind(candidate)));
    this.config.onChange(() => {
      current = bind(this.config.environment);
    });
    return () => current;
  }

  onClose(fn: () => Promise<void> | void): void {
    this.#lifecycle.addCloseHook(fn);
  }

  async start(): Promise<void> {
    this.#claim('standalone');
    await this.#startComponents();
    const { address, port } = this.#settings.server;
    await this.server.listen({ host: address, port });
    const bound = this.server.server.address();
    await this.#announce(typeof bound === 'object' && bound ? bound.port : 0, address);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.health.setReady(false);
    if (this.#discovery !== null && this.#announced) {
      await this.#discovery
        .close()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'deregistration failed'));
    }
    await this.#lifecycle.stopConsuming();
    await this.server.close();
    await this.#lifecycle.closeResources();
    await this.#httpClients.close();
    await this.#resilience.close();
    await this.#observability.close();
    this.logger.info({ app: this.name }, 'application stopped');
    await this.#logging?.close();
  }

  #startComponents(): Promise<void> {
    // Without the database yet, the start goes on not ready; #databaseReady follows (data/).
    this.#components ??= this.#lifecycle.start(
      () => this.messaging,
      () => this.#databaseReady(),
      (error) => this.#databaseFailed(error),
    );
    return this.#components;
  }

  /** Registers with discovery at `port` and reports ready; once. */
  async #announce(port: number, boundHost: string): Promise<void> {
    if (this.#announced) return;
    this.#announced = true;
    this.#port = port;
    const advertised = advertisedAddress(this.#settings, boundHost);
    this.#url = `http://${advertised.preferIp ? advertised.ip : advertised.hostName}:${port}`;
    const { config, name, health, logger } = this;
    const env = this.#env;
    const setup = setupDiscovery({
      config,
      env,
      name,
      port,
      url: this.#url,
      advertised,
      health,
      logger,
    });
    if (setup !== null) {
      this.#discovery = setup.discovery;
      this.#balancer = setup.balancer;
      await setup.start();
    }
    await this.#bus.start(port);
    health.setReady(this.#lifecycle.isReady);
    if (!this.#lifecycle.isReady) await this.#discovery?.syncHealth().catch(() => null);
    logger.info({ app: name, port, url: this.#url }, 'application started');
  }

  /** The database answered after the start went on without it: ready now. */
  #databaseReady(): void {
    if (!this.#announced || this.#closing !== null) return;
    this.health.setReady(true);
    void this.#discovery?.syncHealth().catch(() => null);
  }

  /** The database answered but cannot be used (a failed migration): not live, for a restart. */
  #databaseFailed(error: unknown): void {
    if (this.#closing !== null) return;
    this.logger.error(
      { err: error },
      'database could not be prepared; the application stays not ready',
    );
    this.health.setLive(false);
  }

  #claim(mode: 'standalone' | 'mounted'): void {
    if (this.#mode !== 'new')
      throw new Error(
        this.#mode === mode
          ? `application ${this.name} was already started`
          : `application ${this.name} cannot both listen on its own and be mounted as a plugin`,
      );
    this.#mode = mode;
  }

  #assertNotStarted(what: string): void {
    if (this.#components !== null)
      throw BootErrors.DATASOURCE({ message: `${what} must be called before start()` });
  }

  /** A stable balancer for the HTTP client that follows discovery's once it starts. */
  #followingBalancer(): LoadBalancer & { refresh(): Promise<void> } {
    return {
      choose: (serviceId, choice) => this.#balancer.choose(serviceId, choice),
      markFailed: (serviceId, instanceId) => this.#balancer.markFailed(serviceId, instanceId),
      markSucceeded: (serviceId, instanceId) =>
        this.#balancer.markSucceeded?.(serviceId, instanceId),
      refresh: () =>
        (this.#balancer as Partial<{ refresh(): Promise<void> }>).refresh?.() ?? Promise.resolve(),
    };
  }
}

function advertisedAddress(
  settings: BootSettings,
  boundHost: string,
): { hostName: string; ip: string; preferIp: boolean } {
  const { instance } = settings;
  const isWildcard = boundHost === '0.0.0.0' || boundHost === '::';
  return {
    hostName: instance.hostname ?? hostname(),
    ip: instance.ipAddress ?? (isWildcard ? '127.0.0.1' : boundHost),
    preferIp: instance.preferIpAddress,
  };
}

/** `bind(env)`, its failure turned into `BOOT_ERR_INVALID_CONFIG` with the same problems. */
function bindOrThrow<T>(bind: (env: ConfigEnvironment) => T, env: ConfigEnvironment): T {
  try {
    return bind(env);
  } catch (error) {
    if (!isStratusError(error)) throw error;
    throw invalidConfiguration(problemsIn(error));
  }
}

/** The problems a binding reports; empty when it binds. */
function problemsOf(bind: () => unknown): string[] {
  try {
    bind();
    return [];
  } catch (error) {
    if (!isStratusError(error)) throw error;
    return problemsIn(error);
  }
}

function problemsIn(error: StratusError): string[] {
  const problems = error.details.problems;
  return Array.isArray(problems) ? problems.map(String) : [error.message];
}

function infoOf(name: string, config: LiveConfig): Record<string, unknown> {
  const { app: _app, ...rest } = config.getObject('info') ?? {};
  return { app: { name, ...(config.getObject('info.app') ?? {}) }, ...rest };
}
