/** Kafka's legal topic names (`Topic.validate`): 1–249 of `[A-Za-z0-9._-]`, not `.` or `..`. */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** Consumer group ids: safe as a Kafka group, a RabbitMQ queue-name part and a routing key. */
const GROUP = /^[A-Za-z0-9._:-]{1,200}$/;

/** Spring Kafka's dead-letter topic suffix (`DeadLetterPublishingRecoverer`). */
export const DEAD_LETTER_SUFFIX = '.DLT';

/** Why `topic` is not a portable topic name, or null when it is. */
export function topicProblem(topic: unknown): string | null {
  if (typeof topic !== 'string' || topic.length === 0) return 'topic must be a non-empty string';
  if (!TOPIC.test(topic) || topic === '.' || topic === '..') {
    return 'topic must be 1-249 characters of [A-Za-z0-9._-] (Kafka topic rules)';
  }
  return null;
}

/** Why `groupId` is not a portable group id, or null when it is. */
export function groupProblem(groupId: unknown): string | null {
  if (typeof groupId !== 'string' || groupId.length === 0)
    return 'groupId must be a non-empty string';
  if (!GROUP.test(groupId)) return 'groupId must be 1-200 characters of [A-Za-z0-9._:-]';
  return null;
}

/** `<topic>.DLT`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}
