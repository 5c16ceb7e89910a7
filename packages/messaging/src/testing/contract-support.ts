import { randomUUID } from 'node:crypto';
import type { Transport } from '../transport.js';

/** Options of the contract suites. */
export interface ContractOptions {
  /** Longest wait for an expected delivery, in ms. @default 15000 */
  timeoutMs?: number;
  /**
   * Called once after the suite with every topic and group it used, so the test file can delete
   * them from the broker (topics include their `.DLT`).
   */
  cleanup?: (created: { topics: string[]; groups: string[] }) => Promise<void>;
  /** Skips the suite with this reason (a backend that is not reachable). @default false */
  skip?: string | false;
}

/** Names made by one suite run, recorded for cleanup. */
export class ContractNames {
  readonly run = randomUUID().slice(0, 8);
  readonly topics = new Set<string>();
  readonly groups = new Set<string>();

  topic(label: string): string {
    const topic = `contract.${label}.${this.run}.${randomUUID().slice(0, 4)}`;
    this.topics.add(topic);
    // A dead-letter reader of `<topic>.DLT` has its own dead-letter topic too.
    this.topics.add(`${topic}.DLT`);
    this.topics.add(`${topic}.DLT.DLT`);
    return topic;
  }

  group(label = 'g'): string {
    const group = `${label}.${this.run}.${randomUUID().slice(0, 6)}`;
    this.groups.add(group);
    return group;
  }
}

/** Polls `predicate` until true; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Publishes, retrying while the broker is unavailable (the outbox's job in an application). */
export async function publishEventually(
  transport: Transport,
  messages: Parameters<Transport['publish']>[0],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await transport.publish(messages);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** A promise with its resolve function, for handlers that wait for the test. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
