// No loss across a RabbitMQ restart. The machine's broker is restarted with
// `rabbitmqctl stop_app` / `start_app` (the Erlang node stays up, so it cannot be left without a
// way back), and `start_app` runs again after the test whatever happened.
import { after } from 'node:test';
import { createRabbitTransport } from '@stratus/messaging';
import { runBrokerRestartContract } from '@stratus/messaging/testing';
import {
  deleteRabbitNames,
  rabbitmqctl,
  rabbitUnavailable,
  skipUnlessCi,
} from './messaging-support.js';

async function whyNot(): Promise<string | null> {
  const unavailable = await rabbitUnavailable();
  if (unavailable) return unavailable;
  try {
    await rabbitmqctl('status');
    return null;
  } catch {
    return 'rabbitmqctl cannot reach the local RabbitMQ node (needed to restart it)';
  }
}

const skip = skipUnlessCi(await whyNot());
let isStopped = false;
after(async () => {
  if (isStopped) await rabbitmqctl('start_app').catch(() => undefined);
});

runBrokerRestartContract(
  'rabbitmq',
  async () =>
    createRabbitTransport({
      connectionName: 'restart-contract',
      connectionTimeoutMs: 2_000,
      reconnectMaxMs: 1_000,
    }),
  {
    async stop() {
      isStopped = true;
      await rabbitmqctl('stop_app');
    },
    async start() {
      await rabbitmqctl('start_app');
      await rabbitmqctl('await_startup');
      isStopped = false;
    },
  },
  { skip, timeoutMs: 45_000, cleanup: deleteRabbitNames },
);
