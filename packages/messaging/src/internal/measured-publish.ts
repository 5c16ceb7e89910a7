import { errorTypeName } from '../dead-letter.js';
import { MessagingErrors } from '../errors.js';
import type { MessagingMeters } from '../metrics.js';

/**
 * Runs a broker transport's `send` of `count` messages, timing it on the publish meter (with the
 * error's type when it fails), and turns a failure into `MSG_ERR_PUBLISH_FAILED` saying
 * `failure` (one that already is that error passes as it is).
 */
export async function publishMeasured(
  meters: MessagingMeters,
  count: number,
  send: () => Promise<void>,
  failure: string,
): Promise<void> {
  const started = performance.now();
  try {
    await send();
  } catch (cause) {
    meters.recordPublish((performance.now() - started) / 1000, errorTypeName(cause));
    if (MessagingErrors.PUBLISH_FAILED.is(cause)) throw cause;
    throw MessagingErrors.PUBLISH_FAILED({ cause, message: failure, details: { count } });
  }
  meters.recordPublish((performance.now() - started) / 1000, null);
}
