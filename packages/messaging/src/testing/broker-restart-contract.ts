import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Transport } from '../transport.js';
import {
  ContractNames,
  gate,
  publishEventually,
  waitFor,
  type ContractOptions,
} from './contract-support.js';

/**
 * Registers the "no loss across a broker restart" contract test: a consumer is mid-stream when
 * the broker restarts; messages published before, during (retried, as the outbox would) and
 * after the outage all reach the group, and health reports DOWN while the broker is away.
 * Kept apart from {@link runTransportContract} because restarting a broker is slow and only
 * real brokers have one.
 *
 * @example
 * runBrokerRestartContract('kafka', () => makeKafka(), { stop: () => kafka('stop'), start: () => kafka('start') });
 */
export function runBrokerRestartContract(
  name: string,
  makeTransport: () => Promise<Transport>,
  broker: { stop(): Promise<void>; start(): Promise<void> },
  options: ContractOptions = {},
): void {
  const names = new ContractNames();
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (options.cleanup && !options.skip) {
    const cleanup = options.cleanup;
    after(() => cleanup({ topics: [...names.topics], groups: [...names.groups] }));
  }
  void describe(`transport contract: ${name}`, { skip: options.skip ?? false }, () => {
    void test('loses no message across a broker restart; health is DOWN while the broker is away', async (t) => {
      // The transports' timers are unref'ed (an application's server keeps the process alive);
      // while the broker is away nothing else would, so the test holds the event loop open.
      const keepAlive = setInterval(() => undefined, 1_000);
      t.after(() => clearInterval(keepAlive));
      const transport = await makeTransport();
      t.after(() => transport.close());
      const topic = names.topic('restart');
      const handled = new Set<string>();
      const stall = gate();
      await transport.subscribe({
        topics: [topic],
        groupId: names.group(),
        handler: async (m) => {
          if (m.text() === 'a5') await stall.promise;
          handled.add(m.text());
        },
      });
      await transport.publish(
        Array.from({ length: 10 }, (_, i) => ({ topic, key: 'k', payload: `a${i}` })),
      );
      await waitFor('the consumer to reach the middle', () => handled.size === 5, timeoutMs);
      await broker.stop();
      stall.open();
      const down = await transport.health();
      assert.equal(down.status, 'DOWN');
      const during = publishEventually(
        transport,
        Array.from({ length: 10 }, (_, i) => ({ topic, key: 'k', payload: `b${i}` })),
        timeoutMs,
      );
      await broker.start();
      await during;
      await transport.publish(
        Array.from({ length: 10 }, (_, i) => ({ topic, key: 'k', payload: `c${i}` })),
      );
      await waitFor('all 30 messages', () => handled.size === 30, timeoutMs);
      assert.equal((await transport.health()).status, 'UP');
    });
  });
}
