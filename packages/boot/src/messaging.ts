import { resolve } from 'node:path';
import {
  createEmbeddedLog,
  createKafkaTransport,
  createRabbitTransport,
  kafkaPropertyOptions,
  type ConsumerDefaults,
  type KafkaTransportOptions,
  type RabbitTransportOptions,
  type RetryOptions,
  type Transport,
} from '@stratus/messaging';
import { StratusError, parseDurationMs, type Logger } from '@stratus/core';
import type { Metrics } from '@stratus/observability';
import type { HealthRegistry } from './health.js';

type Registry = Metrics['registry'];

/** What the transport binding reads from configuration (a `LiveConfig` satisfies it). */
export interface MessagingConfig {
  get(key: string, defaultValue?: unknown): unknown;
  getString(key: string, defaultValue?: string): string | undefined;
  getObject(prefix: string): Record<string, unknown> | undefined;
}

/** Where the transport reports: boot's health registry and metrics, when given. */
export interface MessagingHooks {
  health?: Pick<HealthRegistry, 'register'>;
  metrics?: Pick<Metrics, 'registry'>;
}

/** Health component names, as Spring Boot names its broker indicators (`rabbit`). */
const HEALTH_NAMES: Record<string, string> = {
  embedded: 'eventLog',
  kafka: 'kafka',
  rabbitmq: 'rabbit',
};

function invalid(problems: string[]): StratusError {
  return new StratusError('BOOT_ERR_INVALID_CONFIG', 500, 'Invalid configuration', {
    message: `Invalid messaging configuration: ${problems.join('; ')}`,
    details: { problems },
    retryable: false,
  });
}

/** A list given as YAML list, or comma-separated text (`a:9092,b:9092`). */
function listOf(config: MessagingConfig, key: string): string[] | undefined {
  const value = config.get(key);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value)) return value.map(String);
  const object = config.getObject(key);
  if (Array.isArray(object)) return (object as unknown[]).map(String);
  if (object && typeof object === 'object') return Object.values(object).map(String);
  return undefined;
}

/** A nested map rebuilt from `prefix.*` as flat dotted names (`session.timeout.ms`). */
function flatProperties(config: MessagingConfig, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else if (value !== undefined && value !== null) out[path] = String(value);
  };
  walk(config.getObject(prefix) ?? {}, '');
  return out;
}

function numberAt(config: MessagingConfig, key: string, problems: string[]): number | undefined {
  const value = config.get(key);
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) problems.push(`${key} must be a number`);
  return Number.isFinite(n) ? n : undefined;
}

function durationAt(
  config: MessagingConfig,
  key: string,
  unit: 'ms' | 's',
  problems: string[],
): number | undefined {
  const value = config.get(key);
  if (value === undefined || value === null || value === '') return undefined;
  const ms = parseDurationMs(value, unit);
  if (ms === null) problems.push(`${key} must be a duration (e.g. 500ms, 2s)`);
  return ms ?? undefined;
}

/** Retry of failing handlers: `stratus.messaging.retry.*`, or Spring AMQP's listener retry keys. */
function retryFrom(
  config: MessagingConfig,
  prefix: string,
  problems: string[],
): RetryOptions | undefined {
  const retry: RetryOptions = {
    maxAttempts: numberAt(config, `${prefix}.max-attempts`, problems),
    initialIntervalMs: durationAt(config, `${prefix}.initial-interval`, 'ms', problems),
    multiplier: numberAt(config, `${prefix}.multiplier`, problems),
    maxIntervalMs: durationAt(config, `${prefix}.max-interval`, 'ms', problems),
  };
  const set = Object.fromEntries(Object.entries(retry).filter(([, v]) => v !== undefined));
  return Object.keys(set).length > 0 ? (set as RetryOptions) : undefined;
}

function consumerFrom(config: MessagingConfig, kind: string, problems: string[]): ConsumerDefaults {
  const springPrefix =
    kind === 'rabbitmq' ? 'spring.rabbitmq.listener.simple' : 'spring.kafka.listener';
  const concurrency =
    numberAt(config, 'stratus.messaging.consumer.concurrency', problems) ??
    numberAt(config, `${springPrefix}.concurrency`, problems);
  const reset =
    config.getString('stratus.messaging.consumer.auto-offset-reset') ??
    config.getString('spring.kafka.consumer.auto-offset-reset');
  if (reset !== undefined && reset !== 'earliest' && reset !== 'latest')
    problems.push('spring.kafka.consumer.auto-offset-reset must be earliest or latest');
  const retry =
    retryFrom(config, 'stratus.messaging.retry', problems) ??
    (kind === 'rabbitmq'
      ? retryFrom(config, 'spring.rabbitmq.listener.simple.retry', problems)
      : undefined);
  const groupId = config.getString('spring.kafka.consumer.group-id');
  return {
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(reset !== undefined ? { fromBeginning: reset === 'earliest' } : {}),
    ...(retry ? { retry } : {}),
    ...(kind === 'kafka' && groupId ? { groupId } : {}),
  };
}

function kafkaFrom(
  config: MessagingConfig,
  logger: Logger,
  problems: string[],
): KafkaTransportOptions {
  const properties = {
    ...flatProperties(config, 'spring.kafka.properties'),
    ...flatProperties(config, 'spring.kafka.producer.properties'),
    ...flatProperties(config, 'spring.kafka.consumer.properties'),
  };
  for (const [key, name] of [
    ['spring.kafka.producer.acks', 'acks'],
    ['spring.kafka.producer.compression-type', 'compression.type'],
    ['spring.kafka.producer.retries', 'retries'],
    ['spring.kafka.security.protocol', 'security.protocol'],
  ] as const) {
    const value = config.getString(key);
    if (value !== undefined) properties[name] = value;
  }
  const mapped = kafkaPropertyOptions(properties);
  problems.push(...mapped.problems.map((p) => `spring.kafka.*properties.${p}`));
  // Names only: a property value may be a secret.
  if (mapped.ignored.length > 0)
    logger.info({ properties: mapped.ignored }, 'kafka properties not used by Stratus');
  const partitions = numberAt(config, 'stratus.messaging.kafka.topic.partitions', problems);
  const replicas = numberAt(config, 'stratus.messaging.kafka.topic.replication-factor', problems);
  return {
    // `kafka.server.ip` is the course's own key for the same setting.
    bootstrapServers: listOf(config, 'spring.kafka.bootstrap-servers') ??
      listOf(config, 'kafka.server.ip') ?? ['localhost:9092'],
    clientId:
      config.getString('spring.kafka.client-id') ?? config.getString('spring.application.name'),
    producer: mapped.producer,
    consumer: { ...mapped.consumer, ...consumerFrom(config, 'kafka', problems) },
    ...(partitions !== undefined
      ? { topics: { partitions, replicationFactor: replicas ?? 1 } }
      : {}),
    ...(mapped.sasl ? { sasl: mapped.sasl } : {}),
    ...(mapped.tls ? { tls: true } : {}),
    ...(mapped.requestTimeoutMs ? { requestTimeoutMs: mapped.requestTimeoutMs } : {}),
  };
}

/** `spring.rabbitmq.addresses`' first entry (`amqp://user:pass@host:port/vhost`), when set. */
function rabbitAddress(config: MessagingConfig): RabbitTransportOptions {
  const first = listOf(config, 'spring.rabbitmq.addresses')?.[0];
  if (!first) return {};
  const url = new URL(first.includes('://') ? first : `amqp://${first}`);
  return {
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { virtualHost: decodeURIComponent(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'amqps:' ? { tls: true } : {}),
  };
}

/**
 * `stratus.messaging.rabbitmq.required-groups`: a list of `{topic, groups}` (a list, since topic
 * names hold dots that a YAML map key would split).
 */
function requiredGroupsFrom(config: MessagingConfig, problems: string[]): Record<string, string[]> {
  const key = 'stratus.messaging.rabbitmq.required-groups';
  const out: Record<string, string[]> = {};
  for (const entry of Object.values(config.getObject(key) ?? {})) {
    const { topic, groups } = (entry ?? {}) as { topic?: unknown; groups?: unknown };
    if (typeof topic !== 'string' || groups === undefined) {
      problems.push(`${key} entries need a topic and groups`);
      continue;
    }
    const list = typeof groups === 'string' ? groups.split(',') : Object.values(groups as object);
    out[topic] = list.map((g) => String(g).trim()).filter(Boolean);
  }
  return out;
}

function rabbitFrom(config: MessagingConfig, problems: string[]): RabbitTransportOptions {
  const s = (key: string) => config.getString(`spring.rabbitmq.${key}`);
  const heartbeatMs = durationAt(config, 'spring.rabbitmq.requested-heartbeat', 's', problems);
  return {
    ...(s('host') ? { host: s('host') } : {}),
    ...(s('port') ? { port: numberAt(config, 'spring.rabbitmq.port', problems) } : {}),
    ...(s('username') ? { username: s('username') } : {}),
    ...(s('password') !== undefined ? { password: s('password') } : {}),
    ...(s('virtual-host') ? { virtualHost: s('virtual-host') } : {}),
    ...(s('ssl.enabled') === 'true' ? { tls: true } : {}),
    ...rabbitAddress(config),
    ...(heartbeatMs !== undefined
      ? { heartbeatSeconds: Math.max(1, Math.round(heartbeatMs / 1000)) }
      : {}),
    connectionTimeoutMs: durationAt(config, 'spring.rabbitmq.connection-timeout', 'ms', problems),
    prefetch: numberAt(config, 'spring.rabbitmq.listener.simple.prefetch', problems),
    connectionName: config.getString('spring.application.name'),
    requiredGroups: requiredGroupsFrom(config, problems),
    consumer: consumerFrom(config, 'rabbitmq', problems),
  };
}

function embeddedFrom(
  config: MessagingConfig,
  logger: Logger,
  registry: Registry | undefined,
  problems: string[],
): Transport {
  const dataDir = String(config.get('stratus.data-dir', './data'));
  return createEmbeddedLog({
    path: resolve(String(config.get('stratus.messaging.embedded.path', `${dataDir}/events.db`))),
    pollIntervalMs:
      numberAt(config, 'stratus.messaging.embedded.poll-interval-ms', problems) ?? 100,
    consumer: consumerFrom(config, 'embedded', problems),
    registry,
    recordTimers: false,
    logger,
  });
}

function create(
  kind: string,
  config: MessagingConfig,
  logger: Logger,
  registry: Registry | undefined,
): Transport {
  const problems: string[] = [];
  let transport: Transport | null = null;
  if (kind === 'embedded') transport = embeddedFrom(config, logger, registry, problems);
  else if (kind === 'kafka') {
    const options = kafkaFrom(config, logger, problems);
    if (problems.length === 0)
      transport = createKafkaTransport({ ...options, registry, recordTimers: false, logger });
  } else if (kind === 'rabbitmq') {
    const options = rabbitFrom(config, problems);
    if (problems.length === 0)
      transport = createRabbitTransport({ ...options, registry, recordTimers: false, logger });
  } else
    problems.push(`stratus.messaging.transport: '${kind}' is not one of embedded, kafka, rabbitmq`);
  if (problems.length > 0 || transport === null) {
    void transport?.close();
    throw invalid(problems);
  }
  return transport;
}

/**
 * Creates the event transport chosen by `stratus.messaging.transport`: `embedded` (the default,
 * a SQLite log at `stratus.messaging.embedded.path` shared by every local process), `kafka`
 * (`spring.kafka.*`) or `rabbitmq` (`spring.rabbitmq.*`); the `kafka` and `rabbitmq` profiles of
 * `config-repo` set it. Registers the transport's health component (`kafka`, `rabbit`,
 * `eventLog`) and its lag and dead-letter meters when `hooks` are given; the publish and handler
 * timers (`spring.kafka.template` / `spring.kafka.listener`) are left to `@stratus/observability`'s
 * `instrumentTransport`, which the application wraps the transport in. Credentials are never logged.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` listing every bad key; the message library's
 *   `MSG_ERR_INVALID_OPTIONS` for values it rejects.
 * @example
 * const transport = createTransportFromConfig(app.config, app.logger, { health: app.health, metrics: app.metrics });
 */
export function createTransportFromConfig(
  config: MessagingConfig,
  logger: Logger,
  hooks: MessagingHooks = {},
): Transport {
  const kind = String(config.get('stratus.messaging.transport', 'embedded')).toLowerCase();
  const transport = create(kind, config, logger, hooks.metrics?.registry);
  hooks.health?.register(HEALTH_NAMES[kind] ?? 'messaging', () => transport.health());
  return transport;
}
