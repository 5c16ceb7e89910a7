import { INBOX_DEFAULTS, OUTBOX_DEFAULTS } from '@stratus/messaging';

/**
 * Boot's defaults, in one place: Spring's where Spring has one (named in each comment),
 * Stratus's own otherwise. Units are in the names.
 */
export const BOOT_DEFAULTS = Object.freeze({
  /** `server.port`: Spring Boot's 8080 (services set 0 in their `application.yml`). */
  serverPort: 8080,
  /** `server.address`: every interface, as Spring Boot. */
  serverAddress: '0.0.0.0',
  /** `server.max-http-request-body-bytes`: largest request body, 1 MiB. */
  maxRequestBodyBytes: 1024 * 1024,
  /** `server.trust-proxy`: `X-Forwarded-*` ignored unless trusted. */
  trustProxy: false,
  /** `stratus.data-dir`: embedded databases and the event log, relative to the working folder. */
  dataDir: './data',
  /** `stratus.http.timeout-ms`: the HTTP client's whole-call timeout. */
  httpTimeoutMs: 5_000,
  /** `spring.security.user.name`: Spring Security's default user. */
  managementUserName: 'user',
  /**
   * `spring.datasource.hikari.validation-timeout`: the `db` health query's budget. HikariCP's
   * own default is 5 s; Stratus takes 2 s so the check answers inside the 3 s every health
   * indicator gets.
   */
  datasourceValidationTimeoutMs: 2_000,
  /** `management.health.db.enabled`: Spring Boot's `db` health indicator is on. */
  dbHealthEnabled: true,
  /** `stratus.outbox.poll-interval-ms`: how often the relay looks for unpublished rows. */
  outboxPollIntervalMs: OUTBOX_DEFAULTS.pollIntervalMs,
  /** `stratus.outbox.batch-size`: rows per publish. */
  outboxBatchSize: OUTBOX_DEFAULTS.batchSize,
  /** `stratus.outbox.lease-ms`: among relays on one database only the lease holder publishes. */
  outboxLeaseMs: OUTBOX_DEFAULTS.leaseMs,
  /** `stratus.outbox.max-backoff-ms`: longest pause after consecutive publish failures. */
  outboxMaxBackoffMs: OUTBOX_DEFAULTS.maxBackoffMs,
  /** `stratus.outbox.retention`: published outbox rows are deleted after this (7 days). */
  outboxRetentionMs: OUTBOX_DEFAULTS.retentionMs,
  /** `stratus.inbox.retention`: processed message ids are deleted after this (7 days). */
  inboxRetentionMs: INBOX_DEFAULTS.retentionMs,
  /** Budget of the last outbox flush on shutdown, before the relay stops. */
  outboxFinalFlushMs: 2_000,
  /** `token.secret`: shortest accepted HMAC secret, characters (HS256 needs 256 bits). */
  minTokenSecretLength: 32,
  /** Allowed clock skew on `exp`/`nbf`, seconds (the gateway's too). */
  tokenClockToleranceSec: 30,
  /** `eureka.client.registry-fetch-interval-seconds`: Spring Cloud Netflix's 30 s. */
  registryFetchIntervalSecs: 30,
  /** `eureka.client.instance-info-replication-interval-seconds`: Spring's 30 s. */
  instanceInfoReplicationIntervalSecs: 30,
  /**
   * `eureka.client.healthcheck.enabled`: Spring's default is false (the registry sees UP while
   * the app is DOWN); Stratus sends its health so a DOWN instance leaves the balancers.
   */
  eurekaHealthcheck: true,
  /** `eureka.instance.lease-renewal-interval-in-seconds`: Spring's 30 s. */
  leaseRenewalIntervalSecs: 30,
  /** `eureka.instance.lease-expiration-duration-in-seconds`: Spring's 90 s. */
  leaseExpirationDurationSecs: 90,
  /** `stratus.loadbalancer.quarantine-ms`: first pause of an instance marked failed. */
  quarantineMs: 1_000,
  /** `stratus.loadbalancer.max-quarantine-ms`: the pause doubles up to this. */
  maxQuarantineMs: 30_000,
  /** `stratus.loadbalancer.early-refresh-min-interval-ms`: least time between early fetches. */
  earlyRefreshMinIntervalMs: 1_000,
  /** `stratus.discovery.kubernetes.port`: a Service's port when `ports` names none. */
  kubernetesServicePort: 80,
  /** `management.tracing.sampling.probability`: Spring Boot's 0.1. */
  samplingProbability: 0.1,
  /** `management.zipkin.tracing.connect-timeout`: Spring Boot's 1 s. */
  zipkinConnectTimeoutMs: 1_000,
  /** `management.zipkin.tracing.read-timeout`: Spring Boot's 10 s. */
  zipkinReadTimeoutMs: 10_000,
  /** `stratus.tracing.span-store.max-spans`: spans the registry's embedded store keeps. */
  spanStoreMaxSpans: 5_000,
  /** `stratus.httpexchanges.capacity`: Spring Boot's `InMemoryHttpExchangeRepository` keeps 100. */
  httpExchangesCapacity: 100,
});
