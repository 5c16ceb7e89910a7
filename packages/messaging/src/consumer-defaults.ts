import { invalidOptions } from './errors.js';
import { groupProblem } from './internal/names.js';
import { resolveRetry, RETRY_DEFAULTS } from './internal/retry-policy.js';
import { SUBSCRIPTION_DEFAULTS, type SubscriptionDefaults } from './internal/subscribe-options.js';
import type { RetryOptions } from './transport.js';

/**
 * Transport-wide defaults of every subscription, each overridden by the subscription's own
 * option (Spring Boot's `spring.kafka.consumer.*` / `spring.kafka.listener.*` analogue).
 */
export interface ConsumerDefaults {
  /** Group of a subscription that names none (`spring.kafka.consumer.group-id`). @default none */
  groupId?: string;
  /** `auto-offset-reset`: `true` = earliest, `false` = latest. @default true */
  fromBeginning?: boolean;
  /** Handler calls at once per subscription (`spring.kafka.listener.concurrency`). @default 1 */
  concurrency?: number;
  /** Retry of failing handlers. @default 10 attempts, 50 ms doubling to 2 s */
  retry?: RetryOptions;
}

/** Validates transport-wide consumer defaults. @throws StratusError `MSG_ERR_INVALID_OPTIONS` */
export function consumerDefaults(
  options: ConsumerDefaults | undefined,
  what: string,
): SubscriptionDefaults {
  if (options === undefined) return SUBSCRIPTION_DEFAULTS;
  const problems: string[] = [];
  if (options.groupId !== undefined) {
    const problem = groupProblem(options.groupId);
    if (problem !== null) problems.push(`consumer.${problem}`);
  }
  if (options.fromBeginning !== undefined && typeof options.fromBeginning !== 'boolean')
    problems.push('consumer.fromBeginning must be a boolean');
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000)
    problems.push('consumer.concurrency must be an integer from 1 to 1000');
  const retry = resolveRetry(options.retry, problems, RETRY_DEFAULTS);
  if (problems.length > 0) throw invalidOptions(what, problems);
  return Object.freeze({
    groupId: options.groupId ?? null,
    fromBeginning: options.fromBeginning ?? true,
    concurrency,
    retry,
  });
}
