import { invalidOptions } from '../errors.js';
import type { Deserializer, MessageHandler, RetryOptions, SubscribeOptions } from '../transport.js';
import { groupProblem, topicProblem } from './names.js';
import { resolveRetry, RETRY_DEFAULTS, type RetryPolicy } from './retry-policy.js';

/** Subscribe options after validation and defaulting. */
export interface ResolvedSubscription {
  readonly topics: readonly string[];
  /** The group; for a broadcast subscription, `null` until the transport names it. */
  readonly groupId: string | null;
  readonly isBroadcast: boolean;
  readonly handler: MessageHandler<unknown>;
  readonly fromBeginning: boolean;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly isDeadLetterOn: boolean;
  readonly deserializer: Deserializer<unknown> | undefined;
  readonly name: string | null;
}

/** Transport-wide defaults a subscription falls back on. */
export interface SubscriptionDefaults {
  fromBeginning: boolean;
  concurrency: number;
  retry: RetryPolicy;
  /** Used when a non-broadcast subscription names no group (Spring's `consumer.group-id`). */
  groupId: string | null;
}

/** Defaults when the transport sets none. */
export const SUBSCRIPTION_DEFAULTS: SubscriptionDefaults = Object.freeze({
  fromBeginning: true,
  concurrency: 1,
  retry: RETRY_DEFAULTS,
  groupId: null,
});

function checkTopics(topics: unknown, problems: string[]): string[] {
  if (!Array.isArray(topics) || topics.length === 0) {
    problems.push('topics must be a non-empty array');
    return [];
  }
  for (const topic of topics) {
    const problem = topicProblem(topic);
    if (problem !== null) {
      problems.push(`every topic must be valid: ${problem}`);
      break;
    }
  }
  return [...new Set(topics as string[])];
}

function checkBoolean(name: string, value: unknown, problems: string[]): void {
  if (value !== undefined && typeof value !== 'boolean') problems.push(`${name} must be a boolean`);
}

/**
 * Validates subscribe options once, listing every problem.
 * @throws StratusError `MSG_ERR_INVALID_OPTIONS`
 */
export function resolveSubscription(
  options: SubscribeOptions<unknown>,
  defaults: SubscriptionDefaults = SUBSCRIPTION_DEFAULTS,
): ResolvedSubscription {
  if (typeof options !== 'object' || options === null) {
    throw invalidOptions('subscribe options', ['options must be an object']);
  }
  const problems: string[] = [];
  const topics = checkTopics(options.topics, problems);
  const isBroadcast = options.broadcast === true;
  checkBoolean('broadcast', options.broadcast, problems);
  checkBoolean('fromBeginning', options.fromBeginning, problems);
  checkBoolean('deadLetter', options.deadLetter, problems);
  const groupId = isBroadcast ? null : (options.groupId ?? defaults.groupId);
  if (isBroadcast && options.groupId !== undefined)
    problems.push('groupId must not be set with broadcast: every instance gets its own group');
  if (!isBroadcast) {
    const problem = groupProblem(groupId);
    if (problem !== null) problems.push(problem);
  }
  if (typeof options.handler !== 'function') problems.push('handler must be a function');
  const concurrency = options.concurrency ?? defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
    problems.push('concurrency must be an integer from 1 to 1000');
  const retry = resolveRetry(options.retry as RetryOptions | undefined, problems, defaults.retry);
  if (options.deserializer !== undefined && typeof options.deserializer?.deserialize !== 'function')
    problems.push('deserializer must have a deserialize(payload, headers, topic) function');
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    problems.push('name must be a non-empty string');
  if (problems.length > 0) throw invalidOptions('subscribe options', problems);
  return Object.freeze({
    topics,
    groupId,
    isBroadcast,
    handler: options.handler,
    fromBeginning: isBroadcast ? false : (options.fromBeginning ?? defaults.fromBeginning),
    concurrency,
    retry,
    isDeadLetterOn: options.deadLetter ?? !isBroadcast,
    deserializer: options.deserializer,
    name: options.name ?? null,
  });
}
