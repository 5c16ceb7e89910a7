import { Secret } from '@stratus/core';
import type {
  KafkaConsumerOptions,
  KafkaProducerOptions,
  KafkaSaslOptions,
} from './kafka-options.js';

/** What a map of Kafka client properties sets, and the names it did not understand. */
export interface KafkaPropertyOptions {
  producer: KafkaProducerOptions;
  consumer: KafkaConsumerOptions;
  sasl?: KafkaSaslOptions;
  tls?: boolean;
  requestTimeoutMs?: number;
  /** Property names Stratus does not map (the caller logs the names, never the values). */
  ignored: string[];
  /** Property names whose value is unusable. */
  problems: string[];
}

type Target = Omit<KafkaPropertyOptions, 'ignored' | 'problems'>;
type Setter = (target: Target, value: string) => string | null;

function number(apply: (target: Target, n: number) => void): Setter {
  return (target, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return 'must be a positive number';
    apply(target, n);
    return null;
  };
}

/** `sasl.jaas.config`: `…LoginModule required username="u" password="p";`. */
function jaas(target: Target, value: string): string | null {
  const username = /username\s*=\s*"([^"]*)"/.exec(value)?.[1];
  const password = /password\s*=\s*"([^"]*)"/.exec(value)?.[1];
  if (username === undefined || password === undefined)
    return 'must name a username and a password';
  target.sasl = {
    mechanism: target.sasl?.mechanism ?? 'PLAIN',
    username,
    password: new Secret(password),
  };
  return null;
}

/** Kafka's own client property names (as in `spring.kafka.properties.*`) and what each sets. */
const SETTERS: Readonly<Record<string, Setter>> = {
  acks: (t, v) => ((t.producer.acks = v as KafkaProducerOptions['acks']), null),
  'enable.idempotence': (t, v) => ((t.producer.idempotent = v === 'true'), null),
  'compression.type': (t, v) => (
    (t.producer.compression = v as KafkaProducerOptions['compression']),
    null
  ),
  retries: number((t, n) => (t.producer.retries = n)),
  'session.timeout.ms': number((t, n) => (t.consumer.sessionTimeoutMs = n)),
  'heartbeat.interval.ms': number((t, n) => (t.consumer.heartbeatIntervalMs = n)),
  'max.poll.interval.ms': number((t, n) => (t.consumer.rebalanceTimeoutMs = n)),
  'fetch.max.wait.ms': number((t, n) => (t.consumer.maxWaitMs = n)),
  'group.protocol': (t, v) => (
    (t.consumer.groupProtocol = v.toLowerCase() as 'classic' | 'consumer'),
    null
  ),
  'auto.offset.reset': (t, v) => {
    if (v !== 'earliest' && v !== 'latest') return 'must be earliest or latest';
    t.consumer.fromBeginning = v === 'earliest';
    return null;
  },
  'request.timeout.ms': number((t, n) => (t.requestTimeoutMs = n)),
  'security.protocol': (t, v) => {
    const protocol = v.toUpperCase();
    if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol))
      return 'must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL';
    t.tls = protocol.endsWith('SSL');
    return null;
  },
  'sasl.mechanism': (t, v) => {
    const mechanism = v.toUpperCase() as KafkaSaslOptions['mechanism'];
    t.sasl = { username: '', password: '', ...t.sasl, mechanism };
    return null;
  },
  'sasl.jaas.config': jaas,
};

/**
 * Maps Kafka client properties (`session.timeout.ms`, `acks`, `sasl.jaas.config`, …) onto the
 * transport's options. Values are strings as configuration gives them.
 *
 * @example
 * kafkaPropertyOptions({ 'session.timeout.ms': '15000', 'security.protocol': 'SASL_SSL' });
 */
export function kafkaPropertyOptions(properties: Record<string, string>): KafkaPropertyOptions {
  const target: Target = { producer: {}, consumer: {} };
  const ignored: string[] = [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(properties)) {
    const setter = SETTERS[name];
    if (!setter) {
      ignored.push(name);
      continue;
    }
    const problem = setter(target, value);
    if (problem !== null) problems.push(`${name} ${problem}`);
  }
  return { ...target, ignored, problems };
}
