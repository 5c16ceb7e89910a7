import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import type { Transport } from '../transport.js';
import { ContractNames, type ContractOptions } from './contract-support.js';
import { registerDeliveryTests } from './contract-delivery.js';
import { registerFailureTests } from './contract-failures.js';
import { registerGroupTests } from './contract-groups.js';

export type { ContractOptions } from './contract-support.js';

/** What the contract test files share. */
export interface ContractContext {
  readonly names: ContractNames;
  readonly timeoutMs: number;
  /** A new client of the same broker or store, closed after the test. */
  open(t: TestContext): Promise<Transport>;
  /** A new client the test closes itself. */
  make(): Promise<Transport>;
}

/**
 * Registers the shared transport contract tests with `node:test`. Every transport (embedded log,
 * Kafka, RabbitMQ) must pass them: delivery with ids, keys, headers and binary payloads,
 * per-key order (also with concurrency), a group sharing work, two groups each seeing
 * everything, broadcast, pause and resume, retry then dead letter, poison payloads
 * dead-lettered, redelivery of a message whose handler had not finished when its consumer
 * stopped, resuming from the committed position, and health.
 *
 * `makeTransport` is called several times per test; each call must return a new client
 * connected to the **same** broker or store. The suite closes what it makes and uses fresh
 * topic and group names (prefix `contract.<run>`) in every test. It lives in
 * `@stratus/messaging/testing` so that services never load `node:test`.
 *
 * @example
 * runTransportContract('embedded log', async () => createEmbeddedLog({ path: join(dir, 'events.db'), pollIntervalMs: 20 }));
 */
export function runTransportContract(
  name: string,
  makeTransport: () => Promise<Transport>,
  options: ContractOptions = {},
): void {
  const names = new ContractNames();
  const context: ContractContext = {
    names,
    timeoutMs: options.timeoutMs ?? 15_000,
    make: makeTransport,
    async open(t) {
      const transport = await makeTransport();
      t.after(() => transport.close());
      return transport;
    },
  };
  if (options.cleanup && !options.skip) {
    const cleanup = options.cleanup;
    after(() => cleanup({ topics: [...names.topics], groups: [...names.groups] }));
  }
  void describe(`transport contract: ${name}`, { skip: options.skip ?? false }, () => {
    registerDeliveryTests(context);
    registerGroupTests(context);
    registerFailureTests(context);
    void test('reports itself UP through health() while its store or broker answers', async (t) => {
      const transport = await context.open(t);
      const health = await transport.health();
      assert.equal(health.status, 'UP');
      assert.equal(typeof health.details, 'object');
      assert.equal(typeof transport.kind, 'string');
    });
  });
}
