import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock, Logger } from '@stratus/core';
import type { ConfigEnvironment } from '@stratus/config';
import type { Metrics } from '@stratus/observability';
import type { AnyEndpoint, ClientDefinition, HttpClient, TypedClient } from '@stratus/http';
import type { CircuitBreakerFactory, ResilienceRegistry } from '@stratus/resilience';
import type { LoadBalancer } from '@stratus/discovery';
import type { Bus, Outbox, Subscription, Transport } from '@stratus/messaging';
import type { Discovery } from './discovery-setup.js';
import type { HealthRegistry } from './health.js';
import type { LiveConfig } from './live-config.js';
import type { Actuator } from './actuator/routes.js';
import type { BootSettings } from './settings.js';
import type { Migrations } from './data/datasource.js';
import type { ConsumerOptions } from './events/consumer.js';
import type { BearerGuard, RequireBearerOptions } from './security/require-bearer.js';
import { StratusApplication } from './internal/stratus-application.js';

/** Options of `createApplication`. */
export interface ApplicationOptions {
  /** Default `spring.application.name` (configuration may override it). */
  name: string;
  /** Folder holding this app's `application.yml` (Spring's classpath root). */
  baseDir: string;
  /** Command-line flags. @default process.argv.slice(2) */
  argv?: readonly string[] | undefined;
  /** Environment variables. @default process.env */
  env?: Record<string, string | undefined> | undefined;
  /** Built-in defaults, below every file. */
  defaults?: Record<string, unknown> | undefined;
  /** A logger to use instead of creating one from `logging.*` settings. */
  logger?: Logger | undefined;
  /** Time of tokens, the outbox, the inbox and the bearer check. @default systemClock */
  clock?: Clock | undefined;
  /** Turns `{cipher}` values into plain text; set by servers holding `encrypt.key`. */
  decrypt?: (
    properties: Record<string, unknown>,
    env: ConfigEnvironment,
  ) => Record<string, unknown>;
}

/** What a service's factory takes from its caller (a test, `runApplication`): the process's inputs. */
export type ServiceOptions = Pick<
  ApplicationOptions,
  'argv' | 'env' | 'defaults' | 'logger' | 'clock'
>;

/** Options of `app.database()`. */
export interface DatabaseOptions {
  /**
   * Typed migrations by Flyway name (`V2__seed_products`), applied at `start()` in version
   * order with the SQL files of `spring.flyway.locations` (`classpath:db/migration`).
   */
  readonly migrations?: Migrations;
}

export type { Discovery, DiscoveryMode } from './discovery-setup.js';

/** A running (or ready to run) Stratus application: the Spring Boot app analogue. */
export interface Application {
  readonly name: string;
  readonly config: LiveConfig;
  /** Boot's own settings, bound from `config`; a refresh binds them again and swaps this object. */
  readonly settings: BootSettings;
  readonly server: FastifyInstance;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly health: HealthRegistry;
  /** The actuator: which endpoints are exposed, and `addEndpoint` for more (e.g. `busrefresh`). */
  readonly actuator: Actuator;
  /**
   * `lb://` resolution through discovery (or nothing when discovery is off);
   * `spring.cloud.loadbalancer.configurations` picks the balancer.
   */
  readonly loadBalancer: LoadBalancer;
  /**
   * The `@LoadBalanced RestTemplate` analogue, resolving `lb://`; timeouts from
   * `spring.http.client.connect-timeout` / `read-timeout` (or `restTemplate.connectTimeOut` /
   * `readTimeOut`, seconds), the whole call bounded by `stratus.http.timeout-ms`.
   */
  readonly http: HttpClient;
  /**
   * Resilience4j's registries in one (`resilience4j.*`, reconfigured on refresh): its breakers,
   * retries, bulkheads, rate and time limiters are on `/actuator/circuitbreakers` and the other
   * Resilience4j endpoints, and in `/actuator/prometheus` (`resilience4j_*`).
   */
  readonly resilience: ResilienceRegistry;
  /**
   * Spring Cloud CircuitBreaker (`Resilience4JCircuitBreakerFactory`) over `resilience`; its
   * `configureDefault` is the course's `Customizer`, and applies to `feignClient` breakers too.
   *
   * @example
   * const orders = await app.circuitBreakerFactory.create('circuitbreaker').run(() => orderClient.getOrders({ userId }), () => []);
   */
  readonly circuitBreakerFactory: CircuitBreakerFactory;
  /**
   * The declarative client of `definition` (`@FeignClient`), configured by
   * `spring.cloud.openfeign.*` live, `lb://` through `loadBalancer`, its breakers (with
   * `spring.cloud.openfeign.circuitbreaker.enabled`) in `resilience`; closed with the application.
   *
   * @throws StratusError `HTTP_ERR_INVALID_CONFIG` for a definition with a bad name, URL or path.
   * @example
   * const orders = app.feignClient(OrderServiceClient);
   * const list = await orders.getOrders({ userId });
   */
  feignClient<Endpoints extends Record<string, AnyEndpoint>>(
    definition: ClientDefinition<Endpoints>,
  ): TypedClient<ClientDefinition<Endpoints>>;
  /** The event transport (embedded log by default), created on first use and closed with the app. */
  readonly messaging: Transport;
  /**
   * Spring Cloud Bus on `messaging` (`spring.cloud.bus.*`, docs/bus.md), once started; null
   * before, or with `spring.cloud.bus.enabled=false`.
   */
  readonly bus: Bus | null;
  /** Discovery (eureka, static or kubernetes by `stratus.discovery.mode`), once started; null when off. */
  readonly discovery: Discovery | null;
  /** The port bound by `start()` (0 before). */
  readonly port: number;
  /** `http://host:port` as registered, once started. */
  readonly url: string;
  /**
   * The application's database, from `spring.datasource.*` as Spring Boot's `DataSource`
   * auto-configuration: `jdbc:postgresql://…`, `jdbc:mariadb://…`, `jdbc:mysql://…`,
   * `jdbc:sqlite:…` or a file path; unset, the embedded SQLite file `<stratus.data-dir>/<name>.db`;
   * the pool from `spring.datasource.hikari.*` (with `hikaricp_*` meters). Opened now; at
   * `start()`, under a lock shared by the instances, Flyway-style migrations run (the SQL files
   * of `spring.flyway.locations`, `classpath:db/migration` by default, and `migrations`),
   * recorded in `flyway_schema_history`. A database that does not answer at start leaves the
   * application running not ready until it does (`spring.datasource.hikari.initialization-fail-timeout`);
   * one lost later makes requests answer 503 until it is back. A `db` health component
   * (`select 1`, `spring.datasource.hikari.validation-timeout`) unless
   * `management.health.db.enabled=false`; closed last on shutdown. Once per application.
   * See docs/datasources.md.
   *
   * @throws StratusError `BOOT_ERR_DATASOURCE` for an unsupported URL or driver, a file that
   *   cannot be opened, a second call or a call after `start()`; `BOOT_ERR_INVALID_CONFIG` for
   *   bad `spring.datasource.hikari.*` or `spring.flyway.*` values.
   * @example
   * const db = app.database<OrderDatabase>({ migrations: ORDER_MIGRATIONS });
   */
  database<DB>(options?: DatabaseOptions): Kysely<DB>;
  /**
   * The transactional outbox in the app's database, relayed to `messaging` (`stratus.outbox.*`
   * tunes the relay). The relay starts at `start()`; on shutdown it flushes once, then stops.
   * Returns the same outbox on every call.
   *
   * @throws StratusError `BOOT_ERR_DATASOURCE` when `database()` was not called first.
   * @example
   * const outbox = app.outbox();
   * await db.transaction().execute(async (trx) => {
   *   await trx.insertInto('orders').values(row).execute();
   *   await outbox.add(trx, { topic: 'order.created', key: row.order_id, payload: JSON.stringify(event) });
   * });
   */
  outbox(): Outbox;
  /**
   * Consumes `topic` as group `group` (the `@KafkaListener` analogue) from `start()` on, and
   * stops consuming first on shutdown. With `idempotent: true` each message id takes effect
   * once: `handle` runs in a transaction of the app's database that also records the id. After
   * each handled message the app's outbox (if any) is flushed, so replies leave at once.
   *
   * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for bad options; `BOOT_ERR_DATASOURCE` for an
   *   idempotent consumer without `database()`.
   * @example
   * app.subscribe({ topic: 'order.created', idempotent: true, handle: (message, trx) => reserve(trx, message.json()) });
   */
  subscribe<DB = any, T = unknown>(options: ConsumerOptions<DB, T>): Subscription;
  /**
   * A fastify `preHandler` that answers 401 problem+json with `WWW-Authenticate: Bearer`
   * (RFC 6750) unless the request carries a valid bearer token, and puts the token on
   * `request.principal`. One verifier per application (the gateway's rules: `exp` and `sub`
   * required, `alg` pinned, the app's clock): HMAC with `token.secret` (read at each call, so a
   * refresh applies; at least 32 characters), or `spring.security.oauth2.resourceserver.jwt.jwk-set-uri`
   * / `public-key-location`; `iss` and `aud` checked when `stratus.security.jwt.issuer` /
   * `audience` (or Spring's `issuer-uri` / `audiences`) are set.
   *
   * @throws StratusError `BOOT_ERR_INVALID_CONFIG` when the token settings are missing or bad.
   * @example
   * app.server.get('/me', { preHandler: app.requireBearer() }, async (request) => request.principal!.subject);
   */
  requireBearer(options?: RequireBearerOptions): BearerGuard;
  /**
   * A fastify plugin serving this application inside another fastify server, under the
   * plugin's prefix: its routes, actuator and error handling as when it runs alone; the host's
   * `ready()` starts it (migrations, relays, consumers), its `listen()` registers it with
   * discovery at the host's port, its `close()` closes it. Register it after adding routes to
   * `server`, and do not call `start()` then.
   *
   * @example
   * await host.register(app.plugin, { prefix: '/orders-app' });
   * await host.listen({ port: 8080 });
   */
  readonly plugin: FastifyPluginAsync;
  /**
   * Binds a service's own settings as boot binds its own (Spring's `@ConfigurationProperties`
   * with `@RefreshScope`): now, where a problem fails start-up; on every refresh, where a
   * problem rejects the refresh and the previous value stays; swapped after a refresh changed
   * anything. Returns the current value's getter.
   *
   * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing the problems `bind` reports.
   * @example
   * const settings = app.bindSettings((env) => bindProperties(env, USER_PROPERTIES));
   * settings().tokenExpirationMs;
   */
  bindSettings<T>(bind: (env: ConfigEnvironment) => T): () => T;
  /** Runs `fn` during `close()`, after the server stopped accepting, in reverse order of registration. */
  onClose(fn: () => Promise<void> | void): void;
  /** Migrates, starts relays and consumers, listens, registers with the registry, and reports ready. */
  start(): Promise<void>;
  /**
   * Graceful stop: not ready, deregister, stop consuming, drain requests, flush and stop the
   * outbox relay, run `onClose` hooks, close the database and the transport. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Creates a Stratus application: loads configuration (files, config server, environment,
 * flags), binds boot's settings, builds the HTTP server with the actuator, and prepares
 * registration. Wire the service in `configure` (or after this resolves), then `await app.start()`.
 * When `configure` throws, everything it opened is closed and the error is rethrown.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` (every bad value and unknown `stratus.*` key
 *   boot owns, with its file) or `CFG_ERR_SERVER_UNAVAILABLE` when configuration cannot be loaded.
 * @example
 * const app = await createApplication({ name: 'order-service', baseDir }, (app) => {
 *   const db = app.database<OrderDatabase>({ migrations });
 *   app.server.get('/orders', { preHandler: app.requireBearer() }, () => db.selectFrom('orders').selectAll().execute());
 * });
 * await app.start();
 */
export async function createApplication(
  options: ApplicationOptions,
  configure?: (app: Application) => void | Promise<void>,
): Promise<Application> {
  const app = await StratusApplication.create(options);
  if (configure === undefined) return app;
  try {
    await configure(app);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}
