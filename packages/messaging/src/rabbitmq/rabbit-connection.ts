import { connect, type ChannelModel } from 'amqplib';
import { MessagingErrors } from '../errors.js';
import type { ResolvedRabbitOptions } from './rabbit-options.js';

/** Told when a connection opens (set up channels on it) or is lost. */
export interface ConnectionListener {
  onConnected(connection: ChannelModel): void;
  onLost(): void;
}

/**
 * One AMQP connection that reconnects with exponential backoff until closed. Listeners set
 * their channels up again on every new connection. The password never leaves its `Secret`
 * except into amqplib's connect call.
 */
export class RabbitConnection {
  readonly #options: ResolvedRabbitOptions;
  readonly #listeners = new Set<ConnectionListener>();
  #connection: ChannelModel | null = null;
  #connecting: Promise<void> | null = null;
  #readyWaiters: Array<() => void> = [];
  #retryTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #lastError: string | null = null;
  #isClosed = false;

  constructor(options: ResolvedRabbitOptions) {
    this.#options = options;
  }

  get isOpen(): boolean {
    return this.#connection !== null;
  }

  /** The broker's `version` server property, once connected. */
  get serverVersion(): string | null {
    const version = this.#connection?.connection.serverProperties.version;
    return typeof version === 'string' ? version : null;
  }

  /** Whether `connection` is the open connection (not one lost since). */
  isCurrent(connection: ChannelModel): boolean {
    return this.#connection === connection;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** Registers a listener and connects on first use; an open connection is announced at once. */
  listen(listener: ConnectionListener): () => void {
    this.#listeners.add(listener);
    if (this.#connection) listener.onConnected(this.#connection);
    else this.#start();
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the open connection, connecting if needed; rejects after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<ChannelModel> {
    if (this.#isClosed) throw MessagingErrors.CLOSED({ details: { component: 'rabbitmq' } });
    if (this.#connection) return this.#connection;
    this.#start();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.#readyWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          // Not unref'ed: the caller awaits this bounded wait (and the reconnect it needs).
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    if (!this.#connection) {
      throw MessagingErrors.PUBLISH_FAILED({
        message: 'RabbitMQ is not reachable',
        details: { host: this.#options.host, port: this.#options.port, error: this.#lastError },
      });
    }
    return this.#connection;
  }

  async close(): Promise<void> {
    this.#isClosed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    await this.#connecting;
    const connection = this.#connection;
    this.#connection = null;
    await connection?.close().catch(() => undefined);
  }

  #start(): void {
    if (this.#isClosed || this.#connection || this.#connecting || this.#retryTimer) return;
    this.#connecting = this.#open().finally(() => (this.#connecting = null));
  }

  async #open(): Promise<void> {
    const o = this.#options;
    try {
      const connection = await connect(
        {
          protocol: o.tls ? 'amqps' : 'amqp',
          hostname: o.host,
          port: o.port,
          username: o.username,
          password: o.password.reveal(),
          vhost: o.virtualHost,
          heartbeat: o.heartbeatSeconds,
        },
        {
          timeout: o.connectionTimeoutMs,
          clientProperties: { connection_name: o.connectionName },
          ...(typeof o.tls === 'object' ? o.tls : {}),
        },
      );
      if (this.#isClosed) {
        await connection.close().catch(() => undefined);
        return;
      }
      this.#adopt(connection);
    } catch (error) {
      this.#fail(error);
    }
  }

  #adopt(connection: ChannelModel): void {
    this.#connection = connection;
    if (this.#failures > 0)
      o11y(this.#options, 'info', { failures: this.#failures }, 'rabbitmq reconnected');
    this.#failures = 0;
    this.#lastError = null;
    connection.on('error', (error: Error) => (this.#lastError = error.message));
    connection.once('close', () => this.#lost(connection));
    for (const listener of this.#listeners) listener.onConnected(connection);
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #lost(connection: ChannelModel): void {
    if (this.#connection !== connection) return;
    this.#connection = null;
    for (const listener of this.#listeners) listener.onLost();
    if (this.#isClosed) return;
    o11y(
      this.#options,
      'warn',
      { error: this.#lastError },
      'rabbitmq connection lost; reconnecting',
    );
    this.#schedule();
  }

  #fail(error: unknown): void {
    this.#failures += 1;
    this.#lastError = error instanceof Error ? error.message : String(error);
    const level = this.#failures === 1 ? 'warn' : 'debug';
    o11y(
      this.#options,
      level,
      { error: this.#lastError, failures: this.#failures },
      'rabbitmq connect failed',
    );
    this.#schedule();
  }

  #schedule(): void {
    if (this.#isClosed || this.#retryTimer) return;
    const { reconnectInitialMs, reconnectMaxMs } = this.#options;
    const delayMs = Math.min(
      reconnectMaxMs,
      reconnectInitialMs * 2 ** Math.min(this.#failures, 20),
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#start();
    }, delayMs);
    this.#retryTimer.unref();
  }
}

/** Logs with the broker's address (never the credentials). */
function o11y(
  options: ResolvedRabbitOptions,
  level: 'info' | 'warn' | 'debug',
  fields: Record<string, unknown>,
  message: string,
): void {
  options.logger[level](
    { ...fields, host: options.host, port: options.port, vhost: options.virtualHost },
    message,
  );
}
