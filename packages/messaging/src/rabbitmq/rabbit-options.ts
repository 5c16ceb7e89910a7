import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { MetersOptions } from '../metrics.js';
import { createSilentLogger, Secret, type Logger } from '@stratus/core';
import { consumerDefaults, type ConsumerDefaults } from '../consumer-defaults.js';
import { invalidOptions } from '../errors.js';
import { groupProblem, topicProblem } from '../internal/names.js';
import type { SubscriptionDefaults } from '../internal/subscribe-options.js';

/** Options of `createRabbitTransport` (Spring Boot's `spring.rabbitmq.*`). */
export interface RabbitTransportOptions extends MetersOptions {
  /** `spring.rabbitmq.host`. @default '127.0.0.1' */
  host?: string;
  /** `spring.rabbitmq.port`. @default 5672 (5671 with TLS) */
  port?: number;
  /** `spring.rabbitmq.username`. @default 'guest' */
  username?: string;
  /** `spring.rabbitmq.password`; kept as a `Secret`. @default 'guest' */
  password?: string | Secret;
  /** `spring.rabbitmq.virtual-host`. @default '/' */
  virtualHost?: string;
  /** `spring.rabbitmq.ssl.enabled`: `true` or Node's TLS options. @default false */
  tls?: boolean | TlsOptions;
  /** `spring.rabbitmq.requested-heartbeat`, in seconds. @default 60 */
  heartbeatSeconds?: number;
  /** `spring.rabbitmq.connection-timeout`, and the longest wait of a publish for a connection, in ms. @default 5000 */
  connectionTimeoutMs?: number;
  /** `spring.rabbitmq.listener.simple.prefetch`: unacknowledged messages per consumer. @default 250 */
  prefetch?: number;
  /** Name shown in the management UI for the connection. @default 'stratus' */
  connectionName?: string;
  consumer?: ConsumerDefaults;
  /**
   * Groups whose queues a publisher declares before its first publish to a topic, so messages
   * published before the consumers ever started are kept (Spring Cloud Stream's
   * `producer.required-groups`). @default {}
   */
  requiredGroups?: Record<string, string[]>;
  /** First and longest delay between reconnection attempts, in ms. @default 500, 10000 */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** @default createSilentLogger() */
  logger?: Logger;
}

/** Options after validation and defaulting. */
export interface ResolvedRabbitOptions {
  host: string;
  port: number;
  username: string;
  password: Secret;
  virtualHost: string;
  tls: boolean | TlsOptions;
  heartbeatSeconds: number;
  connectionTimeoutMs: number;
  prefetch: number;
  connectionName: string;
  subscriptionDefaults: SubscriptionDefaults;
  requiredGroups: ReadonlyMap<string, readonly string[]>;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  meters: MetersOptions;
  logger: Logger;
}

function positive(problems: string[], name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push(`${name} must be a positive number`);
    return fallback;
  }
  return value;
}

function resolveRequiredGroups(problems: string[], value: unknown): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  if (value === undefined) return groups;
  if (typeof value !== 'object' || value === null) {
    problems.push('requiredGroups must map topics to group lists');
    return groups;
  }
  for (const [topic, list] of Object.entries(value)) {
    const topicIssue = topicProblem(topic);
    const names = Array.isArray(list) ? list : [];
    if (
      topicIssue !== null ||
      !Array.isArray(list) ||
      names.some((g) => groupProblem(g) !== null)
    ) {
      problems.push(`requiredGroups.${topic} must list valid groups of a valid topic`);
      continue;
    }
    groups.set(topic, names as string[]);
  }
  return groups;
}

/** Validates and defaults RabbitMQ options, listing every problem. @throws `MSG_ERR_INVALID_OPTIONS` */
export function resolveRabbitOptions(options: RabbitTransportOptions = {}): ResolvedRabbitOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidOptions('rabbitmq options', ['options must be an object']);
  const problems: string[] = [];
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:[\]-]+$/.test(host))
    problems.push('host must be a host name or address');
  const port = Math.trunc(positive(problems, 'port', options.port, options.tls ? 5671 : 5672));
  if (port > 65_535) problems.push('port must be at most 65535');
  const prefetch = Math.trunc(positive(problems, 'prefetch', options.prefetch, 250));
  if (prefetch > 65_535) problems.push('prefetch must be at most 65535');
  let subscriptionDefaults: SubscriptionDefaults | null = null;
  try {
    subscriptionDefaults = consumerDefaults(options.consumer, 'rabbitmq options');
  } catch (error) {
    problems.push(...((error as { details?: { problems?: string[] } }).details?.problems ?? []));
  }
  const resolved = {
    host,
    port,
    username: options.username ?? 'guest',
    password:
      options.password instanceof Secret
        ? options.password
        : new Secret(options.password ?? 'guest'),
    virtualHost: options.virtualHost ?? '/',
    tls: options.tls ?? false,
    heartbeatSeconds: Math.trunc(
      positive(problems, 'heartbeatSeconds', options.heartbeatSeconds, 60),
    ),
    connectionTimeoutMs: positive(
      problems,
      'connectionTimeoutMs',
      options.connectionTimeoutMs,
      5_000,
    ),
    prefetch,
    connectionName: options.connectionName ?? 'stratus',
    requiredGroups: resolveRequiredGroups(problems, options.requiredGroups),
    reconnectInitialMs: positive(problems, 'reconnectInitialMs', options.reconnectInitialMs, 500),
    reconnectMaxMs: positive(problems, 'reconnectMaxMs', options.reconnectMaxMs, 10_000),
    meters: { registry: options.registry, recordTimers: options.recordTimers },
    logger: (options.logger ?? createSilentLogger()).child({ component: 'rabbitmq' }),
  };
  if (problems.length > 0) throw invalidOptions('rabbitmq options', problems);
  return Object.freeze({ ...resolved, subscriptionDefaults: subscriptionDefaults! });
}
