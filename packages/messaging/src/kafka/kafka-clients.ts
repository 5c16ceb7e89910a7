import { Admin, type BaseOptions } from '@platformatic/kafka';
import type { ResolvedKafkaOptions } from './kafka-options.js';

/** Delay between the client library's own retries of one request, in ms. */
const CLIENT_RETRY_DELAY_MS = 250;

/** Connection options every client (producer, consumer, admin) of a transport shares. */
export function baseClientOptions(
  options: ResolvedKafkaOptions,
  clientId: string,
  retries: number,
): BaseOptions {
  return {
    clientId,
    bootstrapBrokers: options.bootstrapServers,
    connectTimeout: options.requestTimeoutMs,
    timeout: options.requestTimeoutMs,
    retries,
    retryDelay: CLIENT_RETRY_DELAY_MS,
    autocreateTopics: true,
    ...(options.tls ? { tls: options.tls === true ? {} : options.tls } : {}),
    ...(options.sasl
      ? {
          sasl: {
            mechanism: options.sasl.mechanism,
            username: options.sasl.username,
            // A function, so the password stays inside the Secret until the handshake.
            password: () => options.sasl!.password.reveal(),
          },
        }
      : {}),
  } as BaseOptions;
}

/** Closes a producer or consumer with `force` (its streams too), never rejecting. */
export function forceClose(client: {
  close(force: boolean, callback: (error?: Error | null) => void): void;
}): Promise<void> {
  return new Promise((resolve) => {
    try {
      client.close(true, () => resolve());
    } catch {
      resolve();
    }
  });
}

function isAlreadyExists(error: unknown): boolean {
  const text = JSON.stringify(error, (_key, value: unknown) =>
    typeof value === 'bigint' ? String(value) : value,
  );
  return /TOPIC_ALREADY_EXISTS|already exists/i.test(`${(error as Error)?.message} ${text}`);
}

/**
 * The transport's admin client: creates missing topics with the configured partitions before
 * first use, and probes the cluster for health.
 */
export class KafkaAdmin {
  readonly #options: ResolvedKafkaOptions;
  readonly #ensured = new Set<string>();
  #admin: Admin | null = null;

  constructor(options: ResolvedKafkaOptions) {
    this.#options = options;
  }

  #client(): Admin {
    this.#admin ??= new Admin(
      baseClientOptions(this.#options, `${this.#options.clientId}-admin`, 0),
    );
    return this.#admin;
  }

  /** Creates the topics not known to exist yet, when `topics` is configured. */
  async ensureTopics(topics: Iterable<string>): Promise<void> {
    const settings = this.#options.topics;
    if (settings === null) return;
    const missing = [...new Set(topics)].filter((topic) => !this.#ensured.has(topic));
    if (missing.length === 0) return;
    for (const topic of missing) {
      try {
        await this.#client().createTopics({
          topics: [topic],
          partitions: settings.partitions,
          replicas: settings.replicationFactor,
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      this.#ensured.add(topic);
    }
  }

  /** Asks the cluster for its metadata; resolves the broker count or rejects. */
  async probe(): Promise<{ brokers: number; clusterId: string }> {
    const metadata = await this.#client().metadata({ topics: [], forceUpdate: true });
    return { brokers: metadata.brokers.size, clusterId: metadata.id };
  }

  /** Deletes a consumer group that is gone for good (a broadcast subscription's); best effort. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.#client()
      .deleteGroups({ groups: [groupId] })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = null;
    await admin?.close().catch(() => undefined);
  }
}
