import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { MetersOptions } from '../metrics.js';
import { createSilentLogger, Secret, type Logger } from '@stratus/core';
import { consumerDefaults, type ConsumerDefaults } from '../consumer-defaults.js';
import { invalidOptions } from '../errors.js';
import type { SubscriptionDefaults } from '../internal/subscribe-options.js';

/** SASL credentials (`sasl.mechanism` + `sasl.jaas.config`). */
export interface KafkaSaslOptions {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  /** Kept as a `Secret` so it never reaches a log. */
  password: string | Secret;
}

/** Producer settings (`spring.kafka.producer.*`). */
export interface KafkaProducerOptions {
  /** `acks`: `all` (-1), `1` or `0`. Idempotence needs `all`. @default 'all' */
  acks?: 'all' | '-1' | '1' | '0' | -1 | 0 | 1;
  /** `enable.idempotence`: the broker drops duplicate retries of one producer session. @default true */
  idempotent?: boolean;
  /** `compression.type`. @default 'none' */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** Retries of one send before `publish()` fails (the outbox retries again later). @default 3 */
  retries?: number;
}

/** Consumer settings (`spring.kafka.consumer.*`, `spring.kafka.listener.*`). */
export interface KafkaConsumerOptions extends ConsumerDefaults {
  /** `session.timeout.ms`. @default 10000 */
  sessionTimeoutMs?: number;
  /** `heartbeat.interval.ms`. @default 1000 */
  heartbeatIntervalMs?: number;
  /** Rebalance timeout (`max.poll.interval.ms` in the Java client). @default 30000 */
  rebalanceTimeoutMs?: number;
  /** `fetch.max.wait.ms`. @default 100 */
  maxWaitMs?: number;
  /**
   * `group.protocol`: `classic` (JoinGroup/SyncGroup, eager round-robin assignment) or
   * `consumer` (KIP-848: the broker assigns partitions incrementally, no stop-the-world
   * rebalance; Kafka 4.0+). @default 'classic'
   */
  groupProtocol?: 'classic' | 'consumer';
  /** Records buffered per subscription before fetching pauses. @default 256 */
  highWaterMark?: number;
}

/** Options of `createKafkaTransport`. */
export interface KafkaTransportOptions extends MetersOptions {
  /** `spring.kafka.bootstrap-servers`: `host:port` entries; at least one. */
  bootstrapServers: string[];
  /** `spring.kafka.client-id`. @default 'stratus' */
  clientId?: string;
  producer?: KafkaProducerOptions;
  consumer?: KafkaConsumerOptions;
  /**
   * Missing topics are created with these settings before first use (Spring's `NewTopic` beans,
   * Spring Cloud Stream's `min-partition-count`); without it the broker's auto-creation applies.
   * @default none
   */
  topics?: { partitions: number; replicationFactor?: number };
  sasl?: KafkaSaslOptions;
  /** TLS (`security.protocol: SSL` / `SASL_SSL`): `true` or Node's TLS options. @default false */
  tls?: boolean | TlsOptions;
  /** Connect and request timeout, in ms. @default 5000 */
  requestTimeoutMs?: number;
  /** First and longest delay between reconnection attempts of a consumer, in ms. @default 500, 10000 */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** Options after validation and defaulting. */
export interface ResolvedKafkaOptions {
  bootstrapServers: string[];
  clientId: string;
  acks: -1 | 0 | 1;
  isIdempotent: boolean;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  retries: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  maxWaitMs: number;
  groupProtocol: 'classic' | 'consumer';
  highWaterMark: number;
  subscriptionDefaults: SubscriptionDefaults;
  topics: { partitions: number; replicationFactor: number } | null;
  sasl: { mechanism: KafkaSaslOptions['mechanism']; username: string; password: Secret } | null;
  tls: boolean | TlsOptions;
  requestTimeoutMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  meters: MetersOptions;
  logger: Logger;
}

const HOST_PORT = /^[A-Za-z0-9.:[\]-]+:\d{1,5}$/;
const ACKS: Record<string, -1 | 0 | 1> = { all: -1, '-1': -1, '1': 1, '0': 0 };

function positive(problems: string[], name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push(`${name} must be a positive number`);
    return fallback;
  }
  return value;
}

function oneOf<T extends string>(
  problems: string[],
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    problems.push(`${name} must be one of ${allowed.join(', ')}`);
    return fallback;
  }
  return value as T;
}

function resolveProducer(problems: string[], producer: KafkaProducerOptions = {}) {
  const acks = ACKS[String(producer.acks ?? 'all')];
  if (acks === undefined) problems.push('producer.acks must be all, -1, 1 or 0');
  // As the Java client: idempotence is on by default, and only possible with acks=all.
  const isIdempotent = producer.idempotent ?? acks === -1;
  if (isIdempotent && acks !== undefined && acks !== -1)
    problems.push('producer.idempotent needs producer.acks=all');
  return {
    acks: acks ?? -1,
    isIdempotent,
    compression: oneOf(
      problems,
      'producer.compression',
      producer.compression,
      ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const,
      'none',
    ),
    retries: Math.trunc(positive(problems, 'producer.retries', producer.retries, 3)),
  };
}

function resolveConsumer(problems: string[], consumer: KafkaConsumerOptions = {}) {
  const sessionTimeoutMs = positive(
    problems,
    'consumer.sessionTimeoutMs',
    consumer.sessionTimeoutMs,
    10_000,
  );
  const heartbeatIntervalMs = positive(
    problems,
    'consumer.heartbeatIntervalMs',
    consumer.heartbeatIntervalMs,
    1_000,
  );
  if (heartbeatIntervalMs >= sessionTimeoutMs)
    problems.push('consumer.heartbeatIntervalMs must be below consumer.sessionTimeoutMs');
  return {
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs: Math.max(
      sessionTimeoutMs,
      positive(problems, 'consumer.rebalanceTimeoutMs', consumer.rebalanceTimeoutMs, 30_000),
    ),
    maxWaitMs: positive(problems, 'consumer.maxWaitMs', consumer.maxWaitMs, 100),
    groupProtocol: oneOf(
      problems,
      'consumer.groupProtocol',
      consumer.groupProtocol,
      ['classic', 'consumer'] as const,
      'classic',
    ),
    highWaterMark: Math.trunc(
      positive(problems, 'consumer.highWaterMark', consumer.highWaterMark, 256),
    ),
  };
}

function resolveSasl(problems: string[], sasl: KafkaSaslOptions | undefined) {
  if (sasl === undefined) return null;
  const mechanism = oneOf(
    problems,
    'sasl.mechanism',
    sasl?.mechanism,
    ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const,
    'PLAIN',
  );
  if (typeof sasl?.username !== 'string' || sasl.username === '')
    problems.push('sasl.username must be a non-empty string');
  const password =
    sasl?.password instanceof Secret ? sasl.password : new Secret(String(sasl?.password ?? ''));
  return { mechanism, username: String(sasl?.username ?? ''), password };
}

/** Validates and defaults Kafka options, listing every problem. @throws `MSG_ERR_INVALID_OPTIONS` */
export function resolveKafkaOptions(options: KafkaTransportOptions): ResolvedKafkaOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidOptions('kafka options', ['options must be an object']);
  const problems: string[] = [];
  const servers = options.bootstrapServers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    servers.some((s) => !HOST_PORT.test(String(s)))
  )
    problems.push('bootstrapServers must be host:port entries, at least one');
  const clientId = options.clientId ?? 'stratus';
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(clientId))
    problems.push('clientId must be 1-200 of [A-Za-z0-9._-]');
  const topics =
    options.topics === undefined
      ? null
      : {
          partitions: Math.trunc(
            positive(problems, 'topics.partitions', options.topics?.partitions, 1),
          ),
          replicationFactor: Math.trunc(
            positive(problems, 'topics.replicationFactor', options.topics?.replicationFactor, 1),
          ),
        };
  const resolved = {
    bootstrapServers: Array.isArray(servers) ? servers.map(String) : [],
    clientId,
    ...resolveProducer(problems, options.producer),
    ...resolveConsumer(problems, options.consumer),
    topics,
    sasl: resolveSasl(problems, options.sasl),
    tls: options.tls ?? false,
    requestTimeoutMs: positive(problems, 'requestTimeoutMs', options.requestTimeoutMs, 5_000),
    reconnectInitialMs: positive(problems, 'reconnectInitialMs', options.reconnectInitialMs, 500),
    reconnectMaxMs: positive(problems, 'reconnectMaxMs', options.reconnectMaxMs, 10_000),
    meters: { registry: options.registry, recordTimers: options.recordTimers },
    logger: (options.logger ?? createSilentLogger()).child({ component: 'kafka' }),
  };
  let subscriptionDefaults: SubscriptionDefaults | null = null;
  try {
    subscriptionDefaults = consumerDefaults(options.consumer, 'kafka options');
  } catch (error) {
    problems.push(...((error as { details?: { problems?: string[] } }).details?.problems ?? []));
  }
  if (problems.length > 0) throw invalidOptions('kafka options', problems);
  return Object.freeze({ ...resolved, subscriptionDefaults: subscriptionDefaults! });
}
