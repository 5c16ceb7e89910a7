import type { Kysely } from 'kysely';
import type { Logger } from '@stratus/core';
import {
  ensureInboxSchema,
  ensureOutboxSchema,
  type Outbox,
  type Transport,
} from '@stratus/messaging';
import type { DataSource } from '../data/datasource.js';
import type { PendingConsumer } from '../events/consumer.js';
import { startInboxPruning, type InboxPruning } from '../events/inbox-retention.js';

/**
 * The parts an application starts before it serves and stops after it has drained, in Spring's
 * `SmartLifecycle` order: start = migrate → outbox relay → consumers (in the background while
 * the database does not answer yet); stop = consumers (stop
 * consuming) → [the HTTP server drains, outside] → last outbox flush and relay → close hooks
 * → database → transport.
 */
export class Lifecycle {
  dataSource: DataSource<any> | null = null;
  outbox: Outbox | null = null;
  hasIdempotentConsumers = false;
  /** `stratus.inbox.retention`, ms: processed ids older than this are deleted. */
  inboxRetentionMs = Infinity;
  readonly #consumers: PendingConsumer[] = [];
  #inboxPruning: InboxPruning | null = null;
  #isStopping = false;
  #isReady = false;
  readonly #closeHooks: Array<() => Promise<void> | void> = [];
  #transport: Transport | null = null;
  #isStarted = false;
  readonly #logger: Logger;
  readonly #finalFlushMs: number;

  constructor(logger: Logger, finalFlushMs: number) {
    this.#logger = logger;
    this.#finalFlushMs = finalFlushMs;
  }

  /** The transport to close last (created on first use of `app.messaging`). */
  set transport(transport: Transport) {
    this.#transport = transport;
  }

  addCloseHook(fn: () => Promise<void> | void): void {
    this.#closeHooks.push(fn);
  }

  /** Adds a consumer; after `start()`, it subscribes at once. */
  addConsumer(consumer: PendingConsumer, isIdempotent: boolean, transport: () => Transport): void {
    this.#consumers.push(consumer);
    const needsInbox = isIdempotent && !this.hasIdempotentConsumers;
    this.hasIdempotentConsumers ||= isIdempotent;
    if (!this.#isStarted) return;
    const db = this.dataSource?.db;
    const inbox = needsInbox && db !== undefined ? ensureInboxSchema(db) : Promise.resolve();
    inbox
      .then(() => consumer.start(transport()))
      .catch((error: unknown) => this.#logger.error({ err: error }, 'subscription failed'));
  }

  /** Whether the schema is in place and the relay and consumers run. */
  get isReady(): boolean {
    return this.#isReady;
  }

  /**
   * Migrates (under the migration lock, with the outbox and inbox tables), starts the relay,
   * then subscribes every consumer, and calls `onReady`. When the database does not answer
   * and the datasource may start without it, resolves at once and does the rest in the
   * background once it answers (`onFailed` if that cannot happen).
   */
  async start(
    transport: () => Transport,
    onReady: () => void = () => undefined,
    onFailed: (error: unknown) => void = () => undefined,
  ): Promise<void> {
    const dataSource = this.dataSource;
    if (dataSource === null) return this.#run(transport, onReady);
    const startup = dataSource.start(this.#schemaSteps());
    if (await startup.first) return this.#run(transport, onReady);
    startup.ready.then(() => this.#run(transport, onReady)).catch(onFailed);
  }

  #schemaSteps(): Array<(db: Kysely<any>) => Promise<void>> {
    return [
      ...(this.outbox !== null ? [ensureOutboxSchema] : []),
      ...(this.hasIdempotentConsumers ? [ensureInboxSchema] : []),
    ];
  }

  async #run(transport: () => Transport, onReady: () => void): Promise<void> {
    if (this.#isStopping) return;
    this.outbox?.start();
    this.#isStarted = true;
    const db = this.dataSource?.db;
    if (db !== undefined && this.hasIdempotentConsumers)
      this.#inboxPruning = startInboxPruning(db, this.inboxRetentionMs, this.#logger);
    if (this.#consumers.length > 0) {
      const started = transport();
      await Promise.all(this.#consumers.map((consumer) => consumer.start(started)));
    }
    this.#isReady = true;
    onReady();
  }

  /** Stops consuming: in-flight handlers finish and commit; nothing new is delivered. */
  async stopConsuming(): Promise<void> {
    this.#isStopping = true;
    this.#isReady = false;
    await Promise.all(
      this.#consumers.map((consumer) => this.#quietly('consumer', () => consumer.close())),
    );
  }

  /** After the HTTP drain: one bounded outbox flush, the relay, the hooks, the database, the transport. */
  async closeResources(): Promise<void> {
    const outbox = this.outbox;
    if (outbox !== null) {
      await this.#quietly('outbox flush', () => withinMs(outbox.flush(), this.#finalFlushMs));
      await this.#quietly('outbox', () => outbox.close());
    }
    this.#inboxPruning?.stop();
    for (const hook of [...this.#closeHooks].reverse()) await this.#quietly('close hook', hook);
    const dataSource = this.dataSource;
    if (dataSource !== null) await this.#quietly('datasource', () => dataSource.close());
    const transport = this.#transport;
    if (transport !== null) await this.#quietly('transport', () => transport.close());
  }

  async #quietly(what: string, fn: () => Promise<unknown> | unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.#logger.warn({ err: error, component: what }, 'close hook failed');
    }
  }
}

/** Resolves with `work`, or after `ms` without it (the work keeps running). */
function withinMs<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
