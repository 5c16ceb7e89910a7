import type { Kysely, Transaction } from 'kysely';
import type { Clock, Logger } from '@stratus/core';
import type { Metrics } from '@stratus/observability';
import {
  createIdempotentHandler,
  type Deserializer,
  type Message,
  type MessageHandler,
  type RetryOptions,
  type Subscription,
  type Transport,
} from '@stratus/messaging';
import { isDatabaseUnavailable } from '../data/database-errors.js';
import { BootErrors } from '../errors.js';

/** What every consumer takes: the `@KafkaListener(topics, groupId)` of `app.subscribe`. */
interface ConsumerBase<T> {
  /** One topic or several. */
  readonly topic: string | readonly string[];
  /** Consumer group (Spring's `groupId`). @default the application name */
  readonly group?: string;
  /** Where a group without a committed position starts. @default true (the oldest message) */
  readonly fromBeginning?: boolean;
  /**
   * Decodes each payload into `message.value` before `handle`; a throw dead-letters the
   * message at once (Spring's `ErrorHandlingDeserializer`). @default none (`value` is undefined)
   */
  readonly deserializer?: Deserializer<T>;
  /**
   * Handler calls at once; one key's messages still run one at a time, in order.
   * @default `stratus.messaging.consumer.concurrency` (1)
   */
  readonly concurrency?: number;
  /** Retry of a failing handler before the dead letter (Spring's `DefaultErrorHandler`). */
  readonly retry?: RetryOptions;
  /**
   * Send a message whose handler kept failing to `<topic>.DLT`; `false` logs and skips it.
   * @default true
   */
  readonly deadLetter?: boolean;
  /** Names the listener in metrics and logs (Spring's listener id). @default the group */
  readonly name?: string;
}

/**
 * A consumer whose effect commits with an inbox row in the app's database, so a redelivered
 * message id takes effect once (the idempotent consumer of reliability.md §2.4). While the
 * database does not answer, the message is held (not retried into the dead letter) until it
 * does.
 */
export interface IdempotentConsumerOptions<DB, T = unknown> extends ConsumerBase<T> {
  readonly idempotent: true;
  /**
   * Inbox name: a message id takes effect once per name. Keep it when topics or groups are
   * renamed, or old ids take effect again. @default `<group>:<topics joined by ,>`
   */
  readonly consumer?: string;
  /** The business change, made through `trx` so that it commits with the inbox row. */
  handle(message: Message<T>, trx: Transaction<DB>): Promise<void>;
}

/** A consumer that handles each delivery itself (at least once; redeliveries included). */
export interface PlainConsumerOptions<T = unknown> extends ConsumerBase<T> {
  readonly idempotent?: false;
  /**
   * Every instance gets every message published while it listens (Spring Cloud Stream's
   * anonymous group, Spring Cloud Bus's way); `group` is ignored. @default false
   */
  readonly broadcast?: boolean;
  handle(message: Message<T>): Promise<void>;
}

/** Options of `app.subscribe`. */
export type ConsumerOptions<DB = any, T = unknown> =
  IdempotentConsumerOptions<DB, T> | PlainConsumerOptions<T>;

/** What a consumer needs from the application. */
export interface ConsumerContext {
  readonly appName: string;
  /** The app's database, for the inbox; null when `app.database()` was not called. */
  readonly db: Kysely<any> | null;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Counts duplicates an inbox skipped (`stratus_inbox_duplicates_total{consumer}`). */
  readonly metrics?: Metrics;
  /** Called after each handled message (the outbox flush: replies leave at once). */
  readonly afterHandle: () => void;
}

/** A subscription declared before the transport is consumed; `start` subscribes. */
export interface PendingConsumer extends Subscription {
  /** Subscribes on `transport` (once); a consumer closed before that never subscribes. */
  start(transport: Transport): Promise<void>;
}

/** A consumer's state its handler reads: closing wakes a handler waiting for the database. */
interface ConsumerState {
  isClosed: boolean;
  readonly sleepers: Set<() => void>;
}

/**
 * Validates `options` and prepares the subscription; nothing is consumed before `start`.
 *
 * @throws StratusError `BOOT_ERR_INVALID_CONFIG` for bad options, `BOOT_ERR_DATASOURCE` for an
 *   idempotent consumer in an app without a database.
 */
export function prepareConsumer<DB, T>(
  options: ConsumerOptions<DB, T>,
  context: ConsumerContext,
): PendingConsumer {
  const topics = [options.topic].flat();
  const isBroadcast = options.idempotent !== true && options.broadcast === true;
  const group = options.group ?? context.appName;
  const problems = consumerProblems(options, topics, group);
  if (problems.length > 0)
    throw BootErrors.INVALID_CONFIG({ message: problems.join('; '), details: { problems } });
  const state: ConsumerState = { isClosed: false, sleepers: new Set() };
  const handler = handlerOf(options, topics, group, context, state);
  let subscription: Subscription | null = null;
  let starting: Promise<void> | null = null;
  return {
    start(transport) {
      starting ??= (async () => {
        if (state.isClosed) return;
        const subscribed = await transport.subscribe<T>({
          topics,
          groupId: isBroadcast ? undefined : group,
          broadcast: isBroadcast || undefined,
          handler,
          fromBeginning: options.fromBeginning ?? (isBroadcast ? undefined : true),
          deserializer: options.deserializer,
          concurrency: options.concurrency,
          retry: options.retry,
          deadLetter: options.deadLetter,
          name: options.name,
        });
        if (state.isClosed) await subscribed.close();
        else subscription = subscribed;
      })();
      return starting;
    },
    async close() {
      state.isClosed = true;
      for (const wake of state.sleepers) wake();
      await starting?.catch(() => undefined);
      await subscription?.close();
    },
  };
}

function consumerProblems<DB, T>(
  options: ConsumerOptions<DB, T>,
  topics: unknown[],
  group: unknown,
): string[] {
  return [
    ...(topics.length === 0 || topics.some((t) => typeof t !== 'string' || t.trim() === '')
      ? ['subscribe: topic must be one or more non-empty names']
      : []),
    ...(typeof group !== 'string' || group.trim() === ''
      ? ['subscribe: group must not be empty']
      : []),
    ...(typeof options.handle !== 'function' ? ['subscribe: handle must be a function'] : []),
    ...(options.idempotent === true && (options as { broadcast?: unknown }).broadcast === true
      ? [
          'subscribe: a broadcast consumer runs in every instance, and an inbox they share would let only one of them apply each message; use a group (or idempotent: false)',
        ]
      : []),
  ];
}

function handlerOf<DB, T>(
  options: ConsumerOptions<DB, T>,
  topics: string[],
  group: string,
  context: ConsumerContext,
  state: ConsumerState,
): MessageHandler<T> {
  if (options.idempotent !== true) {
    const handle = options.handle;
    return async (message) => {
      await handle(message);
      context.afterHandle();
    };
  }
  if (context.db === null)
    throw BootErrors.DATASOURCE({
      message:
        'An idempotent consumer keeps its inbox in the application database: call app.database() first',
    });
  const handle = options.handle;
  const consumer = options.consumer ?? `${group}:${topics.join(',')}`;
  const duplicates = context.metrics?.counter(
    'stratus.inbox.duplicates',
    'Messages an idempotent consumer skipped as already processed',
    ['consumer'],
  );
  const idempotent = createIdempotentHandler({
    db: context.db,
    consumer,
    clock: context.clock,
    logger: context.logger,
    onDuplicate: () => duplicates?.inc({ consumer }),
    handle: (trx, message) => handle(message as Message<T>, trx as Transaction<DB>),
  });
  return async (message) => {
    await untilDatabaseAnswers(() => idempotent(message), message, context.logger, state);
    context.afterHandle();
  };
}

const HOLD_INITIAL_MS = 250;
const HOLD_MAX_MS = 5_000;

/**
 * Runs `work`, and while it fails because the database does not answer, runs it again with
 * backoff instead of letting the transport's retries dead-letter a message nothing is wrong
 * with. Closing the consumer ends the wait (the message stays uncommitted and comes again).
 */
async function untilDatabaseAnswers(
  work: () => Promise<void>,
  message: Message,
  logger: Logger,
  state: ConsumerState,
): Promise<void> {
  for (let waitMs = HOLD_INITIAL_MS; ; waitMs = Math.min(waitMs * 2, HOLD_MAX_MS)) {
    try {
      return await work();
    } catch (error) {
      if (state.isClosed || !isDatabaseUnavailable(error)) throw error;
      if (waitMs === HOLD_INITIAL_MS)
        logger.warn(
          { topic: message.topic, messageId: message.id },
          'database not available; holding the message until it answers',
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          state.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, waitMs);
        state.sleepers.add(wake);
      });
    }
  }
}
