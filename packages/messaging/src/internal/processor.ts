import { isStratusError, type Logger } from '@stratus/core';
import type { MessagingMeters } from '../metrics.js';
import type { Deserializer, Message, MessageHandler, OutgoingMessage } from '../transport.js';
import { errorTypeName, toDeadLetter } from '../dead-letter.js';
import { forAttempt } from './message.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

/**
 * How one delivery ended: handled, dead-lettered, skipped after retries (dead letters off), or
 * abandoned because the subscription stopped mid-retry (left uncommitted, so redelivered).
 */
export type Outcome = 'done' | 'dead-lettered' | 'skipped' | 'abandoned';

/** What a subscription gives its processor. */
export interface ProcessorOptions<T> {
  handler: MessageHandler<T>;
  deserializer: Deserializer<T> | undefined;
  retry: RetryPolicy;
  isDeadLetterOn: boolean;
  groupId: string;
  /** Listener name for metrics. */
  name: string;
  /** Publishes through the subscription's transport (used for dead letters). */
  publish: (message: OutgoingMessage) => Promise<void>;
  meters: MessagingMeters;
  logger: Logger;
  isStopping: () => boolean;
  /** Sleeps, ending early when the subscription stops. */
  sleep: (ms: number) => Promise<void>;
}

/** Spring's classification: a `StratusError` marked not retryable goes to the DLT at once. */
function isRetryable(error: unknown): boolean {
  return !(isStratusError(error) && error.retryable === false);
}

function where(message: Message): Record<string, unknown> {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    messageId: message.id,
  };
}

/**
 * Builds the per-message processing of a subscription: deserialize once, call the handler with
 * retry and back-off, then dead-letter or skip. Never throws.
 */
export function createProcessor<T>(
  options: ProcessorOptions<T>,
): (message: Message) => Promise<Outcome> {
  const { logger, meters } = options;

  async function deadLetter(message: Message, error: unknown): Promise<Outcome> {
    if (!options.isDeadLetterOn) {
      logger.error({ ...where(message), err: error }, 'message skipped after failed handling');
      return 'skipped';
    }
    const letter = toDeadLetter(message, options.groupId, error);
    for (let attempt = 1; ; attempt += 1) {
      if (options.isStopping()) return 'abandoned';
      try {
        await options.publish(letter);
        meters.recordDeadLetter(message.topic, options.groupId);
        logger.error(
          { ...where(message), deadLetterTopic: letter.topic, exception: errorTypeName(error) },
          'message dead-lettered',
        );
        return 'dead-lettered';
      } catch (publishError) {
        logger.warn(
          { ...where(message), err: publishError, attempt },
          'dead-letter publish failed',
        );
        await options.sleep(retryDelayMs(options.retry, attempt + 1));
      }
    }
  }

  async function handle(message: Message, value: T): Promise<Outcome> {
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= options.retry.maxAttempts; attempt += 1) {
      if (attempt > 1) {
        await options.sleep(retryDelayMs(options.retry, attempt - 1));
        if (options.isStopping()) return 'abandoned';
      }
      const started = performance.now();
      try {
        // The delivered message already reads as attempt 1 without a value: no copy needed.
        const delivered =
          attempt === 1 && value === undefined
            ? (message as Message<T>)
            : forAttempt(message, attempt, value);
        await options.handler(delivered);
        meters.recordListener(options.name, (performance.now() - started) / 1000, null);
        return 'done';
      } catch (error) {
        meters.recordListener(
          options.name,
          (performance.now() - started) / 1000,
          errorTypeName(error),
        );
        lastError = error;
        if (!isRetryable(error)) break;
        if (attempt === 1) {
          logger.warn({ ...where(message), err: error }, 'message handler failed; will retry');
        } else {
          logger.debug({ ...where(message), err: error, attempt }, 'message handler failed again');
        }
      }
      if (options.isStopping()) return 'abandoned';
    }
    return deadLetter(message, lastError);
  }

  return async (message: Message): Promise<Outcome> => {
    let value: T = undefined as T;
    if (options.deserializer) {
      try {
        value = options.deserializer.deserialize(message.payload, message.headers, message.topic);
      } catch (error) {
        logger.warn({ ...where(message), err: error }, 'message payload cannot be deserialized');
        return deadLetter(message, error);
      }
    }
    return handle(message, value);
  };
}
